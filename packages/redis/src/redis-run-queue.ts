import {
  RunFailedError,
  type RunJob,
  type RunJobContext,
  type RunOutcome,
  type RunQueue,
  RunWaitTimeoutError,
  type RunWorker,
  type WorkOptions,
} from '@chatloop/core';
import { type RedisOptions as BullRedisOptions, Queue, QueueEvents, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import {
  isConnectionFailure,
  REDIS_CONNECTION_DEFAULTS,
  redisOptions,
  withBackend,
} from './redis-connection.js';

/** Defaults of {@link RedisRunQueue}. */
export const REDIS_RUN_QUEUE_DEFAULTS = {
  queueName: 'chatloop-runs',
  /** Deliveries of a run before it is failed for good (a crash counts as a stall, not an attempt). */
  attempts: 3,
  /** First retry delay in ms (exponential). */
  backoffMs: 500,
  /**
   * A worker holds a run's lock this long and renews it at half of it; a worker that died (SIGKILL) loses
   * the lock after it and another worker takes the run over.
   */
  lockDurationMs: 30_000,
  /** How often workers look for runs whose worker died, in ms. */
  stalledIntervalMs: 15_000,
  /** Takeovers allowed after worker crashes before the run is failed. */
  maxStalledCount: 5,
  /** Runs processed at once by one worker. */
  concurrency: 16,
} as const;

/** Options of {@link RedisRunQueue}. */
export interface RedisRunQueueOptions {
  /** `redis://` URL of the Redis that holds the queue. */
  url: string;
  queueName?: string;
  /** BullMQ key prefix; default `chatloop`. */
  prefix?: string;
  attempts?: number;
  backoffMs?: number;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  maxStalledCount?: number;
}

/**
 * The run queue on BullMQ: producers submit runs by id (job id = run id, so submitting twice is a
 * no-op), workers in any number of processes process them with a concurrency, retries with backoff,
 * and stalled-run recovery (a crashed worker's run is handed to another worker, which resumes it from
 * its checkpoint).
 */
export class RedisRunQueue<Input = unknown, Result = unknown> implements RunQueue<Input, Result> {
  readonly #options: Required<Omit<RedisRunQueueOptions, 'prefix'>> & { prefix: string };
  readonly #client: Redis;
  readonly #queue: Queue;
  #events: QueueEvents | undefined;
  readonly #workers = new Set<Worker>();

  constructor(options: RedisRunQueueOptions) {
    this.#options = {
      url: options.url,
      queueName: options.queueName ?? REDIS_RUN_QUEUE_DEFAULTS.queueName,
      prefix: options.prefix ?? 'chatloop',
      attempts: options.attempts ?? REDIS_RUN_QUEUE_DEFAULTS.attempts,
      backoffMs: options.backoffMs ?? REDIS_RUN_QUEUE_DEFAULTS.backoffMs,
      lockDurationMs: options.lockDurationMs ?? REDIS_RUN_QUEUE_DEFAULTS.lockDurationMs,
      stalledIntervalMs: options.stalledIntervalMs ?? REDIS_RUN_QUEUE_DEFAULTS.stalledIntervalMs,
      maxStalledCount: options.maxStalledCount ?? REDIS_RUN_QUEUE_DEFAULTS.maxStalledCount,
    };
    // The producer's connection is ours, not BullMQ's: BullMQ closes its own with QUIT, which fails while
    // Redis is down (no offline queue, so that submits fail fast), leaving close() to throw.
    this.#client = new Redis(this.#connection(false));
    this.#client.on('error', () => undefined);
    this.#queue = new Queue(this.#options.queueName, {
      connection: this.#client,
      prefix: this.#options.prefix,
    });
    this.#queue.on('error', () => undefined);
  }

  /**
   * Submits a run. Resolves `true` when it was queued, `false` when a run with this id already exists
   * (queued, running or finished): submitting is idempotent, and BullMQ keeps one job per id even when
   * two producers submit the same id at the same moment (both may then see `true`).
   */
  async submit(job: RunJob<Input>): Promise<boolean> {
    return withBackend('run queue submit', async () => {
      const existing = await this.#queue.getJob(job.runId);
      if (existing) return false;
      const added = await this.#queue.add(job.agent, job, {
        jobId: job.runId,
        attempts: this.#options.attempts,
        backoff: { type: 'exponential', delay: this.#options.backoffMs },
        removeOnComplete: { age: 24 * 3_600, count: 100_000 },
        removeOnFail: { age: 7 * 24 * 3_600 },
      });
      return added.id === job.runId;
    });
  }

  /**
   * Starts a worker in this process. `handler` runs each job; what it resolves is the run's result,
   * a rejection is retried up to `attempts`.
   */
  work(
    handler: (job: RunJob<Input>, context: RunJobContext) => Promise<Result>,
    options: WorkOptions = {},
  ): RunWorker {
    const worker = new Worker<RunJob<Input>, Result>(
      this.#options.queueName,
      async (job, _token, signal) =>
        handler(job.data, { attempt: job.attemptsMade + 1, signal: signal ?? new AbortController().signal }),
      {
        connection: this.#connection(true),
        prefix: this.#options.prefix,
        concurrency: options.concurrency ?? REDIS_RUN_QUEUE_DEFAULTS.concurrency,
        lockDuration: this.#options.lockDurationMs,
        stalledInterval: this.#options.stalledIntervalMs,
        maxStalledCount: this.#options.maxStalledCount,
      },
    );
    worker.on('error', () => undefined);
    this.#workers.add(worker);
    return {
      close: async () => {
        this.#workers.delete(worker);
        await worker.close();
      },
    };
  }

  /** Where a run stands now: completed with its result, failed with the reason, or still pending. */
  async outcome(runId: string): Promise<RunOutcome<Result>> {
    const job = await withBackend('run queue read', () => this.#queue.getJob(runId));
    if (!job) return { state: 'pending' };
    const state = await withBackend('run queue read', () => job.getState());
    if (state === 'completed') return { state: 'completed', result: job.returnvalue as Result };
    if (state === 'failed') return { state: 'failed', reason: job.failedReason };
    return { state: 'pending' };
  }

  /** Waits until the run completes (its result) or fails for good (rejects with the reason). */
  async waitFor(runId: string, timeoutMs = 60_000): Promise<Result> {
    if (!this.#events) {
      this.#events = new QueueEvents(this.#options.queueName, {
        connection: this.#connection(true),
        prefix: this.#options.prefix,
      });
      this.#events.on('error', () => undefined);
    }
    await this.#events.waitUntilReady();
    const job = await this.#queue.getJob(runId);
    if (!job) throw new RunFailedError(runId, 'no such run');
    try {
      return (await job.waitUntilFinished(this.#events, timeoutMs)) as Result;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (/timed out/i.test(reason)) throw new RunWaitTimeoutError(runId, timeoutMs);
      throw new RunFailedError(runId, reason);
    }
  }

  /** Counts of runs by state (waiting, active, completed, failed, delayed). */
  async counts(): Promise<Record<string, number>> {
    return withBackend('run queue read', () =>
      this.#queue.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed'),
    );
  }

  /** Closes workers started here, the queue and its connections. */
  async close(): Promise<void> {
    await Promise.all([...this.#workers].map((worker) => worker.close()));
    this.#workers.clear();
    await this.#events?.close();
    // The queue does not own its connection (see the constructor), so closing it sends nothing.
    await this.#queue.close();
    await quitOrDisconnect(this.#client);
  }

  /** Removes every run of this queue from Redis (tests, or a fresh batch). */
  async obliterate(): Promise<void> {
    await this.#queue.obliterate({ force: true });
  }

  #connection(blocking: boolean): BullRedisOptions {
    const url = new URL(this.#options.url);
    const base = redisOptions({ blocking });
    const options: BullRedisOptions = {
      host: url.hostname,
      port: Number(url.port || 6379),
      db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0,
      connectTimeout: base.connectTimeout,
      retryStrategy: (attempt: number) =>
        Math.min(50 * attempt, REDIS_CONNECTION_DEFAULTS.maxReconnectDelayMs),
      // Workers block on Redis and must ride out outages; producers fail fast with a typed error.
      maxRetriesPerRequest: blocking ? null : 1,
      enableOfflineQueue: blocking,
    };
    if (url.username) options.username = decodeURIComponent(url.username);
    if (url.password) options.password = decodeURIComponent(url.password);
    return options;
  }
}

/**
 * Closes a connection: QUIT when it is up (replies already sent are read first), else drops it (a
 * connection that is down or reconnecting has nothing to flush, and QUIT would fail or wait).
 */
async function quitOrDisconnect(client: Redis): Promise<void> {
  if (client.status === 'ready') {
    try {
      await client.quit();
      return;
    } catch (error) {
      // Lost between the check and the QUIT: nothing left to flush.
      if (!isConnectionFailure(error)) throw error;
    }
  }
  client.disconnect();
}
