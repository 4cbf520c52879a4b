import {
  createParser,
  type EventSourceMessage,
  type EventSourceParser,
  type ParseError,
} from 'eventsource-parser';
import type { ChatCompletionChunk } from './chunk.js';
import { ChunkAccumulator } from './chunk-accumulator.js';
import { mayHoldPrototypeKey, safeJsonParse } from './safe-json-parse.js';
import {
  type ByteStream,
  DEFAULT_SSE_DECODER_OPTIONS,
  iterateBytes,
  type SseDecoderOptions,
  tooLargeError,
} from './sse-decoder.js';
import { IncompleteStreamError, MalformedResponseError, StreamEventError } from './stream-errors.js';
import { Utf8ChunkDecoder } from './utf8-chunk-decoder.js';

/** Options of {@link decodeChatCompletionStream}. */
export interface ChatCompletionStreamOptions extends SseDecoderOptions {
  /**
   * The accumulator every chunk is added to before it is yielded; its state is the `partial` of an
   * {@link IncompleteStreamError}. Pass your own to read the assembled completion afterwards without
   * assembling twice. Default: a private one.
   */
  accumulator?: ChunkAccumulator;
}

/**
 * The chunks of a streamed ChatCompletions body ({@link decodeChatCompletionStream}): an async
 * generator, plus {@link ChatCompletionStream.drain} to read it to the end without handing chunks out.
 */
export interface ChatCompletionStream extends AsyncGenerator<ChatCompletionChunk, void, undefined> {
  /**
   * Reads every remaining chunk into the accumulator without handing them out: chunks already received
   * are taken synchronously, one await per read of the body rather than one per chunk. Resolves at the
   * end of the stream; rejects as `next()` would.
   */
  drain(): Promise<void>;
  /**
   * The next chunk if it has already been received and parsed, taken without a promise (it is added
   * to the accumulator, as `next()` would). `undefined` when `next()` must be called instead: nothing
   * buffered, a read in progress, the end of the stream, or an error, which `next()` then reports.
   */
  nextBuffered(): IteratorYieldResult<ChatCompletionChunk> | undefined;
}

/** The `data` of the event that ends an OpenAI-style stream. */
export const DONE_DATA = '[DONE]';

/**
 * Decodes a streamed ChatCompletions body into its chunks, with the SSE framing rules of
 * {@link decodeSseEvents}. Stops at `data: [DONE]`. A stream is only complete with `[DONE]` or once
 * every choice has a `finish_reason`; one that just ends is an error, never a short success. Each
 * chunk is added to the accumulator before it is yielded.
 *
 * The result is a hand-written async generator: events are parsed synchronously as bytes arrive, and
 * a chunk already received is handed out as an already-resolved promise, without the several
 * microtask turns a language-level async generator spends per `yield`. Stopping early (`return()`,
 * `break`) releases the body.
 *
 * @throws StreamEventError for an `event: error` frame or a `{ "error": { ... } }` payload.
 * @throws IncompleteStreamError when the body ends without `[DONE]` and before every choice finished;
 *   it carries the partial completion.
 * @throws MalformedResponseError for a payload that is not JSON, or not a chunk object, or a line
 *   longer than `maxBufferSize`.
 */
export function decodeChatCompletionStream(
  body: ByteStream,
  options: ChatCompletionStreamOptions = {},
): ChatCompletionStream {
  return new ChunkStream(body, options);
}

const DONE_RESULT: IteratorReturnResult<void> = Object.freeze({ done: true, value: undefined });

