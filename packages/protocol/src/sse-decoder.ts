import { createParser, type ParseError } from 'eventsource-parser';
import { MalformedResponseError } from './stream-errors.js';

/** One Server-Sent Event: its `data` (lines joined with `\n`), and its `event` type and `id` if sent. */
export interface SseEvent {
  data: string;
  event?: string;
  id?: string;
  /**
   * `true` on an event the body ended in without its closing blank line: delivered anyway (servers
   * often end with `data: [DONE]` alone), but its data may be cut short.
   */
  unterminated?: true;
}

/** A response body: a Web `ReadableStream` or any async iterable of bytes (Node streams are). */
export type ByteStream = AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>;

/** Options of {@link decodeSseEvents}. */
export interface SseDecoderOptions {
  /**
   * The most characters held for one unfinished line or event before the stream is rejected with a
   * {@link MalformedResponseError}. Default {@link DEFAULT_SSE_DECODER_OPTIONS}.maxBufferSize (16 Mi).
   */
  maxBufferSize?: number;
  /** Called with each `retry:` value (milliseconds). */
  onRetry?: (retryMs: number) => void;
  /** Called with each comment line's text (keep-alives such as `: ping`). */
  onComment?: (comment: string) => void;
}

/** Defaults of {@link SseDecoderOptions}. */
export const DEFAULT_SSE_DECODER_OPTIONS = { maxBufferSize: 16 * 1024 * 1024 } as const;

/**
 * Decodes a Server-Sent Events body into events, right for every byte split: UTF-8 characters cut
 * across chunks are joined (invalid UTF-8 becomes U+FFFD, never a throw), CRLF, CR and LF line ends,
 * comment lines, multi-line `data:`, `event:`/`id:`/`retry:` fields, `data:` with or without a space.
 * A last event not followed by a blank line is still delivered when the body ends, marked
 * `unterminated`. Parsing is
 * eventsource-parser's; this adds the byte decoding and an async-iterator face.
 *
 * @throws MalformedResponseError when one line or event exceeds `maxBufferSize`.
 */
export async function* decodeSseEvents(
  body: ByteStream,
  options: SseDecoderOptions = {},
): AsyncGenerator<SseEvent, void, undefined> {
  const decoder = new TextDecoder();
  let pending: SseEvent[] = [];
  let failure: ParseError | undefined;
  let ended = false;
  const parser = createParser({
    onEvent(event) {
      const decoded = toSseEvent(event.data, event.event, event.id);
      if (ended) decoded.unterminated = true;
      pending.push(decoded);
    },
    onError(error) {
      if (error.type === 'max-buffer-size-exceeded') failure = error;
    },
    onRetry: options.onRetry,
    onComment: options.onComment,
    maxBufferSize: options.maxBufferSize ?? DEFAULT_SSE_DECODER_OPTIONS.maxBufferSize,
  });
  for await (const bytes of iterateBytes(body)) {
    const text = decoder.decode(bytes, { stream: true });
    if (text === '') continue;
    parser.feed(text);
    if (failure !== undefined) throw tooLargeError(failure);
    if (pending.length === 0) continue;
    const ready = pending;
    pending = [];
    yield* ready;
  }
  const rest = decoder.decode();
  if (rest !== '') parser.feed(rest);
  ended = true;
  // Two line ends complete whatever line and event the body ended in (a lone CR waits for an LF).
  parser.feed('\n\n');
  if (failure !== undefined) throw tooLargeError(failure);
  yield* pending;
}

/** Iterates the bytes of a body, whether it is an async iterable or a bare `ReadableStream`. */
export function iterateBytes(body: ByteStream): AsyncIterable<Uint8Array> {
  if (Symbol.asyncIterator in body) return body as AsyncIterable<Uint8Array>;
  return readAll(body as ReadableStream<Uint8Array>);
}

async function* readAll(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array, void, undefined> {
  const reader = stream.getReader();
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        return;
      }
      yield value;
    }
  } finally {
    // A consumer that stops early cancels the body, so the connection is released.
    if (!finished) await reader.cancel();
    reader.releaseLock();
  }
}

function toSseEvent(data: string, event: string | undefined, id: string | undefined): SseEvent {
  const result: SseEvent = { data };
  if (event !== undefined) result.event = event;
  if (id !== undefined) result.id = id;
  return result;
}

/** The error for a line or event over the buffer limit. */
export function tooLargeError(error: ParseError): MalformedResponseError {
  return new MalformedResponseError(
    `The event stream holds a line or event larger than the buffer limit: ${error.message}`,
    error.line ?? '',
    { cause: error },
  );
}
