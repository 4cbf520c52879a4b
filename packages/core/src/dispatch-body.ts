import type { Dispatcher } from 'undici';
import type { TransportBody } from './transport.js';

/** Queued bytes past which the body pauses the socket until the reader catches up (64 KiB). */
export const DISPATCH_BODY_HIGH_WATER_BYTES = 65_536;

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/** The `Error` a destroyed body aborts its request with (never seen by a caller: it stopped reading). */
class BodyDestroyedError extends Error {
  override name = 'BodyDestroyedError';
}

/**
 * A response body fed straight from undici's dispatch handler (`onResponseData`), without a Node
 * `Readable` in between: a read hands out everything received since the last one as one piece (as an
 * already-resolved promise when it is there), and a reader that falls more than
 * {@link DISPATCH_BODY_HIGH_WATER_BYTES} behind pauses the socket. Read once, either by iterating it or
 * with `text()`.
 */
export class DispatchBody implements TransportBody, AsyncIterableIterator<Uint8Array> {
  readonly #controller: Dispatcher.DispatchController;
  #queue: Buffer[] = [];
  #queuedBytes = 0;
  #ended = false;
  #error: Error | undefined;
  #destroyed = false;
  /** How the body is being read: not yet, by iterating it, or by `text()` (no backpressure then). */
  #mode: 'unread' | 'iterate' | 'text' = 'unread';
  #waiter: { resolve: (value: never) => void; reject: (error: unknown) => void } | undefined;
  /** A wake of the waiting reader is queued (see `push`). */
  #wakeScheduled = false;

  /** @internal Created by the undici transport when the answer's head arrives. */
  constructor(controller: Dispatcher.DispatchController) {
    this.#controller = controller;
  }

  /** @internal The handler's `onResponseData`. */
  push(chunk: Buffer): void {
    if (this.#destroyed) return;
    this.#queue.push(chunk);
    this.#queuedBytes += chunk.length;
    if (this.#waiter !== undefined && this.#mode === 'iterate') {
      // undici hands over a socket read in several pieces (one per chunked-encoding chunk, often one per
      // SSE event), synchronously: wake the reader once they are all queued, with all of them as one read.
      if (!this.#wakeScheduled) {
        this.#wakeScheduled = true;
        queueMicrotask(this.#wake);
      }
      return;
    }
    if (this.#mode !== 'text' && this.#queuedBytes >= DISPATCH_BODY_HIGH_WATER_BYTES)
      this.#controller.pause();
  }

  /** @internal The handler's `onResponseEnd`. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    const waiter = this.#waiter;
    if (waiter === undefined) return;
    if (this.#mode === 'text') {
      this.#waiter = undefined;
      (waiter.resolve as (value: string) => void)(this.#joined());
    } else if (!this.#wakeScheduled) {
      this.#waiter = undefined;
      (waiter.resolve as (value: IteratorResult<Uint8Array>) => void)(DONE);
    }
  }

  /** @internal The handler's `onResponseError` after the head arrived. */
  fail(error: Error): void {
    if (this.#ended || this.#destroyed) return;
    this.#ended = true;
    this.#error = error;
    // Bytes queued for a waiting reader are handed out first; the failure comes with the next read.
    if (this.#wakeScheduled) return;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.reject(error);
  }

  /** Wakes a waiting reader with everything queued since it started waiting. */
  readonly #wake = (): void => {
    this.#wakeScheduled = false;
    const waiter = this.#waiter;
    if (waiter === undefined) return;
    this.#waiter = undefined;
    const resolve = waiter.resolve as (value: IteratorResult<Uint8Array>) => void;
    if (this.#queue.length > 0) resolve(this.#takeQueued());
    else if (this.#error !== undefined) waiter.reject(this.#error);
    else resolve(DONE);
  };

  [Symbol.asyncIterator](): this {
    if (this.#mode === 'text') throw new TypeError('The response body is being read as text.');
    this.#mode = 'iterate';
    return this;
  }

  /** The bytes received since the last read, as one piece. */
  next(): Promise<IteratorResult<Uint8Array>> {
    if (this.#queue.length > 0) return Promise.resolve(this.#takeQueued());
    if (this.#error !== undefined) return Promise.reject(this.#error);
    if (this.#ended || this.#destroyed) return Promise.resolve(DONE);
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve: resolve as (value: never) => void, reject };
    });
  }

  /** Everything queued as one read (joined when there are several pieces); resumes a paused socket. */
  #takeQueued(): IteratorResult<Uint8Array> {
    const queue = this.#queue;
    const value = queue.length === 1 ? (queue[0] as Buffer) : Buffer.concat(queue, this.#queuedBytes);
    this.#queue = [];
    this.#queuedBytes = 0;
    // Last: resuming may feed more bytes into this body synchronously.
    if (this.#controller.paused) this.#controller.resume();
    return { done: false, value };
  }

  /** Leaving a `for await` early destroys the body (the connection is not reused). */
  return(): Promise<IteratorResult<Uint8Array>> {
    this.destroy();
    return Promise.resolve(DONE);
  }

  text(): Promise<string> {
    if (this.#mode !== 'unread')
      return Promise.reject(new TypeError('The response body has already been read.'));
    this.#mode = 'text';
    if (this.#controller.paused) this.#controller.resume();
    if (this.#error !== undefined) return Promise.reject(this.#error);
    if (this.#ended) return Promise.resolve(this.#joined());
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve: resolve as (value: never) => void, reject };
    });
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#queue = [];
    this.#queuedBytes = 0;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    if (!this.#ended) {
      this.#ended = true;
      this.#controller.abort(new BodyDestroyedError('The response body was destroyed before its end.'));
    }
    if (waiter !== undefined) {
      if (this.#mode === 'text') waiter.reject(new BodyDestroyedError('The response body was destroyed.'));
      else (waiter.resolve as (value: IteratorResult<Uint8Array>) => void)(DONE);
    }
  }

  /** The collected bytes as UTF-8 text: a leading BOM dropped, invalid bytes as U+FFFD. */
  #joined(): string {
    const queue = this.#queue;
    this.#queue = [];
    this.#queuedBytes = 0;
    const bytes = queue.length === 1 ? (queue[0] as Buffer) : Buffer.concat(queue);
    const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
    return bytes.toString('utf8', start);
  }
}
