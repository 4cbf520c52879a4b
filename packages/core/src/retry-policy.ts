import { ChatloopError } from '@chatloop/protocol';
import {
  type HeaderSource,
  parseRateLimitHeaders,
  parseRetryAfterMs,
  readHeader,
} from './rate-limit-headers.js';

/** How backoff delays are randomised: `full` picks in [0, delay], `equal` in [delay/2, delay], `none` not. */
export type JitterMode = 'full' | 'equal' | 'none';

/** Retry settings, per client and per call (a call's settings override its client's). */
export interface RetryOptions {
  /** Retries after the first attempt (so `maxRetries + 1` attempts at most). Default 2. */
  maxRetries?: number;
  /** Backoff before the first retry, in ms, doubled for each further retry. Default 500. */
  initialDelayMs?: number;
  /** Largest computed backoff, in ms. Default 8,000. */
  maxDelayMs?: number;
  /**
   * Largest wait a server may ask for (`retry-after`, `retry-after-ms`, `x-ratelimit-reset-*`), in ms.
   * Past it the call fails at once with the server's error rather than sleep for minutes. Default 60,000.
   */
  maxRetryAfterMs?: number;
  /** Backoff randomisation. Default `full`. */
  jitter?: JitterMode;
  /**
   * Overall deadline across all attempts and waits, in ms from the call's start; a retry whose wait
   * would cross it is not made. Default none (each attempt still has its own timeout).
   */
  deadlineMs?: number;
}

/** {@link RetryOptions} with every default filled in. */
export interface ResolvedRetryOptions {
  maxRetries: number;
  initialDelayMs: number;
  maxDelayMs: number;
  maxRetryAfterMs: number;
  jitter: JitterMode;
  deadlineMs: number | undefined;
}

/** The retry defaults: 2 retries, backoff 0.5 s doubling to 8 s with full jitter, server waits up to 60 s. */
export const DEFAULT_RETRY_OPTIONS: Readonly<ResolvedRetryOptions> = Object.freeze({
  maxRetries: 2,
  initialDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
  jitter: 'full',
  deadlineMs: undefined,
});

/** HTTP statuses that are safe to retry: timeout, conflict, rate limit, and every 5xx. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 409, 429]);

/** Error codes (of chatloop errors without a status) that mean the request may be sent again. */
export const RETRYABLE_ERROR_CODES: ReadonlySet<string> = new Set(['api_connection', 'timeout']);

/** Error codes never retried, whatever the status or headers say. */
export const NEVER_RETRIED_ERROR_CODES: ReadonlySet<string> = new Set([
  'insufficient_quota',
  'aborted',
  'stream_interrupted',
  'context_length_exceeded',
]);

/**
 * Merges retry settings, later layers winning, over {@link DEFAULT_RETRY_OPTIONS}.
 * @throws RangeError when a number is negative or not finite.
 */
export function resolveRetryOptions(...layers: Array<RetryOptions | undefined>): ResolvedRetryOptions {
  const resolved: ResolvedRetryOptions = { ...DEFAULT_RETRY_OPTIONS };
  for (const layer of layers) {
    if (layer === undefined) continue;
    for (const key of Object.keys(layer) as Array<keyof RetryOptions>) {
      const value = layer[key];
      if (value === undefined) continue;
      if (typeof value === 'number' && (!Number.isFinite(value) || value < 0)) {
        throw new RangeError(`retry option ${key} must be a finite number >= 0, got ${value}`);
      }
      (resolved as unknown as Record<string, unknown>)[key] = value;
    }
  }
  resolved.maxRetries = Math.floor(resolved.maxRetries);
  return resolved;
}

/**
 * The computed backoff before retry number `retry` (1 for the first retry), in ms:
 * `min(maxDelayMs, initialDelayMs * 2^(retry-1))`, jittered. `random` returns a number in [0, 1).
 */
export function backoffDelayMs(retry: number, options: ResolvedRetryOptions, random: () => number): number {
  const exponent = Math.max(0, retry - 1);
  const ceiling = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** Math.min(exponent, 30));
  switch (options.jitter) {
    case 'none':
      return Math.round(ceiling);
    case 'equal':
      return Math.round(ceiling / 2 + random() * (ceiling / 2));
    default:
      return Math.round(random() * ceiling);
  }
}

/** What a failure is, for the retry decision. */
export interface FailureClass {
  /** Whether sending the same request again may succeed. */
  retryable: boolean;
  /** Why, in a few words (for events and docs). */
  reason: string;
  /** The wait the server asked for, in ms, when it asked. */
  retryAfterMs?: number;
}

interface FailureFields {
  code: string | undefined;
  status: number | undefined;
  headers: HeaderSource | undefined;
  retryAfterMs: number | undefined;
  name: string | undefined;
}

function readFields(error: unknown): FailureFields {
  const record = typeof error === 'object' && error !== null ? (error as Record<string, unknown>) : {};
  const headers = record.headers;
  return {
    code: ChatloopError.is(error) ? error.code : undefined,
    status: typeof record.status === 'number' ? record.status : undefined,
    headers: typeof headers === 'object' && headers !== null ? (headers as HeaderSource) : undefined,
    retryAfterMs: typeof record.retryAfterMs === 'number' ? record.retryAfterMs : undefined,
    name: typeof record.name === 'string' ? record.name : undefined,
  };
}

