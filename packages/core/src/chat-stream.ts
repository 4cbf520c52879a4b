import { type ChatCompletion, type ChatCompletionChunk, ChatloopError, type Usage } from '@chatloop/protocol';
import { AbortError } from './errors.js';
import { type ChatResponse, type ResponseMeta, withMeta } from './response-meta.js';
import type { StreamSendResult } from './send.js';

/** How a {@link ChatStream} starts its request and reports its end. Built by the client. */
export interface ChatStreamSource {
  /** Sends the request (through every middleware); resolves once the first chunk arrived. */
  start(signal: AbortSignal): Promise<StreamSendResult>;
  /** Called once when the stream ends: with its usage on success, or with the usage seen on failure. */
  settle(usage: Usage | null | undefined, completed: boolean): void;
}

type Outcome = { ok: true; value: ChatResponse } | { ok: false; error: unknown };

/**
 * A streamed chat completion. Iterate it (`for await`) for the raw chunks, or iterate `textStream` for
 * the content text, or just await `final()` for the assembled completion (`ChatResponse`, the same
 * object `chat` would give, with `meta`). The request starts on first use, and can be consumed once:
 * `final()` may be awaited while or after iterating; called before any iteration, it reads the stream
 * itself. Leaving a `for await` loop early, or
 * calling `abort()`, stops the request and releases its socket at once.
 */
export class ChatStream implements AsyncIterable<ChatCompletionChunk> {
  readonly #source: ChatStreamSource;
  readonly #controller = new AbortController();
  readonly #signal: AbortSignal | undefined;
  #consumed = false;
  #result: StreamSendResult | undefined;
  #outcome: Outcome | undefined;
  #waiters: Array<{ resolve: (value: ChatResponse) => void; reject: (error: unknown) => void }> = [];

  /** @internal Created by `ChatClient.stream`. */
  constructor(source: ChatStreamSource, signal: AbortSignal | undefined) {
    this.#source = source;
    this.#signal = signal;
  }

  /** The exchange's metadata, once the first chunk has arrived; `undefined` before. */
  get meta(): ResponseMeta | undefined {
    return this.#result?.meta;
  }

  /**
   * The chunks as they arrive. A stream can be read once.
   * @throws ChatloopError (`stream_consumed`) when it is already being read.
   */
  [Symbol.asyncIterator](): AsyncIterator<ChatCompletionChunk> {
    return this.#iterate();
  }

  /**
   * The content text of choice 0 as it arrives (empty deltas skipped). Consumes the stream, as
   * iterating it does.
   */
  get textStream(): AsyncIterable<string> {
    return { [Symbol.asyncIterator]: () => this.#text() };
  }

  /**
   * The assembled completion with its `meta`, once the stream has ended. Consumes the stream if nobody
   * iterates it.
   * @throws the stream's typed error (`AbortError`, `TimeoutError`, `StreamInterruptedError`,
   *   `IncompleteStreamError`, `APIError` subclasses, ...).
   */
  final(): Promise<ChatResponse> {
    if (!this.#consumed) void this.#drain();
    const outcome = this.#outcome;
    if (outcome !== undefined)
      return outcome.ok ? Promise.resolve(outcome.value) : Promise.reject(outcome.error);
    return new Promise((resolve, reject) => {
      this.#waiters.push({ resolve, reject });
    });
  }

  /** Stops the request at once; the stream then fails with an `AbortError` (whose cause is `reason`). */
  abort(reason?: unknown): void {
    if (!this.#controller.signal.aborted) {
      this.#controller.abort(new AbortError('The stream was aborted.', { cause: reason }));
    }
  }

  #begin(): AbortSignal {
    if (this.#consumed) {
      throw new ChatloopError(
        'stream_consumed',
        'This ChatStream is already being consumed (iterated, or read by final()); a stream can be read once.',
      );
    }
    this.#consumed = true;
    const own = this.#controller.signal;
    const caller = this.#signal;
    if (caller === undefined) return own;
    if (caller.aborted) this.abort(caller.reason);
    else caller.addEventListener('abort', this, { once: true });
    return own;
  }

  /** Called by the caller's signal. */
  handleEvent(): void {
    this.abort(this.#signal?.reason);
  }

  #iterate(): ChunkReader<ChatCompletionChunk> {
    return this.#reader(undefined);
  }

  #text(): ChunkReader<string> {
    return this.#reader(textOf);
  }

  #reader<T>(map: ((chunk: ChatCompletionChunk) => T | undefined) | undefined): ChunkReader<T> {
    return new ChunkReader<T>(map, {
      begin: () => this.#begin(),
      start: async (signal) => {
        try {
          const result = await this.#source.start(signal);
          this.#result = result;
          return result;
        } catch (error) {
          this.#fail(error);
          throw error;
        }
      },
      succeed: (result) => this.#succeed(result),
      fail: (error) => this.#fail(error),
      abort: (reason) => this.abort(reason),
    });
  }

  /** Reads the whole stream without handing out chunks (the `final()`-only path). */
  async #drain(): Promise<void> {
    let signal: AbortSignal;
    try {
      signal = this.#begin();
    } catch (error) {
      this.#fail(error);
      return;
    }
    let result: StreamSendResult;
    try {
      result = await this.#source.start(signal);
      this.#result = result;
      const chunks = result.chunks;
      if (typeof chunks.drain === 'function') {
        // The client's own iterator reads to the end without handing chunks out: fewer hops per chunk.
        await chunks.drain();
      } else {
        for (;;) {
          const step = await chunks.next();
          if (step.done === true) break;
        }
      }
    } catch (error) {
      this.#fail(error);
      return;
    }
    this.#succeed(result);
  }

  #succeed(result: StreamSendResult): void {
    if (this.#outcome !== undefined) return;
    const completion: ChatCompletion = result.accumulator.toCompletion();
    const value = withMeta(completion, result.meta);
    this.#source.settle(completion.usage, true);
    this.#settle({ ok: true, value });
  }

  #fail(error: unknown): void {
    if (this.#outcome !== undefined) return;
    const seen = this.#result?.accumulator.snapshot().usage;
    this.#source.settle(seen, false);
    this.#settle({ ok: false, error });
  }

  #settle(outcome: Outcome): void {
    this.#outcome = outcome;
    this.#signal?.removeEventListener('abort', this);
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) {
      if (outcome.ok) waiter.resolve(outcome.value);
      else waiter.reject(outcome.error);
    }
  }
}

