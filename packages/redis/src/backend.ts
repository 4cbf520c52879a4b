import { createMemoryRunStore, type RunStore } from '@chatloop/agent';
import {
  createLimiter,
  createMemoryEventBus,
  createMemoryRunQueue,
  createMemoryUsageLedger,
  type EventBus,
  type Limiter,
  type LimiterLimits,
  type RunQueue,
  type UsageLedger,
} from '@chatloop/core';
import type { Redis } from 'ioredis';
import { connectRedis, redactRedisUrl } from './redis-connection.js';
import { RedisEventBus } from './redis-event-bus.js';
import { RedisLimiter } from './redis-limiter.js';
import { RedisRunQueue, type RedisRunQueueOptions } from './redis-run-queue.js';
import { RedisRunStore } from './redis-run-store.js';
import { RedisUsageLedger } from './redis-usage-ledger.js';

/**
 * The five scale-out ports, all from one backend: in-process (the default) or Redis. Code written
 * against a `Backend` runs unchanged in one process or across a fleet.
 */
export interface Backend {
  /** `memory`: this process only. `redis`: shared by every process on the same Redis. */
  readonly kind: 'memory' | 'redis';
  /** Where it lives, for logs (`in-process`, or the Redis URL with any password masked). */
  readonly description: string;
  readonly limiter: Limiter;
  readonly runQueue: RunQueue;
  readonly runStore: RunStore;
  readonly eventBus: EventBus;
  readonly ledger: UsageLedger;
  /** Closes connections and workers started through this backend. */
  close(): Promise<void>;
}

/** Options of {@link createBackend}. */
export interface BackendOptions {
  /**
   * The Redis to share state through. Default: the `REDIS_URL` environment variable; without one (or
   * with `false`) the backend is in-process.
   */
  redisUrl?: string | false;
  /** Default limiter budgets, and per-scope ones under `scopes`. Unlimited by default. */
  limits?: LimiterLimits & { scopes?: Readonly<Record<string, LimiterLimits>> };
  /** Run-queue settings (queue name, attempts, lock duration, stalled-run checks) for Redis. */
  queue?: Omit<RedisRunQueueOptions, 'url'>;
  /** Prefix of every Redis key. Default `chatloop:`. */
  keyPrefix?: string;
}

/**
 * Picks the backend by configuration alone: Redis when a URL is given (or `REDIS_URL` is set),
 * in-process otherwise.
 *
 * @throws BackendUnavailableError when a Redis URL is given but Redis cannot be reached.
 */
export async function createBackend(options: BackendOptions = {}): Promise<Backend> {
  const url = options.redisUrl === false ? undefined : (options.redisUrl ?? process.env.REDIS_URL);
  const { scopes, ...limits } = options.limits ?? {};
  if (!url) {
    const runQueue = createMemoryRunQueue();
    return {
      kind: 'memory',
      description: 'in-process',
      limiter: createLimiter({ ...limits, scopes }),
      runQueue,
      runStore: createMemoryRunStore(),
      eventBus: createMemoryEventBus(),
      ledger: createMemoryUsageLedger(),
      close: () => runQueue.close(),
    };
  }
  const connections: Redis[] = [await connectRedis(url, { connectionName: 'chatloop' })];
  const redis = connections[0] as Redis;
  const keyPrefix = options.keyPrefix;
  const runQueue = new RedisRunQueue({ ...options.queue, url });
  return {
    kind: 'redis',
    description: redactRedisUrl(url),
    limiter: new RedisLimiter({ redis, keyPrefix, ...limits, scopes }),
    runQueue,
    runStore: new RedisRunStore({ redis, keyPrefix }),
    eventBus: new RedisEventBus({ redis, keyPrefix }),
    ledger: new RedisUsageLedger({ redis, keyPrefix }),
    close: async () => {
      await runQueue.close();
      for (const connection of connections) connection.disconnect();
    },
  };
}
