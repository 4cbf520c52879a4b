import {
  type ChatCompletionChunk,
  type ChatCompletionStream,
  type ChunkAccumulator,
  decodeChatCompletionStream,
} from '@chatloop/protocol';
import type { Attempt } from './attempt.js';
import { StreamInterruptedError } from './errors.js';
import type { StreamChunks } from './send.js';
import type { TransportBody } from './transport.js';

const DONE: IteratorReturnResult<void> = Object.freeze({ done: true, value: undefined });

/**
 * The decoded chunks of one attempt's body. Maps failures to typed errors, and on every end (done,
 * failure, `return()`) releases the attempt: a complete body is drained so its socket is reused, any
 * other is destroyed. One `then` per chunk, no async-generator layers, on this hot path.
 */
export class ChunkIterator implements StreamChunks {
  readonly #body: TransportBody;
  readonly #reader: BodyReader;
  readonly #decoder: ChatCompletionStream;
  readonly #attempt: Attempt;
  readonly #accumulator: ChunkAccumulator;
  #first: IteratorResult<ChatCompletionChunk, void> | undefined;
  #closed = false;

  constructor(body: TransportBody, attempt: Attempt, accumulator: ChunkAccumulator) {
    this.#body = body;
    this.#reader = new BodyReader(body, attempt);
    this.#decoder = decodeChatCompletionStream(this.#reader, { accumulator });
    this.#attempt = attempt;
    this.#accumulator = accumulator;
  }

  /** Reads the first result ahead, so the send can settle on it. */
  async peek(): Promise<void> {
    this.#first = await this.next();
  }

  next(): Promise<IteratorResult<ChatCompletionChunk, void>> {
    const first = this.#first;
    if (first !== undefined) {
      this.#first = undefined;
      return Promise.resolve(first);
    }
    if (this.#closed) return Promise.resolve(DONE);
    return this.#decoder.next().then(this.#onStep, this.#onError);
  }

  /** The next chunk if it is already received (see `ChatCompletionStream.nextBuffered`). */
  nextBuffered(): IteratorYieldResult<ChatCompletionChunk> | undefined {
    const first = this.#first;
    if (first !== undefined) {
      if (first.done === true) return undefined;
      this.#first = undefined;
      return first;
    }
    if (this.#closed) return undefined;
    return this.#decoder.nextBuffered();
  }

  /**
   * Reads every remaining chunk without handing them out (they still reach the accumulator): the
   * `final()`-only path, one await per read of the body. Rejects like `next()`.
   */
  async drain(): Promise<void> {
    this.#first = undefined;
    if (this.#closed) return;
    try {
      await this.#decoder.drain();
    } catch (error) {
      this.#onError(error);
    }
    await this.#finish();
  }

  return(): Promise<IteratorResult<ChatCompletionChunk, void>> {
    this.#first = undefined;
    if (!this.#closed) {
      this.#closed = true;
      this.#attempt.release();
      this.#body.destroy();
      this.#decoder.return(undefined).catch(() => undefined);
    }
    return Promise.resolve(DONE);
  }

  readonly #onStep = (
    step: IteratorResult<ChatCompletionChunk, void>,
  ): IteratorResult<ChatCompletionChunk, void> | Promise<IteratorResult<ChatCompletionChunk, void>> => {
    if (step.done !== true) return step;
    return this.#finish();
  };

  readonly #onError = (error: unknown): never => {
    if (!this.#closed) {
      this.#closed = true;
      this.#attempt.release();
      this.#body.destroy();
    }
    const failure = this.#attempt.failure(error);
    const accumulator = this.#accumulator;
    if (failure.code === 'api_connection' && accumulator.chunkCount > 0) {
      const content = accumulator.snapshot().choices[0]?.message.content;
      throw new StreamInterruptedError(
        `The stream broke after ${accumulator.chunkCount} chunk(s): ${failure.message}`,
        {
          partialText: typeof content === 'string' ? content : '',
          cause: failure,
        },
      );
    }
    throw failure;
  };

  async #finish(): Promise<IteratorResult<ChatCompletionChunk, void>> {
    if (this.#closed) return DONE;
    this.#closed = true;
    // The decoder stops at `[DONE]`; read what little may follow so the socket is reused, not closed.
    const drained = await this.#reader.drain();
    this.#attempt.release();
    if (!drained) this.#body.destroy();
    return DONE;
  }
}

/** Most bytes read after `[DONE]` to keep a connection; past it the connection is closed instead. */
const MAX_DRAIN_BYTES = 65_536;

/**
 * The body's bytes for the decoder, re-arming the idle deadline on every read. Leaving a `for await`
 * over it does not close the body: its owner either drains it (normal end) or destroys it.
 */
class BodyReader implements AsyncIterableIterator<Uint8Array> {
  readonly #iterator: AsyncIterator<Uint8Array>;
  readonly #attempt: Attempt;

  constructor(body: TransportBody, attempt: Attempt) {
    this.#iterator = body[Symbol.asyncIterator]();
    this.#attempt = attempt;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /**
   * The idle deadline starts again when a read is asked for (the last one was just consumed): no `then`
   * per read on this hot path.
   */
  next(): Promise<IteratorResult<Uint8Array>> {
    this.#attempt.touch();
    return this.#iterator.next();
  }

  return(): Promise<IteratorResult<Uint8Array>> {
    return Promise.resolve({ done: true, value: undefined });
  }

  /**
   * Reads to the end; true when the body ended cleanly within {@link MAX_DRAIN_BYTES}. A failure here
   * comes after a complete stream, so it only means the connection is not reused.
   */
  async drain(): Promise<boolean> {
    let bytes = 0;
    try {
      for (;;) {
        const step = await this.#iterator.next();
        if (step.done === true) return true;
        bytes += step.value.byteLength;
        if (bytes > MAX_DRAIN_BYTES) return false;
      }
    } catch {
      return false;
    }
  }
}