/** What a {@link ChunkReader} needs of its stream. */
interface ReaderHost {
  /** Claims the stream; throws `stream_consumed` when another reader has it. */
  begin(): AbortSignal;
  /** Starts the request; on failure the stream has failed and the error is rethrown. */
  start(signal: AbortSignal): Promise<StreamSendResult>;
  succeed(result: StreamSendResult): void;
  fail(error: unknown): void;
  abort(reason: unknown): void;
}

const DONE: IteratorReturnResult<void> = Object.freeze({ done: true, value: undefined });

/** The content text of choice 0, or `undefined` for a chunk without any (skipped by `textStream`). */
function textOf(chunk: ChatCompletionChunk): string | undefined {
  const content = chunk.choices[0]?.delta.content;
  return typeof content === 'string' && content !== '' ? content : undefined;
}

/**
 * A stream read as an async iterator of chunks (no `map`) or of what `map` makes of them (skipping
 * chunks it maps to `undefined`), written by hand: one `then` per chunk over the client's chunk
 * iterator, and none for a chunk already received (`nextBuffered`), where async generators would spend
 * several promises per `yield` (which costs more still in a process with async hooks). The request
 * starts on the first `next()`. Leaving early (`return()`) stops the request.
 */
class ChunkReader<T> implements AsyncIterator<T, void, undefined> {
  readonly #map: ((chunk: ChatCompletionChunk) => T | undefined) | undefined;
  readonly #host: ReaderHost;
  #started: Promise<StreamSendResult> | undefined;
  #result: StreamSendResult | undefined;
  /** The stream ended (done, failed, or left early): `next()` answers done. */
  #ended = false;

  constructor(map: ((chunk: ChatCompletionChunk) => T | undefined) | undefined, host: ReaderHost) {
    this.#map = map;
    this.#host = host;
  }

  next(): Promise<IteratorResult<T, void>> {
    if (this.#ended) return Promise.resolve(DONE);
    const result = this.#result;
    if (result === undefined) {
      this.#started ??= this.#start();
      return this.#started.then(() => this.next());
    }
    const buffered = this.nextBuffered();
    if (buffered !== undefined) return Promise.resolve(buffered);
    return result.chunks.next().then(this.#onStep, this.#onError);
  }

  /** The next value if its chunk is already received, without a promise; `undefined` when `next()` must wait. */
  nextBuffered(): IteratorYieldResult<T> | undefined {
    if (this.#ended) return undefined;
    const chunks = this.#result?.chunks;
    if (chunks?.nextBuffered === undefined) return undefined;
    for (let step = chunks.nextBuffered(); step !== undefined; step = chunks.nextBuffered()) {
      const value = this.#mapped(step);
      if (value !== undefined) return value;
    }
    return undefined;
  }

  async return(): Promise<IteratorResult<T, void>> {
    if (this.#ended) return DONE;
    this.#ended = true;
    const started = this.#started;
    // Never started: the stream was not claimed, nothing to stop.
    if (started === undefined) return DONE;
    const result = await started.catch(() => undefined);
    if (result === undefined) return DONE;
    // The consumer left the loop early: stop the request and release the socket.
    this.#host.abort('the consumer stopped reading');
    await result.chunks.return?.();
    this.#host.fail(new AbortError('The stream was closed before its end (the consumer stopped reading).'));
    return DONE;
  }

  async #start(): Promise<StreamSendResult> {
    let signal: AbortSignal;
    try {
      signal = this.#host.begin();
    } catch (error) {
      // Another reader has the stream: this one ends, the stream goes on for the other.
      this.#ended = true;
      throw error;
    }
    try {
      const result = await this.#host.start(signal);
      this.#result = result;
      return result;
    } catch (error) {
      this.#ended = true;
      throw error;
    }
  }

  /** The chunk as this reader hands it out, or `undefined` to skip it. */
  #mapped(step: IteratorYieldResult<ChatCompletionChunk>): IteratorYieldResult<T> | undefined {
    const map = this.#map;
    if (map === undefined) return step as unknown as IteratorYieldResult<T>;
    const value = map(step.value);
    return value === undefined ? undefined : { done: false, value };
  }

  readonly #onStep = (
    step: IteratorResult<ChatCompletionChunk, void>,
  ): IteratorResult<T, void> | Promise<IteratorResult<T, void>> => {
    if (step.done === true) {
      if (!this.#ended) {
        this.#ended = true;
        this.#host.succeed(this.#result as StreamSendResult);
      }
      return DONE;
    }
    // A chunk this reader skips (e.g. the role or usage chunk of a text stream): read on.
    return this.#mapped(step) ?? this.next();
  };

  readonly #onError = (error: unknown): never => {
    this.#ended = true;
    this.#host.fail(error);
    throw error;
  };
}
