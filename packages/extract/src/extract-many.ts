import { setMaxListeners } from 'node:events';
import { costOf, createBudget, getModel, UnknownModelError } from '@chatloop/models';
import { ChatloopError, type Usage } from '@chatloop/protocol';
import { type BatchInput, batchInputKey, batchInputToExtractInput } from './batch-input.js';
import {
  type BatchJournal,
  createMemoryJournal,
  type JournalRecord,
  type JournalTotals,
} from './batch-journal.js';
import { extract } from './extract.js';
import type { ExtractOptions } from './extraction-plan.js';
import { createJsonlJournal } from './jsonl-journal.js';
import { addUsage, emptyUsage } from './usage-sum.js';
import { createInputQueue, type QueuedItem, type WorkQueue } from './work-queue.js';

/** Defaults of {@link extractMany}. */
export const EXTRACT_MANY_DEFAULTS = {
  /** Items extracted at once. */
  concurrency: 8,
  /** After `signal` aborts, how long in-flight items may finish before they are aborted, in ms. */
  graceMs: 30_000,
  /** Error codes that stop the whole batch (waiting or other items cannot help); the item is not recorded. */
  fatalCodes: ['insufficient_quota', 'authentication', 'permission_denied', 'not_found'] as readonly string[],
} as const;

/** Progress of a batch, after each item. Counts are of this run unless named `totals`. */
export interface BatchProgress {
  /** Inputs in the batch, when known (an array's length, or `total`). */
  total: number | undefined;
  /** Items extracted in this run. */
  done: number;
  /** Items that failed in this run (recorded, the batch goes on). */
  failed: number;
  /** Items skipped: done (or failed, without `retryFailed`) in an earlier run, or a repeated key. */
  skipped: number;
  /** Items running now. */
  inFlight: number;
  /** Tokens billed in this run. */
  usage: Usage;
  /** USD billed in this run; `undefined` when the model's price is unknown. */
  costUSD: number | undefined;
  /** Time since the batch started, in ms. */
  elapsedMs: number;
  /** Finished items (done + failed) per second in this run. */
  itemsPerSecond: number;
  /** Estimated time to finish, in ms, when `total` is known and items have finished. */
  etaMs: number | undefined;
}

/** How a batch ended. */
export type BatchStopReason = 'completed' | 'aborted' | 'budget' | 'fatal';

/** The outcome of {@link extractMany}. */
export interface BatchSummary extends BatchProgress {
  /** Why the batch stopped; `completed` when every input has an outcome. */
  stopped: BatchStopReason;
  /** Items started but aborted at the end of the grace period (not recorded; a resume runs them). */
  interrupted: number;
  /** The error that stopped a `fatal` batch. */
  error?: ChatloopError | Error;
  /** Sums over the whole journal, earlier runs included. */
  totals: JournalTotals;
}

/** One finished item, for `onItem`. */
export type BatchItemEvent<T> = { key: string; index: number } & (
  | { ok: true; object: T; usage: Usage }
  | { ok: false; error: unknown; usage: Usage }
);

/** Options of {@link extractMany}: those of `extract` (but `input`) plus the batch's. */
export interface ExtractManyOptions<T> extends Omit<ExtractOptions<T>, 'input'> {
  /** Items extracted at once. Default 8. */
  concurrency?: number;
  /** A JSONL checkpoint: results go to this file, failures beside it (see `createJsonlJournal`). */
  checkpoint?: string;
  /** The journal to use instead of `checkpoint` (e.g. a Redis one). Default: in memory. */
  journal?: BatchJournal<T>;
  /** The work queue to use instead of reading `inputs` in order (e.g. a Redis one). */
  queue?: WorkQueue<BatchInput>;
  /** Run again the items an earlier run recorded as failed. Default false. */
  retryFailed?: boolean;
  /** The stable key of an input. Default: its `id`, else a hash of it. */
  key?: (input: BatchInput, index: number) => string;
  /** The number of inputs, for progress and ETA when `inputs` is not an array. */
  total?: number;
  /** Stop taking new items once this run has spent this much (checked after each item). */
  budget?: { maxTokens?: number; maxCostUSD?: number };
  /** Stops intake when aborted; in-flight items get `graceMs` to finish, then are aborted. */
  signal?: AbortSignal;
  /** Grace period after `signal` aborts, in ms. Default 30,000. */
  graceMs?: number;
  /** Called after each item with the batch's progress. */
  onProgress?: (progress: BatchProgress) => void;
  /** Called after each item with its outcome (before `onProgress`). */
  onItem?: (event: BatchItemEvent<T>) => void;
  /** The clock, in ms. Default `Date.now`. */
  now?: () => number;
}

