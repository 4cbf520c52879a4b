/** Encodes text pieces as UTF-8 byte chunks and serves them as an async iterable. */
export async function* byteStream(pieces: ReadonlyArray<string | Uint8Array>): AsyncGenerator<Uint8Array> {
  const encoder = new TextEncoder();
  for (const piece of pieces) yield typeof piece === 'string' ? encoder.encode(piece) : piece;
}

/** Splits `bytes` at the given sorted positions. */
export function splitAt(bytes: Uint8Array, positions: readonly number[]): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  let start = 0;
  for (const position of positions) {
    pieces.push(bytes.subarray(start, position));
    start = position;
  }
  pieces.push(bytes.subarray(start));
  return pieces;
}

/** Collects an async iterable into an array. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/** Builds a minimal `chat.completion.chunk` around the given choices and extra fields. */
export function chunk(choices: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'm', choices, ...extra };
}

/** Frames chunk objects as an SSE body ending in `data: [DONE]`. */
export function sseBody(chunks: readonly unknown[], done = true): string {
  return (
    chunks.map((item) => `data: ${JSON.stringify(item)}\n\n`).join('') + (done ? 'data: [DONE]\n\n' : '')
  );
}
