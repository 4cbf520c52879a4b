import {
  type ChatCompletion,
  type ChatCompletionChunk,
  type ChatCompletionRequest,
  ChunkAccumulator,
} from '@chatloop/protocol';
import type { ResponseMeta } from '../src/response-meta.js';
import type { ChatSendResult, SendRequest, StreamSendResult } from '../src/send.js';

/** A SendRequest for unit tests of middleware. */
export function sendRequest(
  overrides: Partial<SendRequest> = {},
  body?: Partial<ChatCompletionRequest>,
): SendRequest {
  return {
    body: { model: 'm', messages: [{ role: 'user', content: 'hello there' }], ...body },
    kind: 'chat',
    signal: undefined,
    timeoutMs: 0,
    idleTimeoutMs: 0,
    headers: undefined,
    attempt: 1,
    waitedMs: 0,
    ...overrides,
  };
}

/** Response metadata for a fake answer. */
export function fakeMeta(request: SendRequest, headers: Record<string, string> = {}): ResponseMeta {
  return {
    requestId: 'req_1',
    status: 200,
    headers,
    latencyMs: 1,
    attempts: request.attempt,
    retries: request.attempt - 1,
    waitedMs: request.waitedMs,
  };
}

/** A completion with the given usage. */
export function completion(totalTokens = 30, content = 'hi'): ChatCompletion {
  return {
    id: 'c1',
    object: 'chat.completion',
    created: 1,
    model: 'm',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: { prompt_tokens: totalTokens - 10, completion_tokens: 10, total_tokens: totalTokens },
  };
}

/** A chat answer. */
export function chatResult(
  request: SendRequest,
  totalTokens = 30,
  headers: Record<string, string> = {},
): ChatSendResult {
  return { kind: 'chat', completion: completion(totalTokens), meta: fakeMeta(request, headers) };
}

/** A stream answer of the given text pieces, ending with a usage chunk. */
export function streamResult(request: SendRequest, pieces: string[], totalTokens = 30): StreamSendResult {
  const chunks: ChatCompletionChunk[] = pieces.map((piece, index) => ({
    id: 's1',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'm',
    choices: [
      {
        index: 0,
        delta: index === 0 ? { role: 'assistant', content: piece } : { content: piece },
        finish_reason: index === pieces.length - 1 ? 'stop' : null,
      },
    ],
  }));
  chunks.push({
    id: 's1',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'm',
    choices: [],
    usage: { prompt_tokens: totalTokens - 10, completion_tokens: 10, total_tokens: totalTokens },
  });
  const accumulator = new ChunkAccumulator();
  let index = 0;
  const iterator: AsyncIterator<ChatCompletionChunk, void, undefined> = {
    async next() {
      const chunk = chunks[index++];
      if (chunk === undefined) return { done: true, value: undefined };
      accumulator.add(chunk);
      return { done: false, value: chunk };
    },
    async return() {
      index = chunks.length;
      return { done: true, value: undefined };
    },
  };
  return { kind: 'stream', meta: fakeMeta(request), chunks: iterator, accumulator };
}
