import { ChatloopError } from '@chatloop/protocol';
import { AbortError, APIConnectionError, TimeoutError } from './errors.js';
import { redactSecrets } from './redact.js';
import type { TransportSignal } from './transport.js';

/** Longest `setTimeout` delay; longer deadlines mean none. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * The timers, abort source and failure mapping of one attempt. It is itself the transport's abort
 * signal (an EventEmitter-like `abort` source, which undici takes) and the caller signal's listener
 * (`handleEvent`): no `AbortController`, closure or `EventTarget` listener per request on this hot path.
 */
export class Attempt implements TransportSignal {
  aborted = false;
  reason: ChatloopError | undefined;
  readonly #signal: AbortSignal | undefined;
  readonly #secrets: readonly string[];
  #listeners: Array<() => void> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  #idleTimeoutMs = 0;
  /** `performance.now()` at the last read: a read costs a clock read, not a timer re-arm. */
  #lastReadAt = 0;
  #released = false;

  constructor(signal: AbortSignal | undefined, timeoutMs: number, secrets: readonly string[]) {
    this.#signal = signal;
    this.#secrets = secrets;
    if (timeoutMs > 0 && timeoutMs <= MAX_TIMER_MS) {
      this.#timer = setTimeout(onTotalTimeout, timeoutMs, this, timeoutMs);
    }
    signal?.addEventListener('abort', this);
  }

  on(_event: 'abort', listener: () => void): this {
    if (this.#listeners === undefined) this.#listeners = [listener];
    else this.#listeners.push(listener);
    return this;
  }

  once(event: 'abort', listener: () => void): this {
    return this.on(event, listener);
  }

  removeListener(_event: 'abort', listener: () => void): this {
    const listeners = this.#listeners;
    const at = listeners === undefined ? -1 : listeners.indexOf(listener);
    if (at !== -1) listeners!.splice(at, 1);
    return this;
  }

  /** Called by the caller's signal. */
  handleEvent(): void {
    if (this.#signal !== undefined) this.abort(abortError(this.#signal));
  }

  abort(reason: ChatloopError): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listeners = this.#listeners;
    this.#listeners = undefined;
    if (listeners !== undefined) for (const listener of listeners) listener();
  }

  /**
   * Arms the idle deadline (streams): it passes once `idleTimeoutMs` go by without a read
   * ({@link touch}). One timer per attempt; when it fires after a read, it re-arms for what is left.
   */
  watchIdle(idleTimeoutMs: number): void {
    if (idleTimeoutMs > 0 && idleTimeoutMs <= MAX_TIMER_MS && !this.#released) {
      this.#idleTimeoutMs = idleTimeoutMs;
      this.#lastReadAt = performance.now();
      this.#idleTimer = setTimeout(onIdleTimer, idleTimeoutMs, this);
    }
  }

  /** A read arrived: the idle deadline starts again. */
  touch(): void {
    this.#lastReadAt = performance.now();
  }

  /** The idle timer fired: times out, or waits for the rest of the deadline since the last read. */
  checkIdle(): void {
    if (this.#released) return;
    const leftMs = this.#idleTimeoutMs - (performance.now() - this.#lastReadAt);
    if (leftMs > 0) {
      this.#idleTimer = setTimeout(onIdleTimer, Math.ceil(leftMs), this);
      return;
    }
    this.abort(
      new TimeoutError(`The stream sent nothing for ${this.#idleTimeoutMs} ms (idle timeout).`, {
        kind: 'idle',
        timeoutMs: this.#idleTimeoutMs,
      }),
    );
  }

  /** Clears the timers, the caller-signal listener and the transport's listeners. Idempotent. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (this.#idleTimer !== undefined) clearTimeout(this.#idleTimer);
    this.#signal?.removeEventListener('abort', this);
    this.#listeners = undefined;
  }

  /** The typed error for whatever the transport or decoder threw. */
  failure(error: unknown): ChatloopError {
    if (this.reason !== undefined) return this.reason;
    if (ChatloopError.is(error)) return error;
    const detail = error instanceof Error ? error.message : String(error);
    return new APIConnectionError(`Connection error: ${redactSecrets(detail, this.#secrets)}`, {
      cause: error,
    });
  }
}

function onTotalTimeout(attempt: Attempt, timeoutMs: number): void {
  attempt.abort(
    new TimeoutError(`The request took longer than its ${timeoutMs} ms timeout.`, {
      kind: 'total',
      timeoutMs,
    }),
  );
}

function onIdleTimer(attempt: Attempt): void {
  attempt.checkIdle();
}

/** The abort error for a caller signal that aborted (its reason as the cause). */
export function abortError(signal: AbortSignal): AbortError {
  return new AbortError('The request was aborted.', { cause: signal.reason });
}
