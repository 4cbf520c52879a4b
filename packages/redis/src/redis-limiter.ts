import { randomUUID } from 'node:crypto';
import {
  type Limiter,
  type LimiterAcquireOptions,
  LimiterCapacityError,
  type LimiterLimits,
  type Permit,
  QueueFullError,
  QueueTimeoutError,
} from '@chatloop/core';
import type { Redis } from 'ioredis';
import {
  acquireScript,
  inspectScript,
  pauseScript,
  releaseScript,
  renewScript,
  settleScript,
} from './limiter-scripts.js';
import { REDIS_CONNECTION_DEFAULTS, withBackend } from './redis-connection.js';

/** Defaults of {@link RedisLimiter}. */
export const REDIS_LIMITER_DEFAULTS = {
  /** The sliding window RPM and TPM are counted over, in milliseconds. */
  windowMs: 60_000,
  /** How long a concurrency lease lives without renewal; a crashed worker's lease frees itself after it. */
  leaseMs: 30_000,
  /** Longest single wait between attempts while blocked, in milliseconds. */
  maxPollMs: 250,
  /** Poll interval while waiting for a concurrency lease to be released, in milliseconds. */
  leasePollMs: 5,
} as const;

/**
 * Options of {@link RedisLimiter}: the same budgets as the in-process limiter (`LimiterLimits` of
 * `@chatloop/core`), counted across every process that shares the Redis and the scope name.
 */
export interface RedisLimiterOptions extends LimiterLimits {
  /** An ioredis connection from {@link connectRedis} (not a blocking one). */
  redis: Redis;
  /** Budgets for particular scopes, over the defaults. */
  scopes?: Readonly<Record<string, LimiterLimits>>;
  /** Key prefix; default `chatloop:`. */
  keyPrefix?: string;
  leaseMs?: number;
  maxPollMs?: number;
  leasePollMs?: number;
  /** Injected sleep; must reject with the signal's reason on abort. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** A granted permit (the core `Permit`), with when and after how long a wait it was granted. */
export interface RedisPermit extends Permit {
  readonly id: string;
  /** How long acquiring waited, in milliseconds. */
  readonly waitedMs: number;
  /** When it was granted, on the Redis server's clock (ms since the epoch). */
  readonly grantedAtMs: number;
}

/** A snapshot of one scope, as Redis sees it now. */
export interface ScopeState {
  requestsInWindow: number;
  tokensInWindow: number;
  leases: number;
  pausedForMs: number;
}

/**
 * The fleet-wide limiter: every process sharing a Redis and a scope name shares one requests-per-minute
 * window, one tokens-per-minute window, one set of concurrency leases and one paused-until time. Each
 * decision is one atomic Lua script on the server's clock, so processes never race or drift.
 */
export class RedisLimiter implements Limiter {
  readonly #redis: Redis;
  readonly #scopes: Readonly<Record<string, LimiterLimits>>;
  readonly #defaults: LimiterLimits;
  readonly #prefix: string;
  readonly #leaseMs: number;
  readonly #maxPollMs: number;
  readonly #leasePollMs: number;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly #waiting = new Map<string, number>();

  constructor(options: RedisLimiterOptions) {
    const { redis, scopes, keyPrefix, leaseMs, maxPollMs, leasePollMs, sleep, ...defaults } = options;
    this.#redis = redis;
    this.#scopes = scopes ?? {};
    this.#defaults = defaults;
    this.#prefix = keyPrefix ?? REDIS_CONNECTION_DEFAULTS.keyPrefix;
    this.#leaseMs = leaseMs ?? REDIS_LIMITER_DEFAULTS.leaseMs;
    this.#maxPollMs = maxPollMs ?? REDIS_LIMITER_DEFAULTS.maxPollMs;
    this.#leasePollMs = leasePollMs ?? REDIS_LIMITER_DEFAULTS.leasePollMs;
    this.#sleep = sleep ?? abortableSleep;
  }

