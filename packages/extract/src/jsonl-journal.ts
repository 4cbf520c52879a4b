import { type FileHandle, open, readFile, truncate } from 'node:fs/promises';
import type { BatchJournal, JournalRecord, JournalState } from './batch-journal.js';
import { JournalStateBuilder } from './batch-journal.js';

/** Options of {@link createJsonlJournal}. */
export interface JsonlJournalOptions {
  /** The results file: one JSON line per extracted item (`{ id, object, attempts, usage, costUSD }`). */
  path: string;
  /** The failures file: one JSON line per failed item. Default `<path>.errors.jsonl` (beside `path`). */
  errorsPath?: string;
  /** `fsync` after each line, for power-loss durability (a killed process loses nothing either way). Default false. */
  fsync?: boolean;
}

/** The default failures file of a results file. */
export function defaultErrorsPath(path: string): string {
  return `${path.replace(/\.jsonl$/, '')}.errors.jsonl`;
}

async function readLines(path: string): Promise<{ lines: string[]; tornAt?: number }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { lines: [] };
    throw error;
  }
  const end = text.lastIndexOf('\n') + 1;
  const lines = text
    .slice(0, end)
    .split('\n')
    .filter((line) => line.length > 0);
  // A line without its newline was cut by a kill mid-write: cut it off, its item runs again.
  return end < text.length ? { lines, tornAt: Buffer.byteLength(text.slice(0, end)) } : { lines };
}

function parseLine(line: string, ok: boolean): JournalRecord<unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || typeof (value as { id?: unknown }).id !== 'string') {
    return undefined;
  }
  const record = value as Record<string, unknown>;
  const usage = (record.usage ?? {
    prompt_tokens: 0,
    completion_tokens: 0,
    total_tokens: 0,
  }) as JournalRecord['usage'];
  return ok
    ? ({ ...(record as object), ok: true, usage } as JournalRecord<unknown>)
    : ({ ...(record as object), ok: false, usage } as JournalRecord<unknown>);
}

/**
 * A {@link BatchJournal} on two append-only JSONL files: results in `path` (the batch's output, one line
 * per item, each item at most once), failures in `errorsPath`. `load` reads both, cuts off a last line torn
 * by a kill, and sums the totals; `append` writes each record as one line through a single ordered
 * writer, so lines never interleave.
 */
export function createJsonlJournal<T>(options: JsonlJournalOptions): BatchJournal<T> {
  const errorsPath = options.errorsPath ?? defaultErrorsPath(options.path);
  let results: FileHandle | undefined;
  let failures: FileHandle | undefined;
  let writing: Promise<void> = Promise.resolve();

  const write = async (handle: FileHandle, line: string) => {
    await handle.write(line);
    if (options.fsync) await handle.datasync();
  };

  return {
    async load(): Promise<JournalState> {
      const builder = new JournalStateBuilder();
      for (const [path, ok] of [
        [options.path, true],
        [errorsPath, false],
      ] as const) {
        const { lines, tornAt } = await readLines(path);
        if (tornAt !== undefined) await truncate(path, tornAt);
        for (const line of lines) {
          const record = parseLine(line, ok);
          if (record) builder.add(record);
        }
      }
      results = await open(options.path, 'a');
      failures = await open(errorsPath, 'a');
      return builder.state();
    },
    append(record: JournalRecord<T>): Promise<void> {
      const handle = record.ok ? results : failures;
      if (!handle) return Promise.reject(new TypeError('Call load() before append().'));
      const { ok: _ok, ...line } = record;
      const next = writing.then(() => write(handle, `${JSON.stringify(line)}\n`));
      writing = next.catch(() => {});
      return next;
    },
    async close() {
      await writing;
      await results?.close();
      await failures?.close();
      results = undefined;
      failures = undefined;
    },
  };
}
