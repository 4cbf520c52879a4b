import { ChatloopError } from '@chatloop/protocol';

/** One run to execute: which registered agent (or pipeline), its plain-data input, and its id. */
export interface RunJob<Input = unknown> {
  /** The run id; a second submit of the same id is a no-op. */
  runId: string;
  /** The name the agent (or pipeline) is registered under in every worker. */
  agent: string;
  /** Plain JSON input. */
  input: Input;
}

/** What a worker's handler gets besides the job. */
export interface RunJobContext {
  /** 1 on the first delivery; higher when the run is retried or taken over after a crash. */
  attempt: number;
  /** Aborted when the worker shuts down. */
  signal: AbortSignal;
}

/** Options of {@link RunQueue.work}. */
export interface WorkOptions {
  /** Runs processed at once by this worker. Default 16. */
  concurrency?: number;
}

/** A running worker; `close()` stops taking runs and waits for those in progress. */
export interface RunWorker {
  close(): Promise<void>;
}

/** A run's outcome as the queue recorded it. */
export type RunOutcome<Result = unknown> =
  | { state: 'completed'; result: Result }
  | { state: 'failed'; reason: string }
  | { state: 'pending' };

/**
 * The run-queue port: submit runs by id (idempotent), process them in workers with a concurrency and
 * retries, wait for outcomes. In one process {@link createMemoryRunQueue}; across processes a shared one
 * (BullMQ on Redis) implements the same calls, and also hands a crashed worker's runs to another.
 */
export interface RunQueue<Input = unknown, Result = unknown> {
  /** Queues a run; `false` when a run with this id already exists (queued, running or finished). */
  submit(job: RunJob<Input>): Promise<boolean>;
  /** Starts a worker; the handler's value is the run's result, a rejection is retried up to `attempts`. */
  work(
    handler: (job: RunJob<Input>, context: RunJobContext) => Promise<Result>,
    options?: WorkOptions,
  ): RunWorker;
  /** Where a run stands now. */
  outcome(runId: string): Promise<RunOutcome<Result>>;
  /** Resolves with the run's result; rejects with {@link RunFailedError} when it failed for good. */
  waitFor(runId: string, timeoutMs?: number): Promise<Result>;
  /** Stops workers started here (waiting for runs in progress) and frees resources. */
  close(): Promise<void>;
}

/** A queued run failed on every attempt; `reason` is the last error's message. */
export class RunFailedError extends ChatloopError {
  constructor(
    readonly runId: string,
    readonly reason: string,
  ) {
    super('run_failed', `run ${runId} failed: ${reason}`);
  }
}

/** Waiting for a run took longer than the caller allowed. */
export class RunWaitTimeoutError extends ChatloopError {
  constructor(
    readonly runId: string,
    readonly timeoutMs: number,
  ) {
    super('run_wait_timeout', `run ${runId} did not finish within ${timeoutMs} ms`);
  }
}

/** Defaults of {@link createMemoryRunQueue}. */
export const MEMORY_RUN_QUEUE_DEFAULTS = {
  attempts: 3,
  backoffMs: 500,
  concurrency: 16,
} as const;

/** Options of {@link createMemoryRunQueue}. */
export interface MemoryRunQueueOptions {
  /** Deliveries of a run before it is failed for good. Default 3. */
  attempts?: number;
  /** First retry delay in ms, doubled per attempt. Default 500. */
  backoffMs?: number;
}

interface Entry<Input, Result> {
  job: RunJob<Input>;
  attemptsMade: number;
  outcome: RunOutcome<Result>;
  settled: Set<() => void>;
}

/** The in-process {@link RunQueue}. */
export function createMemoryRunQueue<Input = unknown, Result = unknown>(
  options: MemoryRunQueueOptions = {},
): RunQueue<Input, Result> {
  const attempts = options.attempts ?? MEMORY_RUN_QUEUE_DEFAULTS.attempts;
  const backoffMs = options.backoffMs ?? MEMORY_RUN_QUEUE_DEFAULTS.backoffMs;
  const entries = new Map<string, Entry<Input, Result>>();
  const ready: Entry<Input, Result>[] = [];
  const retryTimers = new Set<NodeJS.Timeout>();
  const workers = new Set<{ pump: () => void; close: () => Promise<void> }>();

  const pumpAll = () => {
    for (const worker of workers) worker.pump();
  };
  const finish = (entry: Entry<Input, Result>, outcome: RunOutcome<Result>) => {
    entry.outcome = outcome;
    for (const notify of entry.settled) notify();
    entry.settled.clear();
  };

  return {
    async submit(job) {
      if (entries.has(job.runId)) return false;
      const entry: Entry<Input, Result> = {
        job: structuredClone(job),
        attemptsMade: 0,
        outcome: { state: 'pending' },
        settled: new Set(),
      };
      entries.set(job.runId, entry);
      ready.push(entry);
      pumpAll();
      return true;
    },

    work(handler, workOptions = {}) {
      const concurrency = workOptions.concurrency ?? MEMORY_RUN_QUEUE_DEFAULTS.concurrency;
      const controller = new AbortController();
      const active = new Set<Promise<void>>();
      let closed = false;
      const runOne = async (entry: Entry<Input, Result>) => {
        entry.attemptsMade++;
        try {
          const result = await handler(structuredClone(entry.job), {
            attempt: entry.attemptsMade,
            signal: controller.signal,
          });
          finish(entry, { state: 'completed', result });
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          if (entry.attemptsMade >= attempts || closed) {
            finish(entry, { state: 'failed', reason });
            return;
          }
          const timer = setTimeout(
            () => {
              retryTimers.delete(timer);
              ready.push(entry);
              pumpAll();
            },
            backoffMs * 2 ** (entry.attemptsMade - 1),
          );
          retryTimers.add(timer);
        }
      };
      const worker = {
        pump: () => {
          while (!closed && active.size < concurrency && ready.length > 0) {
            const entry = ready.shift() as Entry<Input, Result>;
            const running: Promise<void> = runOne(entry).finally(() => {
              active.delete(running);
              worker.pump();
            });
            active.add(running);
          }
        },
        close: async () => {
          closed = true;
          workers.delete(worker);
          await Promise.all(active);
        },
      };
      workers.add(worker);
      worker.pump();
      return { close: worker.close };
    },

    async outcome(runId) {
      return entries.get(runId)?.outcome ?? { state: 'pending' };
    },

    waitFor(runId, timeoutMs = 60_000) {
      return new Promise<Result>((resolve, reject) => {
        const settle = () => {
          clearTimeout(timer);
          const outcome = entries.get(runId)?.outcome;
          if (outcome?.state === 'completed') resolve(outcome.result);
          else if (outcome?.state === 'failed') reject(new RunFailedError(runId, outcome.reason));
        };
        const timer = setTimeout(() => {
          entries.get(runId)?.settled.delete(settle);
          reject(new RunWaitTimeoutError(runId, timeoutMs));
        }, timeoutMs);
        const entry = entries.get(runId);
        if (!entry) {
          clearTimeout(timer);
          reject(new RunFailedError(runId, 'no such run'));
          return;
        }
        if (entry.outcome.state !== 'pending') {
          settle();
          return;
        }
        entry.settled.add(settle);
      });
    },

    async close() {
      for (const timer of retryTimers) clearTimeout(timer);
      retryTimers.clear();
      await Promise.all([...workers].map((worker) => worker.close()));
    },
  };
}
