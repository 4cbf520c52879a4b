import { setTimeout as sleepTimer } from 'node:timers/promises';
import {
  planRetry,
  type ResolvedRetryOptions,
  type RetryOptions,
  resolveRetryOptions,
} from './retry-policy.js';

/** Sleeps `ms` milliseconds; rejects at once when `signal` aborts. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** The default {@link Sleep}: a Node timer, cancelled (not left behind) on abort. */
export const defaultSleep: Sleep = async (ms, signal) => {
  await sleepTimer(ms, undefined, signal === undefined ? undefined : { signal });
};

/** How many attempts a call took and how long it waited between them. */
export interface RetryStats {
  /** Attempts made, the first included. */
  attempts: number;
  /** Attempts after the first. */
  retries: number;
  /** Total time spent waiting between attempts, in ms. */
  retryWaitMs: number;
}

/** Passed to each attempt. */
export interface AttemptContext {
  /** 1 for the first attempt. */
  attempt: number;
  /** Milliseconds waited between attempts so far. */
  retryWaitMs: number;
}

/** Emitted before each backoff wait. */
export interface RetryEvent {
  type: 'retry';
  /** The attempt that failed (1 for the first). */
  attempt: number;
  /** The wait before the next attempt, in ms. */
  delayMs: number;
  /** True when the server asked for this wait. */
  serverRequested: boolean;
  reason: string;
  error: unknown;
}

/** Options of {@link withRetries}. */
export interface WithRetriesOptions {
  retry?: RetryOptions | ResolvedRetryOptions;
  /** Aborting ends a backoff wait at once and stops further attempts. */
  signal?: AbortSignal;
  /** Clock in ms. Default `Date.now`. */
  now?: () => number;
  /** Default {@link defaultSleep}. */
  sleep?: Sleep;
  /** Returns [0, 1). Default `Math.random`. */
  random?: () => number;
  /** Called before each wait, e.g. to pause a limiter for a 429's retry-after. Its errors are ignored. */
  onRetry?: (event: RetryEvent) => void;
  /** Builds the error thrown when `signal` aborts. Default: the signal's reason. */
  abortError?: (signal: AbortSignal) => unknown;
}

const statsKey = Symbol.for('chatloop.retryStats');

/** Records retry figures on an error (as `attempts`, `retries`, `retryWaitMs` when writable). */
export function attachRetryStats(error: unknown, stats: RetryStats): void {
  if (typeof error !== 'object' || error === null || !Object.isExtensible(error)) return;
  Object.defineProperty(error, statsKey, { value: stats, configurable: true, enumerable: false });
  for (const key of ['attempts', 'retries', 'retryWaitMs'] as const) {
    const descriptor = Object.getOwnPropertyDescriptor(error, key);
    if (descriptor === undefined || descriptor.writable === true || descriptor.configurable === true) {
      Object.defineProperty(error, key, {
        value: stats[key],
        configurable: true,
        enumerable: false,
        writable: true,
      });
    }
  }
}

/** The retry figures {@link withRetries} recorded on an error, if any. */
export function retryStatsOf(error: unknown): RetryStats | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  return (error as Record<symbol, RetryStats | undefined>)[statsKey];
}

const defaultAbortError = (signal: AbortSignal): unknown => signal.reason;

/**
 * Runs `attempt` until it succeeds or the retry policy says stop (see `planRetry`), waiting between
 * attempts. Resolves with the value and the {@link RetryStats}; rejects with the last error, carrying
 * the same figures (see {@link retryStatsOf}). An abort during a wait rejects at once.
 */
export async function withRetries<T>(
  attempt: (context: AttemptContext) => Promise<T>,
  options: WithRetriesOptions = {},
): Promise<RetryStats & { value: T }> {
  const retry = resolveRetryOptions(options.retry);
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const abortError = options.abortError ?? defaultAbortError;
  const { signal } = options;
  const startedAt = now();
  const stats: RetryStats = { attempts: 0, retries: 0, retryWaitMs: 0 };
  for (;;) {
    if (signal?.aborted) {
      const error = abortError(signal);
      attachRetryStats(error, stats);
      throw error;
    }
    stats.attempts++;
    try {
      const value = await attempt({ attempt: stats.attempts, retryWaitMs: stats.retryWaitMs });
      return { ...stats, value };
    } catch (error) {
      const plan = signal?.aborted
        ? ({ retry: false, reason: 'aborted' } as const)
        : planRetry(error, {
            retriesSoFar: stats.retries,
            elapsedMs: now() - startedAt,
            options: retry,
            nowMs: now(),
            random,
          });
      if (!plan.retry) {
        attachRetryStats(error, stats);
        throw error;
      }
      try {
        options.onRetry?.({
          type: 'retry',
          attempt: stats.attempts,
          delayMs: plan.delayMs,
          serverRequested: plan.serverRequested,
          reason: plan.reason,
          error,
        });
      } catch {
        // An observer's failure must not change the call's outcome.
      }
      const waitStart = now();
      try {
        await sleep(plan.delayMs, signal);
      } catch (sleepError) {
        stats.retryWaitMs += now() - waitStart;
        const abort = signal?.aborted ? abortError(signal) : sleepError;
        attachRetryStats(abort, stats);
        throw abort;
      }
      stats.retryWaitMs += plan.delayMs;
      stats.retries++;
    }
  }
}