  /**
   * Waits until the scope has room fleet-wide, then takes a permit.
   *
   * @throws the signal's reason when it aborts while waiting; `QueueFullError` / `QueueTimeoutError`
   *   (from `@chatloop/core`) past `maxQueueSize` waiting in this process or `maxQueueWaitMs`;
   *   `LimiterCapacityError` for a charge no window could ever admit; {@link BackendUnavailableError}
   *   when Redis is down.
   */
  async acquire(request: LimiterAcquireOptions): Promise<RedisPermit> {
    const { scope, signal } = request;
    const limits = this.#limits(scope);
    const requests = Math.max(1, request.requests ?? 1);
    const tokens = Math.max(0, Math.ceil(request.tokens ?? 0));
    const rpm = finite(limits.requestsPerMinute);
    const tpm = finite(limits.tokensPerMinute);
    if (rpm > 0 && requests > rpm) throw new LimiterCapacityError(scope, 'requests', requests, rpm);
    if (tpm > 0 && tokens > tpm) throw new LimiterCapacityError(scope, 'tokens', tokens, tpm);
    signal?.throwIfAborted();
    const keys = this.#keys(scope);
    const id = randomUUID();
    const started = performance.now();
    const windowMs = limits.windowMs ?? REDIS_LIMITER_DEFAULTS.windowMs;
    const args = [id, requests, tokens, rpm, tpm, finite(limits.concurrency), this.#leaseMs, windowMs];
    let waiting = false;
    try {
      for (;;) {
        const reply = (await withBackend('limiter acquire', () =>
          acquireScript.run(this.#redis, keys, args),
        )) as number[];
        if (reply[0] === 1)
          return this.#permit(scope, id, tokens, keys, performance.now() - started, reply[2] ?? 0);
        if (!waiting) {
          const queued = this.#waiting.get(scope) ?? 0;
          const maxQueueSize = limits.maxQueueSize ?? Number.POSITIVE_INFINITY;
          if (queued >= maxQueueSize) throw new QueueFullError(scope, maxQueueSize);
          this.#waiting.set(scope, queued + 1);
          waiting = true;
        }
        const waitedMs = performance.now() - started;
        const maxQueueWaitMs = limits.maxQueueWaitMs ?? Number.POSITIVE_INFINITY;
        if (waitedMs >= maxQueueWaitMs) throw new QueueTimeoutError(scope, maxQueueWaitMs);
        const suggested =
          reply[1] === -1 ? Math.min(this.#leasePollMs, Math.max(1, reply[2] ?? 1)) : (reply[1] ?? 1);
        await this.#sleep(
          Math.min(Math.max(1, suggested), this.#maxPollMs, Math.max(1, maxQueueWaitMs - waitedMs)),
          signal,
        );
      }
    } finally {
      if (waiting) this.#waiting.set(scope, (this.#waiting.get(scope) ?? 1) - 1);
    }
  }

  /**
   * Pauses the whole scope, in every process, for `ms` milliseconds from now (a 429's retry-after, or
   * an exhausted `x-ratelimit-remaining-*`). A later, shorter pause never shortens a longer one.
   */
  async pause(scope: string, ms: number): Promise<void> {
    if (!(ms > 0)) return;
    await withBackend('limiter pause', () =>
      pauseScript.run(this.#redis, this.#keys(scope), [Math.ceil(ms)]),
    );
  }

  /** The scope's current counts, fleet-wide, for dashboards and tests. */
  async inspect(scope: string): Promise<ScopeState> {
    const windowMs = this.#limits(scope).windowMs ?? REDIS_LIMITER_DEFAULTS.windowMs;
    const reply = (await withBackend('limiter inspect', () =>
      inspectScript.run(this.#redis, this.#keys(scope), [windowMs]),
    )) as number[];
    return {
      requestsInWindow: reply[0] ?? 0,
      tokensInWindow: reply[1] ?? 0,
      leases: reply[2] ?? 0,
      pausedForMs: reply[3] ?? 0,
    };
  }

  #limits(scope: string): LimiterLimits {
    const specific = this.#scopes[scope];
    return specific ? { ...this.#defaults, ...specific } : this.#defaults;
  }

  #permit(
    scope: string,
    id: string,
    tokens: number,
    keys: string[],
    waitedMs: number,
    grantedAtMs: number,
  ): RedisPermit {
    const redis = this.#redis;
    const leaseMs = this.#leaseMs;
    const leased = finite(this.#limits(scope).concurrency) > 0;
    let settled = false;
    let released = false;
    // Long calls (streams) renew their lease so it only expires when the worker is gone.
    const renewal = leased
      ? setInterval(() => {
          renewScript.run(redis, keys, [id, leaseMs]).catch(() => undefined);
        }, leaseMs / 3)
      : undefined;
    renewal?.unref();
    return {
      scope,
      id,
      tokens,
      waitedMs,
      grantedAtMs,
      async settle(usage) {
        if (settled) return;
        settled = true;
        await withBackend('limiter settle', () =>
          settleScript.run(redis, keys, [id, Math.max(0, Math.ceil(usage.tokens))]),
        );
      },
      async release() {
        if (released) return;
        released = true;
        if (renewal) clearInterval(renewal);
        if (leased) await withBackend('limiter release', () => releaseScript.run(redis, keys, [id]));
      },
    };
  }

  #keys(scope: string): string[] {
    const base = `${this.#prefix}limiter:{${scope}}:`;
    return [
      `${base}requests`,
      `${base}tokens`,
      `${base}amounts`,
      `${base}total`,
      `${base}leases`,
      `${base}paused`,
    ];
  }
}

/** Infinity and absent mean "no limit", which the Lua script spells 0. */
function finite(value: number | undefined): number {
  return value !== undefined && Number.isFinite(value) ? value : 0;
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
