import type { ChatCompletion, ChatCompletionChunk, ChatCompletionRequest } from '@chatloop/protocol';

/** Per-call options extraction passes to the client. */
export interface ExtractCallOptions {
  /** Aborts the call. */
  signal?: AbortSignal;
}

/**
 * The part of `@chatloop/core`'s `ChatClient` that extraction uses, so any client with `chat` and
 * `stream` works (a core client, a router, or a test double). Retries, rate limits and timeouts are the
 * client's business; extraction adds only its own repair retries.
 */
export interface ExtractClient {
  /** One non-streamed completion. */
  chat(request: ChatCompletionRequest, options?: ExtractCallOptions): Promise<ChatCompletion>;
  /** One streamed completion, as chunks. */
  stream(request: ChatCompletionRequest, options?: ExtractCallOptions): AsyncIterable<ChatCompletionChunk>;
  /** The client's provider preset, when it has one (`auto` mode reads its name). */
  readonly provider?: unknown;
}

/** The provider preset name of a client (`openai`, `deepseek`, ...), or `undefined`. */
export function clientProviderName(client: ExtractClient): string | undefined {
  const provider = client.provider;
  if (typeof provider === 'string') return provider;
  if (typeof provider === 'object' && provider !== null) {
    const name = (provider as { name?: unknown }).name;
    if (typeof name === 'string') return name;
  }
  return undefined;
}
