import { stat } from 'node:fs/promises';
import {
  createClient,
  createLimiter,
  createLimiterMiddleware,
  createRetryMiddleware,
  type SendMiddleware,
} from '@chatloop/core';
import { ChatloopError } from '@chatloop/protocol';
import cliProgress from 'cli-progress';
import { estimateBatch } from './batch-estimate.js';
import type { BatchInput } from './batch-input.js';
import { batchInputKey } from './batch-input.js';
import { type BatchProgress, type BatchSummary, extractMany } from './extract-many.js';
import type { ExtractionModeOption } from './extraction-mode.js';
import { type BadInput, openInputSource } from './input-files.js';
import { createJsonlJournal, defaultErrorsPath } from './jsonl-journal.js';
import { loadSchema } from './schema-loader.js';
import {
  defaultBatchId,
  loadRedisBatchBackend,
  type SharedBatchBackend,
  writeSharedBatchOutput,
} from './shared-batch-backend.js';

/** Exit codes of the `chatloop` CLI, stable for scripts. */
export const CLI_EXIT_CODES = {
  /** Every input extracted (or a dry run / help printed). */
  ok: 0,
  /** The batch finished, but some inputs failed or were unusable (see the errors file and stderr). */
  itemsFailed: 1,
  /** Bad usage: flags, schema, input path, missing key, an existing output without `--resume`. */
  usage: 2,
  /** Stopped at the budget (`--max-cost`, `--max-tokens`); resume to go on. */
  budget: 3,
  /** Stopped by an error no item can overcome (quota, key, permission, unknown model); resume after fixing it. */
  fatal: 4,
  /** Interrupted (Ctrl-C); resume to go on. */
  interrupted: 130,
} as const;

/** Where the CLI reads and writes (injectable for tests). */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Readonly<Record<string, string | undefined>>;
  /** Whether stderr is a terminal (the progress bar is drawn only then). */
  isTTY: boolean;
  /** Subscribes to Ctrl-C; returns the unsubscribe. */
  onInterrupt: (handler: () => void) => () => void;
}

/** Parsed options of `chatloop extract`. */
export interface ExtractCommandOptions {
  schema: string;
  input: string;
  out?: string;
  errors?: string;
  model?: string;
  mode: string;
  instructions?: string;
  concurrency: string;
  resume?: boolean;
  retryFailed?: boolean;
  dryRun?: boolean;
  maxCost?: string;
  maxTokens?: string;
  maxOutputTokens?: string;
  maxRepairRetries?: string;
  baseUrl?: string;
  provider?: string;
  apiKey?: string;
  timeoutMs?: string;
  maxRetries: string;
  rpm?: string;
  tpm?: string;
  graceMs: string;
  json?: boolean;
  progress: boolean;
  /** Share the batch with other processes through this Redis URL (needs @chatloop/redis). */
  redis?: string;
  /** The shared batch's id. Default: from the input path, schema and model. */
  batchId?: string;
}

/** A usage error: printed, exit code 2. */
export class CliUsageError extends ChatloopError {
  constructor(message: string) {
    super('cli_usage', message);
  }
}

const MODES: readonly string[] = ['auto', 'json_schema', 'json_object', 'tool', 'text'];
const KEYLESS_PROVIDERS: readonly string[] = ['ollama', 'vllm', 'llamacpp'];

function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0)
    throw new CliUsageError(`${flag} must be a whole number, got "${value}".`);
  return parsed;
}

function positiveNumber(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0)
    throw new CliUsageError(`${flag} must be a number, got "${value}".`);
  return parsed;
}

const usd = (value: number | undefined) =>
  value === undefined ? 'unknown (model not priced)' : `$${value.toFixed(4)}`;
const int = (value: number) => Math.round(value).toLocaleString('en-US');

function summaryText(summary: BatchSummary, bad: number, outPath: string): string {
  const seconds = summary.elapsedMs / 1000;
  return [
    `${summary.stopped}: ${summary.done} done, ${summary.failed} failed, ${summary.skipped} skipped, ${bad} bad input(s)` +
      `${summary.interrupted ? `, ${summary.interrupted} interrupted` : ''}${summary.total === undefined ? '' : ` of ${summary.total}`}` +
      ` in ${seconds.toFixed(1)} s (${summary.itemsPerSecond.toFixed(1)} items/s)`,
    `tokens this run: ${int(summary.usage.prompt_tokens)} prompt + ${int(summary.usage.completion_tokens)} completion = ${int(summary.usage.total_tokens)}; cost ${usd(summary.costUSD)}`,
    `checkpoint ${outPath}: ${summary.totals.done} done, ${summary.totals.failed} failed, ${int(summary.totals.totalTokens)} tokens, $${summary.totals.costUSD.toFixed(4)}`,
    ...(summary.error ? [`stopped by: ${summary.error.message}`] : []),
  ].join('\n');
}