class ChunkStream implements ChatCompletionStream {
  readonly #accumulator: ChunkAccumulator;
  readonly #body: ByteStream;
  readonly #decoder = new Utf8ChunkDecoder();
  readonly #parser: EventSourceParser;
  #source: AsyncIterator<Uint8Array> | undefined;
  /**
   * Events parsed and not handed out yet, from `#head` on: a string is the `data` of an event read by
   * the fast path from text already checked free of prototype keys (parsed with plain `JSON.parse`),
   * an object one parsed by eventsource-parser or any other (parsed with {@link safeJsonParse}).
   */
  #events: Array<EventSourceMessage | string> = [];
  /**
   * Text held by the fast path: the start of an event not complete yet. The fast path reads the
   * common framing (`data: <payload>` lines each followed by a blank line, LF line ends) straight off
   * the text; at the first thing it does not read (CR, comments, other fields, multi-line data, an
   * over-long event) it hands its text to eventsource-parser, which reads the rest of the stream.
   */
  #text = '';
  #fast = true;
  readonly #maxBufferSize: number;
  #head = 0;
  #failure: ParseError | undefined;
  /** The body has ended: the events left are the last ones. */
  #ended = false;
  /** The stream is over ([DONE], end of body, failed or stopped); `next()` answers done. */
  #closed = false;
  /** A `next()` is waiting for bytes (`#pending`); later calls queue behind it. */
  #pulling = false;
  #pending: Promise<IteratorResult<ChatCompletionChunk, void>> | undefined;

