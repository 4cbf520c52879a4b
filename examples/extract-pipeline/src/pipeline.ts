import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '@chatloop/extract';
import { startServer } from '@chatloop/testing';
import { writeInvoiceInput } from './generate.js';
import { invoiceModel } from './invoice-model.js';
import { INVOICE_SCHEMA } from './invoice-schema.js';

/** Options of {@link runPipeline}. */
export interface PipelineOptions {
  /** How many invoices to generate. Default 240. */
  count?: number;
  /** Where the input, schema and results go (created; old results removed). */
  dir: string;
  /** Receives each report line. */
  write: (line: string) => void;
  /** Inputs extracted at once by the CLI. Default 8. */
  concurrency?: number;
  /** The CLI's stderr: `inherit` shows its live progress bar on a terminal. Default `pipe` (discarded). */
  stderr?: 'inherit' | 'pipe';
  /**
   * How the CLI runs: `process` (default) spawns `chatloop` as a user would, Ctrl-C being a real
   * SIGINT; `in-process` calls the same CLI entry (`runCli`) in this process, Ctrl-C through its
   * interrupt hook (the tests use it: no child start-up).
   */
  cli?: 'process' | 'in-process';
}

/** What the pipeline did: the CLI's exit codes per pass and the checked results. */
export interface PipelineReport {
  exitCodes: { dryRun: number | null; first: number | null; resumed: number | null };
  total: number;
  /** Ids in the results file (each must appear once). */
  uniqueIds: number;
  lines: number;
  /** Results equal to the invoice the generator wrote. */
  correct: number;
  totalTokens: number;
  costUSD: number;
}

const MODEL = 'gpt-4o-mini';
const EXAMPLE_DIR = fileURLToPath(new URL('..', import.meta.url));
const CLI_PATH = join(
  dirname(createRequire(import.meta.url).resolve('@chatloop/extract/package.json')),
  'src',
  'cli.ts',
);

/**
 * Generates the invoices, starts the testing server with a scripted extraction model, and runs the
 * `chatloop extract` CLI as a user would (a child process): a dry run with the cost estimate, a first
 * pass interrupted with Ctrl-C (SIGINT) half way, a `--resume` pass that finishes, then a report that
 * checks every input is in the results exactly once and matches the generator, with tokens and cost.
 */
export async function runPipeline(options: PipelineOptions): Promise<PipelineReport> {
  const count = options.count ?? 240;
  const write = options.write;
  await mkdir(options.dir, { recursive: true });
  const input = join(options.dir, 'invoices.jsonl');
  const schema = join(options.dir, 'invoice.schema.json');
  const out = join(options.dir, 'invoices.out.jsonl');
  await rm(out, { force: true });
  await rm(`${out}.errors.jsonl`, { force: true });
  const documents = await writeInvoiceInput(input, { count });
  await writeFile(schema, JSON.stringify(INVOICE_SCHEMA, null, 2));
  write(`generated ${documents.length} synthetic invoices -> ${input}`);

  let served = 0;
  let interruptAt = 0;
  let interrupt: (() => void) | undefined;
  const server = await startServer({
    models: {
      [MODEL]: invoiceModel(() => {
        served++;
        // Ctrl-C half way, pressed from the server side: deterministic, no timers.
        if (served === interruptAt) interrupt?.();
      }),
    },
  });
  try {
    const env = { CHATLOOP_BASE_URL: server.url, CHATLOOP_API_KEY: 'offline', CHATLOOP_MODEL: MODEL };
    const base = ['extract', '--schema', schema, '--input', input, '--out', out];
    const concurrency = String(options.concurrency ?? 8);
    const setInterrupt = (handler: () => void) => {
      interrupt = handler;
    };
    const run = (args: string[]) =>
      options.cli === 'in-process'
        ? runCliInProcess(args, env, setInterrupt)
        : runCliProcess(args, env, options.stderr ?? 'pipe', (child) =>
            setInterrupt(() => child.kill('SIGINT')),
          );

    write('');
    write(`$ chatloop extract --dry-run (${documents.length} inputs, ${MODEL})`);
    const dryRun = await run([...base, '--dry-run']);
    indent(write, dryRun.stdout);

    write('');
    write(
      `$ chatloop extract --concurrency ${concurrency}   (Ctrl-C after ${Math.floor(count / 2)} requests)`,
    );
    interruptAt = Math.floor(count / 2);
    const first = await run([...base, '--concurrency', concurrency]);
    indent(write, first.stdout);
    write(`  exit code ${first.code}${first.code === 130 ? ' (interrupted)' : ''}`);

    write('');
    write(`$ chatloop extract --concurrency ${concurrency} --resume`);
    interruptAt = 0;
    const resumed = await run([...base, '--concurrency', concurrency, '--resume']);
    indent(write, resumed.stdout);
    write(`  exit code ${resumed.code}`);

    const results = (await readFile(out, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map(
        (line) =>
          JSON.parse(line) as {
            id: string;
            object: unknown;
            usage?: { total_tokens?: number };
            costUSD?: number;
          },
      );
    const expected = new Map(documents.map((document) => [document.id, JSON.stringify(document.expected)]));
    const report: PipelineReport = {
      exitCodes: { dryRun: dryRun.code, first: first.code, resumed: resumed.code },
      total: documents.length,
      uniqueIds: new Set(results.map((result) => result.id)).size,
      lines: results.length,
      correct: results.filter((result) => expected.get(result.id) === JSON.stringify(result.object)).length,
      totalTokens: results.reduce((sum, result) => sum + (result.usage?.total_tokens ?? 0), 0),
      costUSD: results.reduce((sum, result) => sum + (result.costUSD ?? 0), 0),
    };
    write('');
    write('cost report');
    write(
      `  results: ${report.lines} lines, ${report.uniqueIds} distinct inputs of ${report.total} (each exactly once: ${report.lines === report.total && report.uniqueIds === report.total ? 'yes' : 'NO'})`,
    );
    write(`  correct: ${report.correct}/${report.total} equal to the generated invoice`);
    write(
      `  tokens: ${report.totalTokens} · cost: $${report.costUSD.toFixed(6)} · $${(report.costUSD / Math.max(1, report.lines)).toFixed(8)} per invoice`,
    );
    write(
      `  requests served by the model: ${served} (the server ledger: ${server.ledger.totalTokens} tokens)`,
    );
    return report;
  } finally {
    await server.close();
  }
}

function indent(write: (line: string) => void, text: string): void {
  for (const line of text.trimEnd().split('\n')) if (line !== '') write(`  ${line}`);
}

async function runCliInProcess(
  args: string[],
  env: Record<string, string>,
  onStart: (interrupt: () => void) => void,
): Promise<{ code: number | null; stdout: string }> {
  let stdout = '';
  const code = await runCli(args, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: () => {},
    env,
    isTTY: false,
    onInterrupt: (handler) => {
      onStart(handler);
      return () => onStart(() => {});
    },
  });
  return { code, stdout };
}

function runCliProcess(
  args: string[],
  env: Record<string, string>,
  stderr: 'inherit' | 'pipe',
  onStart: (child: ChildProcess) => void,
): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--conditions=@chatloop/source', '--import', 'tsx', CLI_PATH, ...args],
      {
        cwd: EXAMPLE_DIR,
        env: { PATH: process.env.PATH ?? '', ...env },
        stdio: ['ignore', 'pipe', stderr],
      },
    );
    let stdout = '';
    child.stdout?.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
    });
    child.stderr?.resume();
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout }));
    onStart(child);
  });
}
