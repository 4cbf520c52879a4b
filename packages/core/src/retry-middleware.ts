import { AbortError, isAbortError } from './errors.js';
import type { ResolvedRetryOptions, RetryOptions } from './retry-policy.js';
import type { SendMiddleware, SendRequest } from './send.js';
import { type RetryEvent, type Sleep, withRetries } from './with-retries.js';

/** Options of {@link createRetryMiddleware}. */
export interface RetryMiddlewareOptions {
  /** The client's retry settings (see `DEFAULT_RETRY_OPTIONS`). */
  retry?: RetryOptions | ResolvedRetryOptions;
  /** Per-call settings, read from each request (e.g. `RequestOptions.maxRetries`). */
  perCall?: (request: SendRequest) => RetryOptions | undefined;
  /** Wall clock in ms (retry-after dates, the overall deadline). Default `Date.now`. */
  now?: () => number;
  sleep?: Sleep;
  /** Returns [0, 1). Default `Math.random`. */
  random?: () => number;
  /** Observes every retry (a debug event). */
  onRetry?: (event: RetryEvent) => void;
}

/** The typed abort error for a signal (its reason when that is already one). */
export function abortErrorOf(signal: AbortSignal): AbortError {
  return isAbortError(signal.reason)
    ? (signal.reason as AbortError)
    : new AbortError('The request was aborted.', { cause: signal.reason });
}

/**
 * The client's one retry layer: re-sends an attempt that failed retryably (see `planRetry`), honouring
 * the server's wait, with `attempt`/`waitedMs` passed on so `meta` reports them; a failure carries
 * `attempts`. A stream send resolves at its first chunk, so a stream is only ever retried before any
 * chunk reached the caller. An abort during a wait ends the call at once with an `AbortError`.
 */
export function createRetryMiddleware(options: RetryMiddlewareOptions = {}): SendMiddleware {
  return (next) => (request) => {
    const perCall = options.perCall?.(request);
    return withRetries(
      ({ attempt, retryWaitMs }) =>
        attempt === 1 && retryWaitMs === 0 && request.attempt === 1
          ? next(request)
          : next({ ...request, attempt, waitedMs: retryWaitMs }),
      {
        retry: perCall === undefined ? options.retry : { ...options.retry, ...stripUndefined(perCall) },
        ...(request.signal === undefined ? {} : { signal: request.signal }),
        ...(options.now === undefined ? {} : { now: options.now }),
        ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
        ...(options.random === undefined ? {} : { random: options.random }),
        ...(options.onRetry === undefined ? {} : { onRetry: options.onRetry }),
        abortError: abortErrorOf,
      },
    ).then((outcome) => outcome.value);
  };
}

function stripUndefined(value: RetryOptions): RetryOptions {
  const result: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) if (entry !== undefined) result[key] = entry;
  return result as RetryOptions;
}