  constructor(body: ByteStream, options: ChatCompletionStreamOptions) {
    this.#body = body;
    this.#accumulator = options.accumulator ?? new ChunkAccumulator();
    this.#maxBufferSize = options.maxBufferSize ?? DEFAULT_SSE_DECODER_OPTIONS.maxBufferSize;
    this.#parser = createParser({
      onEvent: (event) => {
        this.#events.push(event);
      },
      onError: (error) => {
        if (error.type === 'max-buffer-size-exceeded') this.#failure = error;
      },
      onRetry: options.onRetry,
      onComment: options.onComment,
      maxBufferSize: this.#maxBufferSize,
    });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<ChatCompletionChunk, void>> {
    if (this.#pulling && this.#pending !== undefined) {
      return this.#pending.then(
        () => this.next(),
        () => this.next(),
      );
    }
    let result: IteratorResult<ChatCompletionChunk, void> | undefined;
    try {
      result = this.#takeBuffered();
    } catch (error) {
      return this.#fail(error);
    }
    if (result === DONE_RESULT) return this.#release().then(() => DONE_RESULT);
    if (result !== undefined) return Promise.resolve(result);
    this.#pulling = true;
    this.#pending = this.#pull();
    return this.#pending;
  }

  async drain(): Promise<void> {
    for (;;) {
      let result: IteratorResult<ChatCompletionChunk, void> | undefined;
      try {
        result = this.#takeAll();
      } catch (error) {
        await this.#fail(error);
      }
      if (result === DONE_RESULT) {
        await this.#release();
        return;
      }
      // Nothing buffered: read on (the chunk `next()` answers with is already in the accumulator).
      const step = await this.next();
      if (step.done === true) return;
    }
  }

  nextBuffered(): IteratorYieldResult<ChatCompletionChunk> | undefined {
    if (this.#pulling || this.#closed) return undefined;
    const events = this.#events;
    while (this.#head < events.length) {
      const event = events[this.#head] as EventSourceMessage | string;
      let chunk: ChatCompletionChunk | null | undefined;
      try {
        chunk =
          typeof event === 'string'
            ? toChunk(event, undefined, this.#ended, true)
            : toChunk(event.data, event.event, this.#ended, false);
      } catch {
        // Left in place: `next()` reads this event again and fails the stream with its error.
        return undefined;
      }
      // `[DONE]` is left for `next()`, which ends the stream and releases the body.
      if (chunk === null) return undefined;
      this.#head++;
      if (chunk === undefined) continue;
      this.#accumulator.add(chunk);
      return { done: false, value: chunk };
    }
    return undefined;
  }

  async return(): Promise<IteratorResult<ChatCompletionChunk, void>> {
    this.#closed = true;
    await this.#release();
    return DONE_RESULT;
  }

  async throw(error: unknown): Promise<IteratorResult<ChatCompletionChunk, void>> {
    return this.#fail(error);
  }

  /**
   * Hands out the next buffered chunk, `DONE_RESULT` when the stream is over, or `undefined` when
   * more bytes are needed. Throws as {@link ChunkStream.#nextChunk}.
   */
  #takeBuffered(): IteratorResult<ChatCompletionChunk, void> | undefined {
    const chunk = this.#nextChunk();
    if (chunk === undefined) return undefined;
    if (chunk === null) return DONE_RESULT;
    return { done: false, value: chunk };
  }

  /**
   * Adds every buffered chunk to the accumulator without handing them out (the `drain()` path: no
   * result object per chunk). `DONE_RESULT` when the stream is over, `undefined` when more bytes are
   * needed. Throws as {@link ChunkStream.#nextChunk}.
   */
  #takeAll(): IteratorResult<ChatCompletionChunk, void> | undefined {
    for (;;) {
      const chunk = this.#nextChunk();
      if (chunk === undefined) return undefined;
      if (chunk === null) return DONE_RESULT;
    }
  }

  /**
   * The next buffered chunk, already added to the accumulator; `null` when the stream is over,
   * `undefined` when more bytes are needed.
   *
   * @throws what {@link toChunk} throws, and IncompleteStreamError at an early end of the body.
   */
  #nextChunk(): ChatCompletionChunk | null | undefined {
    if (this.#closed) return null;
    const events = this.#events;
    while (this.#head < events.length) {
      const event = events[this.#head++] as EventSourceMessage | string;
      const chunk =
        typeof event === 'string'
          ? toChunk(event, undefined, this.#ended, true)
          : toChunk(event.data, event.event, this.#ended, false);
      if (chunk === undefined) continue;
      if (chunk === null) {
        this.#closed = true;
        return null;
      }
      this.#accumulator.add(chunk);
      return chunk;
    }
    this.#events = [];
    this.#head = 0;
    if (!this.#ended) return undefined;
    this.#closed = true;
    if (!this.#accumulator.finished) {
      throw new IncompleteStreamError(this.#accumulator.snapshot(), this.#accumulator.chunkCount);
    }
    return null;
  }

  /**
   * Reads until a chunk (or the end) is buffered. A `then` per read rather than an async function with
   * an `await`: fewer promises per chunk, which counts when a process runs with async hooks
   * (`AsyncLocalStorage`, tracing), where every promise costs more.
   */
  #pull(): Promise<IteratorResult<ChatCompletionChunk, void>> {
    let source: AsyncIterator<Uint8Array>;
    try {
      source = this.#source ??= iterateBytes(this.#body)[Symbol.asyncIterator]();
    } catch (error) {
      return this.#failPull(error);
    }
    return source.next().then(this.#onRead, this.#onReadError);
  }

  readonly #onRead = (
    read: IteratorResult<Uint8Array>,
  ): IteratorResult<ChatCompletionChunk, void> | Promise<IteratorResult<ChatCompletionChunk, void>> => {
    let result: IteratorResult<ChatCompletionChunk, void> | undefined;
    try {
      if (read.done === true) {
        this.#end();
      } else {
        const text = this.#decoder.decode(read.value);
        if (text !== '') this.#feed(text);
      }
      if (this.#failure !== undefined) throw tooLargeError(this.#failure);
      result = this.#takeBuffered();
    } catch (error) {
      return this.#failPull(error);
    }
    // No whole event yet: read on.
    if (result === undefined) return this.#pull();
    this.#pulling = false;
    if (result === DONE_RESULT)
      return this.#release().then(
        () => DONE_RESULT,
        (error) => this.#fail(error),
      );
    return result;
  };

  readonly #onReadError = (error: unknown): Promise<never> => this.#failPull(error);

  #failPull(error: unknown): Promise<never> {
    this.#pulling = false;
    return this.#fail(error);
  }

  /** Parses decoded text: on the fast path while its framing allows, else with eventsource-parser. */
  #feed(text: string): void {
    if (!this.#fast) {
      this.#parser.feed(text);
      return;
    }
    if (text.includes('\r')) {
      this.#slow(this.#text + text);
      return;
    }
    const buffer = this.#text === '' ? text : this.#text + text;
    const events = this.#events;
    const length = buffer.length;
    // One check of the whole text instead of one per event: every event read below lies inside it.
    const checked = !mayHoldPrototypeKey(buffer);
    let at = 0;
    while (at < length) {
      const lineEnd = buffer.indexOf('\n', at);
      if (lineEnd === -1 || lineEnd + 1 === length) break;
      // One `data: ` line closed by a blank line; anything else goes to eventsource-parser.
      if (buffer.charCodeAt(lineEnd + 1) !== 10 || !buffer.startsWith('data: ', at)) {
        this.#slow(buffer.slice(at));
        return;
      }
      const data = buffer.slice(at + 6, lineEnd);
      events.push(checked ? data : { data, event: undefined, id: undefined });
      at = lineEnd + 2;
    }
    const rest = at === 0 ? buffer : buffer.slice(at);
    if (rest.length > this.#maxBufferSize) {
      this.#slow(rest);
      return;
    }
    this.#text = rest;
  }

  /** Leaves the fast path: eventsource-parser reads `text` and everything after it. */
  #slow(text: string): void {
    this.#fast = false;
    this.#text = '';
    if (text !== '') this.#parser.feed(text);
  }

  /** The body has ended: flush the decoder and complete the last line and event. */
  #end(): void {
    this.#ended = true;
    const rest = this.#decoder.end();
    // The end of the body is read by eventsource-parser, which completes a cut-off last event.
    this.#slow(this.#fast ? this.#text + rest : rest);
    // Two line ends complete whatever line and event the body ended in (a lone CR waits for an LF).
    this.#parser.feed('\n\n');
  }

  async #fail(error: unknown): Promise<never> {
    this.#closed = true;
    // The stream's own error is what the caller needs; failing to release a broken body adds nothing.
    await this.#release().then(undefined, () => undefined);
    throw error;
  }

  /** Releases the body (cancels or destroys it) unless it has ended or was never opened. */
  async #release(): Promise<void> {
    const source = this.#source;
    if (this.#ended || source === undefined) return;
    this.#ended = true;
    await source.return?.();
  }
}

