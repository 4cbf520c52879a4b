import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type TestServer } from '@chatloop/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_EXIT_CODES } from '../src/extract-command.js';
import { numberModel } from './number-model.js';
import { runCliProcess } from './run-cli.js';

const SCHEMA = {
  type: 'object',
  properties: { n: { type: 'integer' }, word: { type: 'string' } },
  required: ['n', 'word'],
  additionalProperties: false,
};

let dir: string;
let server: TestServer;
const KEY = 'sk-test-cli-key';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chatloop-cli-'));
  server = await startServer({ apiKey: KEY, models: { 'gpt-4o-mini': numberModel() } });
  await writeFile(join(dir, 'schema.json'), JSON.stringify(SCHEMA));
  await writeFile(join(dir, 'broken-schema.json'), '{"type": "object", ');
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

// Each test starts a Node process that loads TypeScript sources through tsx: seconds each on a busy machine.
describe('chatloop CLI, run as a child process', { timeout: 90_000 }, () => {
  it('prints help with the exit codes', async () => {
    const run = await runCliProcess(['extract', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('--schema <spec>');
    expect(run.stdout).toContain('Exit codes: 0 all done');
  });

  it('refuses a broken schema file with exit code 2 and says which file', async () => {
    const run = await runCliProcess(
      [
        'extract',
        '--schema',
        join(dir, 'broken-schema.json'),
        '--input',
        join(dir, 'schema.json'),
        '--out',
        join(dir, 'x.jsonl'),
        '--model',
        'gpt-4o-mini',
      ],
      { env: { CHATLOOP_API_KEY: KEY } },
    );
    expect(run.code).toBe(CLI_EXIT_CODES.usage);
    expect(run.stderr).toMatch(/broken-schema\.json is not valid JSON/);
  });

  it('refuses to run without an API key, with exit code 2', async () => {
    await writeFile(join(dir, 'one.jsonl'), '"item 1"\n');
    const run = await runCliProcess([
      'extract',
      '--schema',
      join(dir, 'schema.json'),
      '--input',
      join(dir, 'one.jsonl'),
      '--out',
      join(dir, 'nokey.jsonl'),
      '--model',
      'gpt-4o-mini',
      '--base-url',
      server.url,
    ]);
    expect(run.code).toBe(CLI_EXIT_CODES.usage);
    expect(run.stderr).toContain('No API key');
    await expect(readFile(join(dir, 'nokey.jsonl'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('reports bad input lines with their line numbers and goes on with the rest', async () => {
    const input = join(dir, 'mixed.jsonl');
    const out = join(dir, 'mixed-out.jsonl');
    await writeFile(
      input,
      [
        '{"id": "a", "text": "item 1"}',
        '{not json',
        '',
        '"item 2"',
        '{"id": "c"}',
        '42',
        '{"id": "d", "text": "item 4"}',
      ].join('\n'),
    );
    const run = await runCliProcess(
      [
        'extract',
        '--schema',
        join(dir, 'schema.json'),
        '--input',
        input,
        '--out',
        out,
        '--model',
        'gpt-4o-mini',
        '--base-url',
        server.url,
        '--json',
      ],
      { env: { CHATLOOP_API_KEY: KEY } },
    );
    expect(run.code).toBe(CLI_EXIT_CODES.itemsFailed);
    expect(run.stderr).toContain(`${input}:2: not valid JSON`);
    expect(run.stderr).toContain(`${input}:5: the object has no "text"`);
    expect(run.stderr).toContain(`${input}:6: expected a JSON string or object`);
    expect(run.stderr).not.toContain(KEY);
    const summary = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({ stopped: 'completed', done: 3, failed: 0, badInputs: 3 });
    const lines = (await readFile(out, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: string; object: { n: number } });
    expect(lines.map((line) => line.object.n).sort()).toEqual([1, 2, 4]);
    expect(lines.find((line) => line.id === 'd')?.object).toEqual({ n: 4, word: 'ok' });
  });

  it('estimates tokens and cost in a dry run and sends nothing', async () => {
    const input = join(dir, 'dry.jsonl');
    await writeFile(
      input,
      Array.from({ length: 50 }, (_, index) =>
        JSON.stringify({ id: index, text: `item ${index} `.repeat(20) }),
      ).join('\n'),
    );
    const untouched = await startServer();
    const run = await runCliProcess([
      'extract',
      '--schema',
      join(dir, 'schema.json'),
      '--input',
      input,
      '--model',
      'gpt-4o-mini',
      '--dry-run',
      '--json',
      '--max-output-tokens',
      '100',
      '--base-url',
      untouched.url,
    ]).finally(() => untouched.close());
    expect(run.code).toBe(0);
    const estimate = JSON.parse(run.stdout) as Record<string, number>;
    expect(estimate).toMatchObject({
      items: 50,
      unusable: 0,
      badInputs: 0,
      maxOutputTokensPerItem: 100,
      mode: 'json_schema',
    });
    // 20 repeats of "item N " are ~60 tokens, plus the system prompt; each item is counted.
    expect(estimate.promptTokens).toBeGreaterThan(50 * 60);
    expect(estimate.promptTokens).toBeLessThan(50 * 400);
    // gpt-4o-mini: $0.15 per 1M input tokens, $0.60 per 1M output tokens.
    expect(estimate.inputCostUSD).toBeCloseTo((estimate.promptTokens! * 0.15) / 1e6, 10);
    expect(estimate.maxCostUSD).toBeCloseTo(estimate.inputCostUSD! + (50 * 100 * 0.6) / 1e6, 10);
    expect(untouched.requests).toHaveLength(0);
  });
});
