import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type {
  BatchInput,
  JournalRecord,
  SharedBatchBackend,
  SharedBatchQueueOptions,
  WorkQueue,
} from '@chatloop/extract';
import type { Redis } from 'ioredis';
import { RedisBatchJournal } from './redis-batch-journal.js';
import { connectRedis } from './redis-connection.js';
import { REDIS_WORK_QUEUE_DEFAULTS, RedisWorkQueue } from './redis-work-queue.js';

/** Options of {@link createRedisExtractBackend}. */
export interface RedisExtractBackendOptions {
  /** Redis URL (e.g. `redis://127.0.0.1:6379`); ignored when `redis` is given. */
  url?: string;
  /** An open connection to use instead of `url` (left open by `close()`). */
  redis?: Redis;
  /** The batch's id: processes with the same id share the batch. */
  batchId: string;
  /** See `REDIS_WORK_QUEUE_DEFAULTS.leaseMs`. Default 10,000 ms. */
  leaseMs?: number;
  /** See `REDIS_WORK_QUEUE_DEFAULTS.pollMs`. Default 100 ms. */
  pollMs?: number;
  /** Key prefix. Default `chatloop:`. */
  keyPrefix?: string;
  /** This process's claim token. Default host, pid and a random UUID. */
  owner?: string;
}

/** What {@link createRedisExtractBackend} returns: extract's `SharedBatchBackend` on Redis. */
export interface RedisExtractBackend<T = unknown> extends SharedBatchBackend<T> {
  readonly journal: RedisBatchJournal<T>;
  /** This process's claim token. */
  readonly owner: string;
}

/**
 * Runs one `extractMany` batch across processes on Redis: give every process the same inputs,
 * `journal` and `queue(inputs, { key })`, and each item is extracted by one process, its first result
 * kept once; a crashed process's items are taken over once its claims lapse (`leaseMs`). Read the whole
 * batch with `results()` / `failures()` (input order) when `extractMany` completes.
 *
 * ```ts
 * const batch = await createRedisExtractBackend({ url: process.env.REDIS_URL, batchId: 'invoices-2026-11' });
 * await extractMany(inputs, { client, model, schema, journal: batch.journal, queue: batch.queue(inputs, { key: batchInputKey }) });
 * const results = await batch.results();
 * await batch.close();
 * ```
 *
 * @throws BackendUnavailableError when Redis cannot be reached.
 */
export async function createRedisExtractBackend<T = unknown>(
  options: RedisExtractBackendOptions,
): Promise<RedisExtractBackend<T>> {
  if (!options.redis && !options.url) throw new TypeError('createRedisExtractBackend needs url or redis.');
  const ownsConnection = options.redis === undefined;
  const redis =
    options.redis ?? (await connectRedis(options.url as string, { connectionName: 'chatloop-extract' }));
  const owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID()}`;
  const queues = new Set<RedisWorkQueue<BatchInput>>();
  const keyPrefix = options.keyPrefix === undefined ? {} : { keyPrefix: options.keyPrefix };
  const journal = new RedisBatchJournal<T>(redis, {
    batchId: options.batchId,
    owner,
    ...keyPrefix,
    onRecorded: (id) => {
      for (const queue of queues) queue.finished(id);
    },
    onClose: async () => {
      for (const queue of queues) await queue.release();
    },
  });
  return {
    batchId: options.batchId,
    owner,
    journal,
    queue(
      inputs: Iterable<BatchInput> | AsyncIterable<BatchInput>,
      queueOptions: SharedBatchQueueOptions,
    ): WorkQueue<BatchInput> {
      let earlierFailures: Promise<ReadonlySet<string>> | undefined;
      let failedBefore: ReadonlySet<string> = new Set();
      const queue = new RedisWorkQueue<BatchInput>(redis, inputs, {
        batchId: options.batchId,
        owner,
        key: queueOptions.key,
        leaseMs: options.leaseMs ?? REDIS_WORK_QUEUE_DEFAULTS.leaseMs,
        pollMs: options.pollMs ?? REDIS_WORK_QUEUE_DEFAULTS.pollMs,
        ...keyPrefix,
        ...(queueOptions.signal === undefined ? {} : { signal: queueOptions.signal }),
        // With retryFailed, failures recorded before this process started run again; later ones do not.
        failureFinishes: (key) => !queueOptions.retryFailed || !failedBefore.has(key),
      });
      queues.add(queue);
      if (!queueOptions.retryFailed) return queue;
      return {
        async next() {
          earlierFailures ??= journal.load().then((state) => state.failed);
          failedBefore = await earlierFailures;
          return queue.next();
        },
      };
    },
    results: () => journal.results() as Promise<Extract<JournalRecord<T>, { ok: true }>[]>,
    failures: () => journal.failures() as Promise<Extract<JournalRecord<T>, { ok: false }>[]>,
    async close() {
      for (const queue of queues) await queue.release();
      if (ownsConnection) await redis.quit().catch(() => redis.disconnect());
    },
  };
}