/**
 * Reads one event: the chunk, `null` for `[DONE]`, `undefined` for an event to skip (empty data, or
 * a cut-off last event, which the caller reports as an incomplete stream). `checked`: `data` is known
 * to hold no prototype key (see {@link mayHoldPrototypeKey}), so plain `JSON.parse` is safe.
 */
function toChunk(
  data: string,
  type: string | undefined,
  unterminated: boolean,
  checked: boolean,
): ChatCompletionChunk | null | undefined {
  if (data === DONE_DATA) return null;
  if (type === 'error') throw new StreamEventError(parseErrorPayload(data));
  if (data === '') return undefined;
  let parsed: unknown;
  try {
    parsed = checked ? JSON.parse(data) : safeJsonParse(data);
  } catch (cause) {
    if (unterminated) return undefined;
    throw new MalformedResponseError('A stream event holds invalid JSON.', data, { cause });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new MalformedResponseError('A stream event holds JSON that is not a chunk object.', data);
  }
  const chunk = parsed as ChatCompletionChunk;
  if (chunk.error != null && chunk.choices === undefined) throw new StreamEventError(chunk);
  return chunk;
}

function parseErrorPayload(data: string): unknown {
  try {
    return safeJsonParse(data);
  } catch {
    // An error frame whose data is plain text: the text is the message.
    return data;
  }
}
