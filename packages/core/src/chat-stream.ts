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

  async *#iterate(): AsyncGenerator<ChatCompletionChunk, void, undefined> {
    const signal = this.#begin();
    let result: StreamSendResult;
    try {
      result = await this.#source.start(signal);
    } catch (error) {
      this.#fail(error);
      throw error;
    }
    this.#result = result;
    const chunks = result.chunks;
    let ended = false;
    try {
      for (;;) {
        const step = await chunks.next();
        if (step.done === true) break;
        yield step.value;
      }
      ended = true;
    } catch (error) {
      ended = true;
      this.#fail(error);
      throw error;
    } finally {
      if (!ended) {
        // The consumer left the loop early: stop the request and release the socket.
        this.abort('the consumer stopped reading');
        await chunks.return?.();
        this.#fail(new AbortError('The stream was closed before its end (the consumer stopped reading).'));
      }
    }
    this.#succeed(result);
  }

  async *#text(): AsyncGenerator<string, void, undefined> {
    for await (const chunk of this) {
      const content = chunk.choices[0]?.delta.content;
      if (typeof content === 'string' && content !== '') yield content;
    }
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
      const chunks: AsyncIterator<ChatCompletionChunk, void, undefined> & { drain?: () => Promise<void> } =
        result.chunks;
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
