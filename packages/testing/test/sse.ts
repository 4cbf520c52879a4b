import type { ChatCompletionChunk } from '@chatloop/protocol';

/** Splits an SSE body into the `data` of each event (test helper; enough for our own streams). */
export function sseData(body: string): string[] {
  return body
    .split(/\r?\n\r?\n/)
    .filter((event) => event.trim() !== '')
    .map((event) =>
      event
        .split(/\r?\n/)
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trimStart())
        .join('\n'),
    );
}

/** Parses every event but `[DONE]` as a chunk. */
export function sseChunks(body: string): ChatCompletionChunk[] {
  return sseData(body)
    .filter((data) => data !== '[DONE]')
    .map((data) => JSON.parse(data) as ChatCompletionChunk);
}

/** POSTs a chat completion request as JSON. */
export function postChat(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}