/**
 * The wait a failed response asks for, in ms: `retry-after-ms`, `retry-after` (seconds or HTTP date), or
 * on a 429 without them the reset of the spent `x-ratelimit-*` budget (the longest when unclear).
 */
export function serverRetryAfterMs(
  headers: HeaderSource | undefined,
  status: number | undefined,
  nowMs: number,
): number | undefined {
  const retryAfter = parseRetryAfterMs(headers, nowMs);
  if (retryAfter !== undefined || status !== 429) return retryAfter;
  const info = parseRateLimitHeaders(headers, nowMs);
  const spent: number[] = [];
  if (info.remainingRequests === 0 && info.resetRequestsMs !== undefined) spent.push(info.resetRequestsMs);
  if (info.remainingTokens === 0 && info.resetTokensMs !== undefined) spent.push(info.resetTokensMs);
  if (spent.length > 0) return Math.max(...spent);
  const any = [info.resetRequestsMs, info.resetTokensMs].filter(
    (value): value is number => value !== undefined,
  );
  return any.length > 0 ? Math.max(...any) : undefined;
}

/**
 * Classifies a failure: connection errors, timeouts, 408, 409, 429 and 5xx are retryable;
 * 400, 401, 403, 404, 422 and anything unknown are not. `x-should-retry: true|false` overrides the
 * status. `insufficient_quota`, aborts, interrupted streams and context-length errors are never retried.
 */
export function classifyFailure(error: unknown, nowMs: number): FailureClass {
  const fields = readFields(error);
  if (
    fields.name === 'AbortError' ||
    (fields.code !== undefined && NEVER_RETRIED_ERROR_CODES.has(fields.code))
  ) {
    return { retryable: false, reason: fields.code ?? 'aborted' };
  }
  if (!ChatloopError.is(error)) return { retryable: false, reason: 'unknown error' };
  // Headers first, read against the injected clock (an HTTP date is relative to it); the error's own
  // figure only when the headers are gone.
  const retryAfterMs = serverRetryAfterMs(fields.headers, fields.status, nowMs) ?? fields.retryAfterMs;
  const withWait = (retryable: boolean, reason: string): FailureClass =>
    retryAfterMs === undefined ? { retryable, reason } : { retryable, reason, retryAfterMs };
  const shouldRetry = readHeader(fields.headers, 'x-should-retry')?.trim().toLowerCase();
  if (shouldRetry === 'true') return withWait(true, 'x-should-retry: true');
  if (shouldRetry === 'false') return withWait(false, 'x-should-retry: false');
  if (fields.status !== undefined) {
    if (RETRYABLE_STATUSES.has(fields.status) || fields.status >= 500) {
      return withWait(true, `HTTP ${fields.status}`);
    }
    return withWait(false, `HTTP ${fields.status}`);
  }
  if (fields.code !== undefined && RETRYABLE_ERROR_CODES.has(fields.code)) return withWait(true, fields.code);
  return { retryable: false, reason: fields.code ?? 'unknown error' };
}

/** The decision after a failed attempt. */
export type RetryPlan =
  | {
      retry: true;
      /** How long to wait before the next attempt, in ms. */
      delayMs: number;
      /** True when the wait is the server's (`retry-after` and kin), false when computed. */
      serverRequested: boolean;
      reason: string;
    }
  | {
      retry: false;
      reason: string;
      /** The server's requested wait when it exceeded `maxRetryAfterMs`. */
      retryAfterMs?: number;
    };

/** Inputs of {@link planRetry}. */
export interface PlanRetryInput {
  /** Retries already made (0 after the first attempt failed). */
  retriesSoFar: number;
  /** Time since the call started, in ms (for `deadlineMs`). */
  elapsedMs: number;
  options: ResolvedRetryOptions;
  nowMs: number;
  /** Returns a number in [0, 1). */
  random: () => number;
}

/**
 * Decides whether and when to retry after `error`: the server's requested wait wins (failing at once
 * when it exceeds `maxRetryAfterMs`), else exponential backoff with jitter; never past `maxRetries` or
 * the overall deadline.
 */
export function planRetry(error: unknown, input: PlanRetryInput): RetryPlan {
  const failure = classifyFailure(error, input.nowMs);
  if (!failure.retryable) return { retry: false, reason: failure.reason };
  const { options } = input;
  if (input.retriesSoFar >= options.maxRetries) {
    return { retry: false, reason: `${failure.reason}; no retries left (maxRetries ${options.maxRetries})` };
  }
  let delayMs: number;
  let serverRequested = false;
  if (failure.retryAfterMs !== undefined) {
    if (failure.retryAfterMs > options.maxRetryAfterMs) {
      return {
        retry: false,
        reason: `${failure.reason}; server asked to wait ${failure.retryAfterMs} ms, over maxRetryAfterMs ${options.maxRetryAfterMs}`,
        retryAfterMs: failure.retryAfterMs,
      };
    }
    delayMs = failure.retryAfterMs;
    serverRequested = true;
  } else {
    delayMs = backoffDelayMs(input.retriesSoFar + 1, options, input.random);
  }
  if (options.deadlineMs !== undefined && input.elapsedMs + delayMs >= options.deadlineMs) {
    return {
      retry: false,
      reason: `${failure.reason}; waiting ${delayMs} ms would pass the ${options.deadlineMs} ms deadline`,
    };
  }
  return { retry: true, delayMs, serverRequested, reason: failure.reason };
}
