import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ChatloopError, errorGuard } from '@chatloop/protocol';
import type { BatchInput } from './batch-input.js';
import type { BatchJournal, JournalRecord } from './batch-journal.js';
import type { WorkQueue } from './work-queue.js';

/** Options of a {@link SharedBatchBackend}'s `queue`. */
export interface SharedBatchQueueOptions {
  /** The stable key of an input (the same function `extractMany` is given). */
  key: (input: BatchInput, index: number) => string;
  /** Run again the items an earlier run recorded as failed. Default false. */
  retryFailed?: boolean;
  /** Stops waiting for items other processes hold: `next()` then returns `undefined`. */
  signal?: AbortSignal;
}

/**
 * A batch shared by several processes (each runs `extractMany` over the same inputs with this journal
 * and queue): every item is worked on by one process at a time, each result is kept once, and any process
 * can read the whole batch's outcome. `@chatloop/redis` implements it (`createRedisExtractBackend`).
 */
export interface SharedBatchBackend<T = unknown> {
  /** The batch's id (all processes of one batch use the same). */
  readonly batchId: string;
  /** The journal to give `extractMany`. */
  readonly journal: BatchJournal<T>;
  /** A queue over the same inputs as every other process: claims items, skips finished ones, takes over a crashed process's items. */
  queue(
    inputs: Iterable<BatchInput> | AsyncIterable<BatchInput>,
    options: SharedBatchQueueOptions,
  ): WorkQueue<BatchInput>;
  /** The first result of each item, in input order. */
  results(): Promise<Extract<JournalRecord<T>, { ok: true }>[]>;
  /** The last failure of each item that has no result, in input order. */
  failures(): Promise<Extract<JournalRecord<T>, { ok: false }>[]>;
  /** Releases the connection. */
  close(): Promise<void>;
}

/** Options of a {@link SharedBatchBackendFactory}. */
export interface SharedBatchBackendOptions {
  /** The backend's URL (e.g. `redis://127.0.0.1:6379`). */
  url: string;
  /** The batch's id: processes with the same id share the batch. */
  batchId: string;
  /** How long a process's claim on an item lasts without renewal, in ms (a crashed process's items move after it). */
  leaseMs?: number;
}

/** Builds a {@link SharedBatchBackend} (what `@chatloop/redis` exports as `createRedisExtractBackend`). */
export type SharedBatchBackendFactory = (options: SharedBatchBackendOptions) => Promise<SharedBatchBackend>;

/** `@chatloop/redis` is needed (for `--redis`) but cannot be loaded from the project. */
export class SharedBackendMissingError extends ChatloopError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('shared_backend_missing', message, options);
  }
}

/** True for a {@link SharedBackendMissingError}. */
export const isSharedBackendMissingError = errorGuard<SharedBackendMissingError>('shared_backend_missing');

/**
 * The default batch id of a CLI run: the first 16 hex digits of the SHA-256 of the input's absolute
 * path, the schema spec and the model, so the same command shares one batch and another does not.
 */
export function defaultBatchId(parts: { input: string; schema: string; model: string }): string {
  const text = JSON.stringify([resolve(parts.input), parts.schema, parts.model]);
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

function resolveRedisPackage(cwd: string): string {
  const require = createRequire(join(cwd, 'package.json'));
  try {
    // Matches when the package's exports answer Node's own conditions (e.g. `--conditions=@chatloop/source`).
    return require.resolve('@chatloop/redis');
  } catch {
    // An ESM-only exports map: find the package, then its `import` entry.
    const manifestPath = require.resolve('@chatloop/redis/package.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
      exports?: { '.'?: { import?: string } };
      main?: string;
    };
    const entry = manifest.exports?.['.']?.import ?? manifest.main ?? 'index.js';
    return join(dirname(manifestPath), entry);
  }
}

/**
 * Loads `createRedisExtractBackend` from the `@chatloop/redis` package installed in the project at
 * `cwd` (extract sits below redis, so it never imports it statically).
 *
 * @throws SharedBackendMissingError when the package is not installed or does not export the factory.
 */
export async function loadRedisBatchBackend(cwd: string = process.cwd()): Promise<SharedBatchBackendFactory> {
  let module: { createRedisExtractBackend?: unknown };
  try {
    module = (await import(pathToFileURL(resolveRedisPackage(cwd)).href)) as typeof module;
  } catch (error) {
    throw new SharedBackendMissingError(
      `--redis needs the @chatloop/redis package: install it in this project (npm install @chatloop/redis). ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  if (typeof module.createRedisExtractBackend !== 'function') {
    throw new SharedBackendMissingError(
      'The installed @chatloop/redis does not export createRedisExtractBackend: update it.',
    );
  }
  return module.createRedisExtractBackend as SharedBatchBackendFactory;
}

async function writeLines(path: string, lines: readonly object[]): Promise<void> {
  // Each process writes its own temporary file and renames it over the target: readers never see a torn file.
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
  await rename(temporary, path);
}

/**
 * Writes a shared batch's outcome like the JSONL journal would: one line per result in `out`
 * (`{ id, object, attempts, usage, costUSD }`), one per failure in `errorsPath`, both in input order, so
 * every process of the batch writes the identical files. Returns the counts.
 */
export async function writeSharedBatchOutput(
  backend: SharedBatchBackend,
  paths: { out: string; errorsPath: string },
): Promise<{ results: number; failures: number }> {
  const results = await backend.results();
  const failures = await backend.failures();
  const strip = ({ ok: _ok, ...line }: JournalRecord) => line;
  await writeLines(paths.out, results.map(strip));
  await writeLines(paths.errorsPath, failures.map(strip));
  return { results: results.length, failures: failures.length };
}