/** Runs `chatloop extract`; returns the exit code (see {@link CLI_EXIT_CODES}). */
export async function runExtractCommand(options: ExtractCommandOptions, io: CliIO): Promise<number> {
  const model = options.model ?? io.env.CHATLOOP_MODEL;
  if (!model) throw new CliUsageError('--model is required (or set CHATLOOP_MODEL).');
  if (!MODES.includes(options.mode)) throw new CliUsageError(`--mode must be one of ${MODES.join(', ')}.`);
  const concurrency = positiveInt(options.concurrency, '--concurrency') ?? 8;
  if (concurrency < 1) throw new CliUsageError('--concurrency must be at least 1.');
  const maxOutputTokens = positiveInt(options.maxOutputTokens, '--max-output-tokens');
  const maxRepairRetries = positiveInt(options.maxRepairRetries, '--max-repair-retries');
  const maxCostUSD = positiveNumber(options.maxCost, '--max-cost');
  const maxTokens = positiveInt(options.maxTokens, '--max-tokens');
  const graceMs = positiveInt(options.graceMs, '--grace-ms') ?? 30_000;
  const timeoutMs = positiveInt(options.timeoutMs, '--timeout-ms');
  const maxRetries = positiveInt(options.maxRetries, '--max-retries') ?? 4;
  const requestsPerMinute = positiveInt(options.rpm, '--rpm');
  const tokensPerMinute = positiveInt(options.tpm, '--tpm');
  const provider = options.provider ?? io.env.CHATLOOP_PROVIDER;

  const schema = await loadSchema(options.schema);
  const bad: BadInput[] = [];
  const reportBad = (entry: BadInput) => {
    bad.push(entry);
    io.stderr(`${entry.file}${entry.line === undefined ? '' : `:${entry.line}`}: ${entry.message}\n`);
  };
  const source = await openInputSource(options.input, reportBad);
  const common = {
    model,
    schema,
    mode: options.mode as ExtractionModeOption,
    ...(provider === undefined ? {} : { provider }),
    ...(options.instructions === undefined ? {} : { instructions: options.instructions }),
    ...(maxRepairRetries === undefined ? {} : { maxRepairRetries }),
    ...(maxOutputTokens === undefined ? {} : { request: { max_completion_tokens: maxOutputTokens } }),
  };

  if (options.dryRun) {
    const estimate = await estimateBatch(source.inputs, {
      ...common,
      onUnusable: (input: BatchInput, error: unknown) =>
        reportBad({
          file: options.input,
          message: `${typeof input === 'object' && input.id !== undefined ? `item ${input.id}: ` : ''}${error instanceof Error ? error.message : String(error)}`,
        }),
    });
    if (options.json) io.stdout(`${JSON.stringify({ ...estimate, badInputs: bad.length, model })}\n`);
    else {
      io.stdout(
        [
          `dry run: ${estimate.items} input(s), ${bad.length} bad, model ${model}, mode ${estimate.mode}; nothing sent`,
          `prompt tokens: ${int(estimate.promptTokens)}${estimate.estimated ? ' (estimated)' : ''}, ${int(estimate.items ? estimate.promptTokens / estimate.items : 0)} per item`,
          `input cost: ${usd(estimate.inputCostUSD)}`,
          `at most: ${usd(estimate.maxCostUSD)} if every item used its full output limit of ${int(estimate.maxOutputTokensPerItem)} tokens${maxOutputTokens === undefined ? ' (bound it with --max-output-tokens)' : ''}; repair retries not included`,
        ].join('\n') + '\n',
      );
    }
    return bad.length > 0 ? CLI_EXIT_CODES.itemsFailed : CLI_EXIT_CODES.ok;
  }

  if (!options.out) throw new CliUsageError('--out is required (the JSONL results file), unless --dry-run.');
  const apiKey = options.apiKey ?? io.env.CHATLOOP_API_KEY ?? io.env.OPENAI_API_KEY;
  if (!apiKey && !(provider && KEYLESS_PROVIDERS.includes(provider))) {
    throw new CliUsageError('No API key: set CHATLOOP_API_KEY (or OPENAI_API_KEY), or pass --api-key.');
  }
  const existing = await stat(options.out).catch(() => undefined);
  // With --redis the batch's state is in Redis and every process rewrites --out from it.
  if (existing && existing.size > 0 && !options.resume && options.redis === undefined) {
    throw new CliUsageError(
      `${options.out} already has results: pass --resume to continue it, or choose another --out.`,
    );
  }
  const baseURL =
    options.baseUrl ?? io.env.CHATLOOP_BASE_URL ?? io.env.OPENAI_BASE_URL ?? 'https://api.openai.com/v1';
  // Retries outermost, so every attempt takes its own permit from the limiter (which a 429 pauses).
  const middleware: SendMiddleware[] = [createRetryMiddleware({ retry: { maxRetries } })];
  if (requestsPerMinute !== undefined || tokensPerMinute !== undefined) {
    const limiter = createLimiter({
      ...(requestsPerMinute === undefined ? {} : { requestsPerMinute }),
      ...(tokensPerMinute === undefined ? {} : { tokensPerMinute }),
    });
    middleware.push(createLimiterMiddleware({ limiter, scope: baseURL }));
  }
  const client = createClient({
    baseURL,
    ...(apiKey ? { apiKey } : {}),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    middleware,
  });

  const controller = new AbortController();
  let interrupts = 0;
  let lastProgress: BatchProgress | undefined;
  const unsubscribe = io.onInterrupt(() => {
    interrupts++;
    if (interrupts === 1) {
      io.stderr(
        `\nStopping: no new items; waiting up to ${graceMs} ms for ${lastProgress?.inFlight ?? 'the'} in-flight item(s).\n`,
      );
      controller.abort(new ChatloopError('aborted', 'Interrupted by the user.'));
    }
  });
  const bar =
    io.isTTY && options.progress
      ? new cliProgress.SingleBar(
          {
            format:
              '{bar} {value}/{total} | {done} done {failed} failed | {rate}/s | ETA {etaText} | {tokens} tok | {cost}',
            hideCursor: true,
            etaBuffer: 50,
          },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
  bar?.start(source.total, 0, { done: 0, failed: 0, rate: '0.0', etaText: '-', tokens: 0, cost: '$0' });
  let summary: BatchSummary;
  let shared: SharedBatchBackend | undefined;
  let sharedFailures = 0;
  try {
    if (options.redis !== undefined) {
      const createBackend = await loadRedisBatchBackend();
      shared = await createBackend({
        url: options.redis,
        batchId: options.batchId ?? defaultBatchId({ input: options.input, schema: options.schema, model }),
      });
    }
    summary = await extractMany(source.inputs, {
      ...common,
      client,
      concurrency,
      journal:
        shared?.journal ??
        createJsonlJournal({
          path: options.out,
          ...(options.errors === undefined ? {} : { errorsPath: options.errors }),
        }),
      ...(shared === undefined
        ? {}
        : {
            queue: shared.queue(source.inputs, {
              key: batchInputKey,
              retryFailed: options.retryFailed ?? false,
              signal: controller.signal,
            }),
          }),
      retryFailed: options.retryFailed ?? false,
      total: source.total,
      ...(maxCostUSD === undefined && maxTokens === undefined
        ? {}
        : {
            budget: {
              ...(maxCostUSD === undefined ? {} : { maxCostUSD }),
              ...(maxTokens === undefined ? {} : { maxTokens }),
            },
          }),
      signal: controller.signal,
      graceMs,
      onProgress: (progress) => {
        lastProgress = progress;
        bar?.update(progress.done + progress.failed + progress.skipped + bad.length, {
          done: progress.done,
          failed: progress.failed,
          rate: progress.itemsPerSecond.toFixed(1),
          etaText: progress.etaMs === undefined ? '-' : `${Math.ceil(progress.etaMs / 1000)}s`,
          tokens: progress.usage.total_tokens,
          cost: usd(progress.costUSD),
        });
      },
    });
    if (shared !== undefined && summary.stopped === 'completed') {
      // The whole batch is done (by every process): write it, identically in each process.
      const written = await writeSharedBatchOutput(shared, {
        out: options.out,
        errorsPath: options.errors ?? defaultErrorsPath(options.out),
      });
      sharedFailures = written.failures;
    }
  } finally {
    bar?.stop();
    unsubscribe();
    await client.close();
    await shared?.close();
  }
  if (options.json) {
    io.stdout(
      `${JSON.stringify({
        stopped: summary.stopped,
        total: summary.total,
        done: summary.done,
        failed: summary.failed,
        skipped: summary.skipped,
        interrupted: summary.interrupted,
        badInputs: bad.length,
        usage: summary.usage,
        costUSD: summary.costUSD,
        elapsedMs: summary.elapsedMs,
        itemsPerSecond: summary.itemsPerSecond,
        totals: summary.totals,
        out: options.out,
        errors: options.errors ?? defaultErrorsPath(options.out),
        ...(summary.error
          ? { error: { code: (summary.error as ChatloopError).code, message: summary.error.message } }
          : {}),
      })}\n`,
    );
  } else {
    io.stdout(`${summaryText(summary, bad.length, options.out)}\n`);
  }
  switch (summary.stopped) {
    case 'aborted':
      return CLI_EXIT_CODES.interrupted;
    case 'budget':
      return CLI_EXIT_CODES.budget;
    case 'fatal':
      return CLI_EXIT_CODES.fatal;
    default:
      return summary.failed > 0 || sharedFailures > 0 || bad.length > 0
        ? CLI_EXIT_CODES.itemsFailed
        : CLI_EXIT_CODES.ok;
  }
}
