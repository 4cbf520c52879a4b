import type { ChatCompletion, ChatCompletionChunk, ChatCompletionRequest } from '@chatloop/protocol';

/** What the loop reads of a response's metadata (core's `ResponseMeta` has it all). */
export interface AgentResponseMeta {
  requestId?: string;
  latencyMs?: number;
  retries?: number;
}

/** A completion as the client returns it: the wire body plus (non-enumerable) `meta`. */
export type AgentChatResponse = ChatCompletion & { readonly meta?: AgentResponseMeta };

/** A streamed completion: the chunks, and `final()` with the assembled completion. */
export interface AgentChatStream extends AsyncIterable<ChatCompletionChunk> {
  final(): Promise<AgentChatResponse>;
}

/**
 * The part of `@chatloop/core`'s `ChatClient` the agent uses (any object with these two methods works,
 * e.g. a router). `signal` must abort the call.
 */
export interface AgentClient {
  chat(request: ChatCompletionRequest, options?: { signal?: AbortSignal }): Promise<AgentChatResponse>;
  stream(request: ChatCompletionRequest, options?: { signal?: AbortSignal }): AgentChatStream;
}
