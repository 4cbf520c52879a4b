import { type EventBus, isRunFinishedEvent, type SubscribeOptions } from '@chatloop/core';
import { safeJsonParse } from '@chatloop/protocol';
import type { Redis } from 'ioredis';
import { REDIS_CONNECTION_DEFAULTS, withBackend } from './redis-connection.js';

/** Defaults of {@link RedisEventBus}. */
export const REDIS_EVENT_BUS_DEFAULTS = {
  /** Events kept per run (approximate trim), so late subscribers can replay a run from its start. */
  maxEventsPerRun: 10_000,
  /** How long a run's event stream lives after its last event, in seconds. */
  ttlSeconds: 24 * 3_600,
  /** How long one blocking read waits before checking for an abort, in milliseconds. */
  blockMs: 1_000,
} as const;

/** Options of {@link RedisEventBus}. */
export interface RedisEventBusOptions {
  /** A normal (non-blocking) connection for publishing. */
  redis: Redis;
  keyPrefix?: string;
  maxEventsPerRun?: number;
  ttlSeconds?: number;
  blockMs?: number;
  /** Which event ends a run's subscription. Default: `type === 'run_finished'`. */
  isTerminal?: (event: unknown) => boolean;
}

/**
 * A run's events across processes, on one Redis stream per run: a worker publishes, and any process (a
 * web server streaming the run over SSE) subscribes, replaying what it missed, until the terminal event.
 */
export class RedisEventBus implements EventBus {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #maxEvents: number;
  readonly #ttlSeconds: number;
  readonly #blockMs: number;
  readonly #isTerminal: (event: unknown) => boolean;

  constructor(options: RedisEventBusOptions) {
    this.#redis = options.redis;
    this.#prefix = options.keyPrefix ?? REDIS_CONNECTION_DEFAULTS.keyPrefix;
    this.#maxEvents = options.maxEventsPerRun ?? REDIS_EVENT_BUS_DEFAULTS.maxEventsPerRun;
    this.#ttlSeconds = options.ttlSeconds ?? REDIS_EVENT_BUS_DEFAULTS.ttlSeconds;
    this.#blockMs = options.blockMs ?? REDIS_EVENT_BUS_DEFAULTS.blockMs;
    this.#isTerminal = options.isTerminal ?? isRunFinishedEvent;
  }

  /**
   * Appends one event (plain JSON data) to the run's stream: one `XADD`; the stream gets its expiry
   * with the run's terminal event.
   */
  async publish(runId: string, event: unknown): Promise<void> {
    const key = this.#key(runId);
    const json = JSON.stringify(event);
    if (!this.#isTerminal(event)) {
      await withBackend('event bus publish', () =>
        this.#redis.xadd(key, 'MAXLEN', '~', this.#maxEvents, '*', 'event', json),
      );
      return;
    }
    await withBackend('event bus publish', () =>
      this.#redis
        .multi()
        .xadd(key, 'MAXLEN', '~', this.#maxEvents, '*', 'event', json)
        .expire(key, this.#ttlSeconds)
        .exec(),
    );
  }

  /**
   * The run's events in order, from any process, ending after the terminal event or when `signal`
   * aborts. Uses its own blocking connection, closed when the iteration ends.
   */
  async *subscribe(runId: string, options: SubscribeOptions = {}): AsyncGenerator<unknown, void, undefined> {
    const key = this.#key(runId);
    const reader = this.#redis.duplicate({
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
      commandTimeout: undefined,
    });
    reader.on('error', () => undefined);
    const onAbort = () => reader.disconnect();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    let lastId = options.from === 'now' ? '$' : '0-0';
    try {
      while (!options.signal?.aborted) {
        const batch = await withBackend('event bus read', () =>
          reader.xread('COUNT', 500, 'BLOCK', this.#blockMs, 'STREAMS', key, lastId),
        ).catch((error: unknown) => {
          if (options.signal?.aborted) return null;
          throw error;
        });
        if (!batch) continue;
        for (const [, entries] of batch) {
          for (const [id, fields] of entries) {
            lastId = id;
            const json = fields[1];
            if (json === undefined) continue;
            const event = safeJsonParse(json);
            yield event;
            if (this.#isTerminal(event)) return;
          }
        }
      }
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      reader.disconnect();
    }
  }

  #key(runId: string): string {
    return `${this.#prefix}events:{${runId}}`;
  }
}
