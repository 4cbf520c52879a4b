import type { Usage } from '@chatloop/protocol';

/** The terminal outcome of one batch item, as the journal records it. */
export type JournalRecord<T = unknown> =
  | {
      /** The item's stable key. */
      id: string;
      ok: true;
      object: T;
      /** Model calls made for the item. */
      attempts: number;
      usage: Usage;
      /** USD billed for the item; absent when the model's price is unknown. */
      costUSD?: number;
    }
  | {
      id: string;
      ok: false;
      /** The failure, as the error's plain JSON (`code`, `message`, ...). */
      error: { code: string; message: string; [key: string]: unknown };
      attempts?: number;
      /** Tokens billed before the item failed (repair attempts included). */
      usage: Usage;
      costUSD?: number;
    };

/** Sums over journal records. */
export interface JournalTotals {
  /** Items with a result. */
  done: number;
  /** Items whose last outcome is a failure (and no result). */
  failed: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /** USD over the records that carry a cost. */
  costUSD: number;
}

/** What earlier runs left in a journal. */
export interface JournalState {
  /** Keys of items with a result: never run again. */
  done: ReadonlySet<string>;
  /** Keys of items that failed and have no result: run again only when asked. */
  failed: ReadonlySet<string>;
  /** Sums over every record, all runs. */
  totals: JournalTotals;
}

/**
 * Where a batch records each item's terminal outcome as it completes, so a killed run resumes without
 * redoing finished items and without writing any twice. The in-process default is a JSONL file
 * (`createJsonlJournal`); a shared backend (Redis) implements the same port.
 */
export interface BatchJournal<T = unknown> {
  /** Reads what earlier runs recorded (repairing a record torn by a kill). Called once, before `append`. */
  load(): Promise<JournalState>;
  /** Records one outcome; resolves once it is written. Results are recorded at most once per key. */
  append(record: JournalRecord<T>): Promise<void>;
  /** Flushes and releases the journal. */
  close(): Promise<void>;
}

/** Zeroed totals. */
export function emptyTotals(): JournalTotals {
  return { done: 0, failed: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0, costUSD: 0 };
}

/**
 * Folds records into a {@link JournalState}: a result wins over any failure of the same key; a key's
 * usage and cost are summed over all its records (a failed attempt was billed too).
 */
export class JournalStateBuilder {
  private readonly done = new Set<string>();
  private readonly failed = new Set<string>();
  private readonly totals = emptyTotals();

  /** Adds one record. */
  add(record: JournalRecord<unknown>): void {
    if (record.ok) {
      this.done.add(record.id);
      this.failed.delete(record.id);
    } else if (!this.done.has(record.id)) {
      this.failed.add(record.id);
    }
    this.totals.promptTokens += record.usage.prompt_tokens ?? 0;
    this.totals.completionTokens += record.usage.completion_tokens ?? 0;
    this.totals.totalTokens += record.usage.total_tokens ?? 0;
    this.totals.costUSD += record.costUSD ?? 0;
  }

  /** The state so far. */
  state(): JournalState {
    return {
      done: new Set(this.done),
      failed: new Set(this.failed),
      totals: { ...this.totals, done: this.done.size, failed: this.failed.size },
    };
  }
}

/** A journal kept in memory (tests, and batches that need no resume). `records` holds what was appended. */
export function createMemoryJournal<T>(initial: JournalRecord<T>[] = []): BatchJournal<T> & {
  readonly records: JournalRecord<T>[];
} {
  const records = [...initial];
  return {
    records,
    async load() {
      const builder = new JournalStateBuilder();
      for (const record of records) builder.add(record);
      return builder.state();
    },
    async append(record) {
      records.push(record);
    },
    async close() {},
  };
}
