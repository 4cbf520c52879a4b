import type { RunState, RunStore } from '@chatloop/agent';
import { safeJsonParse } from '@chatloop/protocol';
import type { Redis } from 'ioredis';
import { REDIS_CONNECTION_DEFAULTS, withBackend } from './redis-connection.js';
import { RedisScript } from './redis-script.js';

/** Defaults of {@link RedisRunStore}. */
export const REDIS_RUN_STORE_DEFAULTS = {
  /** How long a run's checkpoint and journal are kept after their last write, in seconds (7 days). */
  ttlSeconds: 7 * 24 * 3_600,
} as const;

/** Options of {@link RedisRunStore}. */
export interface RedisRunStoreOptions {
  redis: Redis;
  keyPrefix?: string;
  ttlSeconds?: number;
}

// KEYS[1] the run's checkpoint hash {version, state}; ARGV = expected version, new version, state JSON, ttl.
const compareAndSwap = new RedisScript(`
local current = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if current ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'version', ARGV[2], 'state', ARGV[3])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[4]))
return 1
`);

/**
 * The agent's {@link RunStore} on Redis: a run's checkpoint is a hash advanced only by a Lua
 * compare-and-swap on its version (two workers can never both advance a run), and its journal of
 * completed effects is a hash whose fields are written once (`HSETNX`): a journaled tool result is never
 * replaced, so a resumed run never repeats it.
 */
export class RedisRunStore implements RunStore {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #ttlSeconds: number;

  constructor(options: RedisRunStoreOptions) {
    this.#redis = options.redis;
    this.#prefix = options.keyPrefix ?? REDIS_CONNECTION_DEFAULTS.keyPrefix;
    this.#ttlSeconds = options.ttlSeconds ?? REDIS_RUN_STORE_DEFAULTS.ttlSeconds;
  }

  async load(runId: string): Promise<RunState | undefined> {
    const json = await withBackend('run store load', () =>
      this.#redis.hget(this.#checkpointKey(runId), 'state'),
    );
    return json === null ? undefined : (safeJsonParse(json) as RunState);
  }

  async commit(runId: string, expectedVersion: number, checkpoint: RunState): Promise<boolean> {
    const json = JSON.stringify(checkpoint);
    const stored = await withBackend('run store commit', () =>
      compareAndSwap.run(
        this.#redis,
        [this.#checkpointKey(runId)],
        [expectedVersion, checkpoint.version, json, this.#ttlSeconds],
      ),
    );
    return stored === 1;
  }

  async getJournal(key: string): Promise<unknown | undefined> {
    const json = await withBackend('run store journal read', () =>
      this.#redis.hget(this.#journalKey(key), key),
    );
    return json === null ? undefined : safeJsonParse(json);
  }

  async putJournal(key: string, value: unknown): Promise<void> {
    const journal = this.#journalKey(key);
    await withBackend('run store journal write', () =>
      this.#redis
        .multi()
        .hsetnx(journal, key, JSON.stringify(value))
        .expire(journal, this.#ttlSeconds)
        .exec(),
    );
  }

  async remove(runId: string): Promise<void> {
    await withBackend('run store remove', () =>
      this.#redis.del(this.#checkpointKey(runId), `${this.#prefix}journal:{${runId}}`),
    );
  }

  #checkpointKey(runId: string): string {
    return `${this.#prefix}run:{${runId}}`;
  }

  /** Journal keys are `<runId>/<step>/<effect>`: one hash per run. */
  #journalKey(key: string): string {
    const slash = key.indexOf('/');
    return `${this.#prefix}journal:{${slash === -1 ? key : key.slice(0, slash)}}`;
  }
}