function errorJson(error: unknown): { code: string; message: string; [key: string]: unknown } {
  if (ChatloopError.is(error)) {
    const json = error.toJSON();
    return { ...json, code: error.code, message: error.message };
  }
  return {
    code: 'unexpected',
    message: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
  };
}

/**
 * Extracts an object from each of many inputs, `concurrency` at a time through the client (whose limiter
 * and retries apply), recording each outcome as it completes in a journal (a JSONL checkpoint by
 * default). On a rerun with the same journal, inputs already done are skipped by their stable key, and
 * failed ones are run again only with `retryFailed`, so every input ends in the output exactly once.
 * Per-item failures are recorded without stopping; an error that no item can overcome
 * (`insufficient_quota`, authentication, permission, unknown model) stops the batch and is not recorded.
 * Aborting `signal` stops intake and gives in-flight items `graceMs` to finish; items aborted after it are
 * not recorded, so a resume runs them.
 *
 * @throws UnknownModelError when `budget.maxCostUSD` is set and the model has no known price.
 * @throws the journal's own errors (a failed write stops the batch).
 */
export async function extractMany<T>(
  inputs: Iterable<BatchInput> | AsyncIterable<BatchInput>,
  options: ExtractManyOptions<T>,
): Promise<BatchSummary> {
  const {
    concurrency = EXTRACT_MANY_DEFAULTS.concurrency,
    checkpoint,
    journal: givenJournal,
    queue: givenQueue,
    retryFailed = false,
    key = batchInputKey,
    total: givenTotal,
    budget: budgetOptions,
    signal,
    graceMs = EXTRACT_MANY_DEFAULTS.graceMs,
    onProgress,
    onItem,
    now = Date.now,
    ...extractOptions
  } = options;
  const priced = getModel(options.model)?.pricing !== undefined;
  if (budgetOptions?.maxCostUSD !== undefined && !priced) throw new UnknownModelError(options.model);
  const budget = budgetOptions ? createBudget(budgetOptions) : undefined;
  const journal =
    givenJournal ??
    (checkpoint === undefined ? createMemoryJournal<T>() : createJsonlJournal<T>({ path: checkpoint }));
  const state = await journal.load();
  const startedAt = now();
  const usage = emptyUsage();
  const totals: JournalTotals = { ...state.totals };
  let costUSD = 0;
  let done = 0;
  let failed = 0;
  let skipped = 0;
  let inFlight = 0;
  let interrupted = 0;
  let stopped: BatchStopReason | undefined;
  let fatal: ChatloopError | Error | undefined;
  let journalError: unknown;
  const total = givenTotal ?? (Array.isArray(inputs) ? inputs.length : undefined);

  const queue =
    givenQueue ??
    createInputQueue(inputs, {
      key,
      skip: (itemKey) => state.done.has(itemKey) || (!retryFailed && state.failed.has(itemKey)),
      onSkip: () => {
        skipped++;
      },
    });

  const progress = (): BatchProgress => {
    const elapsedMs = now() - startedAt;
    const finished = done + failed;
    const itemsPerSecond = elapsedMs > 0 ? (finished * 1000) / elapsedMs : 0;
    const remaining = total === undefined ? undefined : Math.max(0, total - skipped - finished);
    return {
      total,
      done,
      failed,
      skipped,
      inFlight,
      usage: { ...usage },
      costUSD: priced ? costUSD : undefined,
      elapsedMs,
      itemsPerSecond,
      etaMs: remaining !== undefined && itemsPerSecond > 0 ? (remaining / itemsPerSecond) * 1000 : undefined,
    };
  };

  const hardStop = new AbortController();
  // Every in-flight request listens on this one signal; that many listeners is expected, not a leak.
  setMaxListeners(Math.max(10, concurrency * 4), hardStop.signal);
  let graceTimer: NodeJS.Timeout | undefined;
  const onAbort = () => {
    stopped ??= 'aborted';
    graceTimer = setTimeout(() => hardStop.abort(signal?.reason), graceMs);
  };
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });

  const account = (itemUsage: Usage): number | undefined => {
    usage.prompt_tokens += itemUsage.prompt_tokens;
    usage.completion_tokens += itemUsage.completion_tokens;
    usage.total_tokens += itemUsage.total_tokens;
    totals.promptTokens += itemUsage.prompt_tokens;
    totals.completionTokens += itemUsage.completion_tokens;
    totals.totalTokens += itemUsage.total_tokens;
    let itemCost: number | undefined;
    if (priced) {
      itemCost = costOf(itemUsage, options.model).totalUSD;
      costUSD += itemCost;
      totals.costUSD += itemCost;
    }
    if (budget) {
      budget.add(itemUsage, options.model);
      if (budget.exceeded) stopped ??= 'budget';
    }
    return itemCost;
  };

  const record = async (entry: JournalRecord<T>) => {
    try {
      await journal.append(entry);
    } catch (error) {
      journalError ??= error;
      stopped ??= 'fatal';
      throw error;
    }
  };

  const runItem = async (queued: QueuedItem<BatchInput>) => {
    // Every billed call of the item, so a failure after billed repair attempts still counts them.
    const billed = emptyUsage();
    try {
      const result = await extract({
        ...extractOptions,
        input: batchInputToExtractInput(queued.item),
        signal: hardStop.signal,
        onUsage: (callUsage) => {
          addUsage(billed, callUsage);
          extractOptions.onUsage?.(callUsage);
        },
      });
      const itemCost = account(result.usage);
      await record({
        id: queued.key,
        ok: true,
        object: result.object,
        attempts: result.attempts,
        usage: result.usage,
        ...(itemCost === undefined ? {} : { costUSD: itemCost }),
      });
      done++;
      totals.done++;
      if (state.failed.has(queued.key)) totals.failed--;
      onItem?.({
        key: queued.key,
        index: queued.index,
        ok: true,
        object: result.object,
        usage: result.usage,
      });
    } catch (error) {
      if (journalError !== undefined) return;
      if (hardStop.signal.aborted) {
        interrupted++;
        return;
      }
      if (ChatloopError.is(error) && EXTRACT_MANY_DEFAULTS.fatalCodes.includes(error.code)) {
        fatal ??= error;
        stopped ??= 'fatal';
        return;
      }
      const itemUsage = billed;
      const itemCost = account(itemUsage);
      await record({
        id: queued.key,
        ok: false,
        error: errorJson(error),
        usage: itemUsage,
        ...(itemCost === undefined ? {} : { costUSD: itemCost }),
      }).catch(() => {});
      if (journalError !== undefined) return;
      failed++;
      if (!state.failed.has(queued.key)) totals.failed++;
      onItem?.({ key: queued.key, index: queued.index, ok: false, error, usage: itemUsage });
    }
    onProgress?.(progress());
  };

  // The queue is read by one worker at a time.
  let taking: Promise<unknown> = Promise.resolve();
  const take = (): Promise<QueuedItem<BatchInput> | undefined> => {
    const next = taking.then(() => (stopped ? undefined : queue.next()));
    taking = next.catch(() => {});
    return next;
  };

  const worker = async () => {
    while (!stopped) {
      const queued = await take();
      if (!queued || stopped) return;
      inFlight++;
      try {
        await runItem(queued);
      } finally {
        inFlight--;
      }
    }
  };

  try {
    await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  } finally {
    clearTimeout(graceTimer);
    signal?.removeEventListener('abort', onAbort);
    await journal.close();
  }
  if (journalError !== undefined) throw journalError;
  return {
    ...progress(),
    stopped: stopped ?? 'completed',
    interrupted,
    ...(fatal === undefined ? {} : { error: fatal }),
    totals,
  };
}
