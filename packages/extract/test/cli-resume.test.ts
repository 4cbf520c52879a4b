import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type TestServer } from '@chatloop/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_EXIT_CODES } from '../src/extract-command.js';
import { NUMBER_SCHEMA, numberModel } from './number-model.js';
import { type CliRun, runCliProcess } from './run-cli.js';

const ITEMS = 1000;
const KEY = 'sk-test-resume-key';
let dir: string;
let server: TestServer;
let child: ChildProcess | undefined;
let served = 0;

interface Line {
  id: string;
  object?: { n: number };
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

async function readLines(path: string): Promise<Line[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Line);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chatloop-resume-'));
  server = await startServer({
    apiKey: KEY,
    models: {
      'gpt-4o-mini': numberModel(() => {
        served++;
        // Ctrl-C half way through, from the server side: deterministic, no timers.
        if (served === ITEMS / 2) child?.kill('SIGINT');
      }),
    },
    faults: {
      rate: 0.05,
      seed: 42,
      pool: [
        { kind: 'status', status: 500 },
        { kind: 'status', status: 503 },
      ],
    },
    rateLimit: { rpm: 250, windowMs: 1000 },
  });
  await writeFile(join(dir, 'schema.json'), JSON.stringify(NUMBER_SCHEMA));
  await writeFile(
    join(dir, 'input.jsonl'),
    Array.from({ length: ITEMS }, (_, index) =>
      JSON.stringify({ id: `doc-${index}`, text: `item ${index}` }),
    ).join('\n'),
  );
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('chatloop extract: a 1,000-item batch killed with SIGINT half way, then resumed', () => {
  it('ends with every item exactly once, and checkpoint, totals and the server ledger agree', {
    timeout: 240_000,
  }, async () => {
    const out = join(dir, 'out.jsonl');
    const args = [
      'extract',
      '--schema',
      join(dir, 'schema.json'),
      '--input',
      join(dir, 'input.jsonl'),
      '--out',
      out,
      '--model',
      'gpt-4o-mini',
      '--base-url',
      server.url,
      '--concurrency',
      '16',
      '--json',
    ];
    const env = { CHATLOOP_API_KEY: KEY };
    const first = await runCliProcess(args, {
      env,
      onStart: (started) => {
        child = started;
      },
    });
    expect(first.code, first.stderr).toBe(CLI_EXIT_CODES.interrupted);
    const afterKill = await readLines(out);
    expect(afterKill.length).toBeGreaterThan(0);
    expect(afterKill.length).toBeLessThan(ITEMS);
    expect(new Set(afterKill.map((line) => line.id)).size).toBe(afterKill.length);

    let last: CliRun | undefined;
    for (let run = 0; run < 5; run++) {
      last = await runCliProcess([...args, '--resume', '--retry-failed'], { env });
      if (last.code === CLI_EXIT_CODES.ok) break;
      expect(last.code, last.stderr).toBe(CLI_EXIT_CODES.itemsFailed);
    }
    expect(last?.code, last?.stderr).toBe(CLI_EXIT_CODES.ok);

    const results = await readLines(out);
    const failures = await readLines(join(dir, 'out.errors.jsonl'));
    expect(results).toHaveLength(ITEMS);
    expect(new Set(results.map((line) => line.id))).toEqual(
      new Set(Array.from({ length: ITEMS }, (_, index) => `doc-${index}`)),
    );
    for (const line of results) expect(line.object?.n).toBe(Number(line.id.slice(4)));

    const summary = JSON.parse(last!.stdout) as {
      totals: {
        done: number;
        failed: number;
        promptTokens: number;
        completionTokens: number;
        totalTokens: number;
        costUSD: number;
      };
    };
    const all = [...results, ...failures];
    const sum = (pick: (line: Line) => number) => all.reduce((total, line) => total + pick(line), 0);
    expect(summary.totals).toMatchObject({
      done: ITEMS,
      failed: 0,
      promptTokens: sum((line) => line.usage.prompt_tokens),
      completionTokens: sum((line) => line.usage.completion_tokens),
    });
    expect(summary.totals.costUSD).toBeGreaterThan(0);
    // Every answer the server billed is in the checkpoint: the interrupted run let its in-flight items finish.
    const ledger = server.ledger.snapshot();
    expect(summary.totals.promptTokens).toBe(ledger.promptTokens);
    expect(summary.totals.completionTokens).toBe(ledger.completionTokens);
  });
});
