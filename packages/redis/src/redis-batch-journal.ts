import type { BatchJournal, JournalRecord, JournalState } from '@chatloop/extract';
import { JournalStateBuilder } from '@chatloop/extract';
import type { Redis } from 'ioredis';
import { type BatchKeys, batchKeys } from './batch-keys.js';
import { withBackend } from './redis-connection.js';
import { RedisScript } from './redis-script.js';

/** Options of {@link RedisBatchJournal}. */
export interface RedisBatchJournalOptions {
  /** The batch's id: every process of the batch uses the same. */
  batchId: string;
  /** This process's claim token: an item's claim held under it is released when its outcome is recorded. */
  owner?: string;
  /** Key prefix. Default `chatloop:`. */
  keyPrefix?: string;
  /** Called after an outcome of item `id` is recorded (the queue stops renewing its claim). */
  onRecorded?: (id: string) => void;
  /** Called by `close()` before it resolves (the queue releases the claims it still holds). */
  onClose?: () => Promise<void>;
}

type OkRecord<T> = Extract<JournalRecord<T>, { ok: true }>;
type FailedRecord<T> = Extract<JournalRecord<T>, { ok: false }>;

// KEYS: records, results, failures, claim. ARGV: id, record JSON, '1' for a result, owner.
const appendScript = new RedisScript(`
redis.call('RPUSH', KEYS[1], ARGV[2])
if ARGV[3] == '1' then
  redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2])
  redis.call('HDEL', KEYS[3], ARGV[1])
elseif redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 then
  redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
end
if ARGV[4] ~= '' and redis.call('GET', KEYS[4]) == ARGV[4] then
  redis.call('DEL', KEYS[4])
end
return 1
`);

function parseRecord<T>(text: string): JournalRecord<T> | undefined {
  try {
    const value = JSON.parse(text) as JournalRecord<T>;
    return typeof value === 'object' && value !== null && typeof value.id === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A `BatchJournal` (from `@chatloop/extract`) in Redis, shared by every process of one batch: each
 * record is appended to the batch's list (so the usage of failed attempts counts), the first result of
 * each item is kept in a hash with HSETNX (one result per item, even if two processes finish the same
 * item), and a failure is kept only while the item has no result. `load()` folds the list like the JSONL
 * journal; {@link results} and {@link failures} read the batch's outcome in input order.
 */
export class RedisBatchJournal<T = unknown> implements BatchJournal<T> {
  readonly #redis: Redis;
  readonly #keys: BatchKeys;
  readonly #options: RedisBatchJournalOptions;

  constructor(redis: Redis, options: RedisBatchJournalOptions) {
    this.#redis = redis;
    this.#options = options;
    this.#keys = batchKeys(options.batchId, options.keyPrefix);
  }

  /**
   * Folds every record of the batch, all processes and runs.
   *
   * @throws BackendUnavailableError when Redis does not answer.
   */
  async load(): Promise<JournalState> {
    const lines = await withBackend('batch journal load', () =>
      this.#redis.lrange(this.#keys.records, 0, -1),
    );
    const builder = new JournalStateBuilder();
    for (const line of lines) {
      const record = parseRecord<T>(line);
      if (record) builder.add(record);
    }
    return builder.state();
  }

  /**
   * Records one outcome atomically (list, result or failure hash, claim release).
   *
   * @throws BackendUnavailableError when Redis does not answer.
   */
  async append(record: JournalRecord<T>): Promise<void> {
    await withBackend('batch journal append', () =>
      appendScript.run(
        this.#redis,
        [this.#keys.records, this.#keys.results, this.#keys.failures, this.#keys.claim(record.id)],
        [record.id, JSON.stringify(record), record.ok ? '1' : '0', this.#options.owner ?? ''],
      ),
    );
    this.#options.onRecorded?.(record.id);
  }

  /** Releases the claims this process still holds (items interrupted before an outcome). Keeps the connection. */
  async close(): Promise<void> {
    await this.#options.onClose?.();
  }

  /**
   * The first result of each item, in input order (items whose index is unknown last, by id).
   *
   * @throws BackendUnavailableError when Redis does not answer.
   */
  async results(): Promise<OkRecord<T>[]> {
    return (await this.#readOrdered(this.#keys.results)) as OkRecord<T>[];
  }

  /**
   * The last failure of each item that has no result, in input order.
   *
   * @throws BackendUnavailableError when Redis does not answer.
   */
  async failures(): Promise<FailedRecord<T>[]> {
    return (await this.#readOrdered(this.#keys.failures)) as FailedRecord<T>[];
  }

  async #readOrdered(key: string): Promise<JournalRecord<T>[]> {
    const [entries, order] = await withBackend('batch journal read', () =>
      Promise.all([this.#redis.hgetall(key), this.#redis.hgetall(this.#keys.order)]),
    );
    const rows: { index: number; id: string; record: JournalRecord<T> }[] = [];
    for (const [id, text] of Object.entries(entries)) {
      const record = parseRecord<T>(text);
      const index = order[id] === undefined ? Number.POSITIVE_INFINITY : Number(order[id]);
      if (record) rows.push({ index, id, record });
    }
    rows.sort((a, b) =>
      a.index !== b.index ? (a.index < b.index ? -1 : 1) : a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
    );
    return rows.map((row) => row.record);
  }
}
