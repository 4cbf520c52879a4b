import { randomUUID } from 'node:crypto';
import { ChatloopError } from '@chatloop/protocol';
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

/** Limits of one scope (usually one API key, or one key and model). 0 or absent: unlimited. */
export interface ScopeLimits {
  /** Requests per sliding window (a minute by default), fleet-wide. */
  requestsPerMinute?: number;
  /** Tokens per sliding window, fleet-wide: estimates at acquire, replaced by actual usage at settle. */
  tokensPerMinute?: number;
  /** Requests in flight at once, fleet-wide; each holds a lease that expires if its worker dies. */
  maxConcurrent?: number;
}

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

/** Options of {@link RedisLimiter}. */
export interface RedisLimiterOptions {
  /** An ioredis connection from {@link connectRedis} (not a blocking one). */
  redis: Redis;
  /** Limits per scope. */
  limits?: Record<string, ScopeLimits>;
  /** Limits of scopes not named in `limits`. */
  defaultLimits?: ScopeLimits;
  /** Key prefix; default `chatloop:`. */
  keyPrefix?: string;
  windowMs?: number;
  leaseMs?: number;
  maxPollMs?: number;
  leasePollMs?: number;
  /** Injected sleep for tests; must reject with the signal's reason on abort. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** What to acquire: a permit for `requests` requests and an estimated `tokens` tokens in `scope`. */
export interface RedisAcquireRequest {
  scope: string;
  requests?: number;
  tokens?: number;
  signal?: AbortSignal;
}

/** A granted permit. Settle it with the tokens actually used, then release it (both idempotent). */
export interface RedisPermit {
  readonly scope: string;
  readonly id: string;
  /** How long acquiring waited, in milliseconds. */
  readonly waitedMs: number;
  /** When it was granted, on the Redis server's clock (ms since the epoch). */
  readonly grantedAtMs: number;
  settle(usage: { tokens: number }): Promise<void>;
  release(): Promise<void>;
}

/** A snapshot of one scope, as Redis sees it now. */
export interface ScopeState {
  requestsInWindow: number;
  tokensInWindow: number;
  leases: number;
  pausedForMs: number;
}

/** Waiting for a permit was aborted by the caller's signal. */
export class LimiterAbortError extends ChatloopError {
  constructor(options?: { cause?: unknown }) {
    super('aborted', 'waiting for a rate-limit permit was aborted', options);
  }
}

/**
 * The fleet-wide limiter: every process sharing a Redis and a scope name shares one requests-per-minute
 * window, one tokens-per-minute window, one set of concurrency leases and one paused-until time. Each
 * decision is one atomic Lua script on the server's clock, so processes never race or drift.
 */
export class RedisLimiter {
  readonly #redis: Redis;
  readonly #limits: Record<string, ScopeLimits>;
  readonly #defaultLimits: ScopeLimits;
  readonly #prefix: string;
  readonly #windowMs: number;
  readonly #leaseMs: number;
  readonly #maxPollMs: number;
  readonly #leasePollMs: number;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(options: RedisLimiterOptions) {
    this.#redis = options.redis;
    this.#limits = options.limits ?? {};
    this.#defaultLimits = options.defaultLimits ?? {};
    this.#prefix = options.keyPrefix ?? REDIS_CONNECTION_DEFAULTS.keyPrefix;
    this.#windowMs = options.windowMs ?? REDIS_LIMITER_DEFAULTS.windowMs;
    this.#leaseMs = options.leaseMs ?? REDIS_LIMITER_DEFAULTS.leaseMs;
    this.#maxPollMs = options.maxPollMs ?? REDIS_LIMITER_DEFAULTS.maxPollMs;
    this.#leasePollMs = options.leasePollMs ?? REDIS_LIMITER_DEFAULTS.leasePollMs;
    this.#sleep = options.sleep ?? abortableSleep;
  }

  /**
   * Waits until the scope has room, then takes a permit.
   *
   * @throws {@link LimiterAbortError} when `signal` aborts while waiting.
   * @throws {@link BackendUnavailableError} when Redis is down.
   */
  async acquire(request: RedisAcquireRequest): Promise<RedisPermit> {
    const { scope, signal } = request;
    const limits = this.#limits[scope] ?? this.#defaultLimits;
    const keys = this.#keys(scope);
    const id = randomUUID();
    const started = performance.now();
    const args = [
      id,
      Math.max(1, request.requests ?? 1),
      Math.max(0, Math.ceil(request.tokens ?? 0)),
      limits.requestsPerMinute ?? 0,
      limits.tokensPerMinute ?? 0,
      limits.maxConcurrent ?? 0,
      this.#leaseMs,
      this.#windowMs,
    ];
    for (;;) {
      if (signal?.aborted) throw new LimiterAbortError({ cause: signal.reason });
      const reply = (await withBackend('limiter acquire', () =>
        acquireScript.run(this.#redis, keys, args),
      )) as number[];
      if (reply[0] === 1) return this.#permit(scope, id, keys, performance.now() - started, reply[2] ?? 0);
      const waitMs =
        reply[1] === -1 ? Math.min(this.#leasePollMs, Math.max(1, reply[2] ?? 1)) : (reply[1] ?? 1);
      try {
        await this.#sleep(Math.min(Math.max(1, waitMs), this.#maxPollMs), signal);
      } catch (error) {
        throw new LimiterAbortError({ cause: signal?.reason ?? error });
      }
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

  /** The scope's current counts, for dashboards and tests. */
  async inspect(scope: string): Promise<ScopeState> {
    const reply = (await withBackend('limiter inspect', () =>
      inspectScript.run(this.#redis, this.#keys(scope), [this.#windowMs]),
    )) as number[];
    return {
      requestsInWindow: reply[0] ?? 0,
      tokensInWindow: reply[1] ?? 0,
      leases: reply[2] ?? 0,
      pausedForMs: reply[3] ?? 0,
    };
  }

  #permit(scope: string, id: string, keys: string[], waitedMs: number, grantedAtMs: number): RedisPermit {
    const redis = this.#redis;
    const leaseMs = this.#leaseMs;
    const limits = this.#limits[scope] ?? this.#defaultLimits;
    let settled = false;
    let released = false;
    // Long calls (streams) renew their lease so it only expires when the worker is gone.
    const renewal = limits.maxConcurrent
      ? setInterval(() => {
          renewScript.run(redis, keys, [id, leaseMs]).catch(() => undefined);
        }, leaseMs / 3)
      : undefined;
    renewal?.unref();
    return {
      scope,
      id,
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
        if (limits.maxConcurrent)
          await withBackend('limiter release', () => releaseScript.run(redis, keys, [id]));
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
