import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type TestServer } from '@chatloop/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NUMBER_SCHEMA, numberModel } from '../test/number-model.js';
import { runCli } from './cli-program.js';
import { CLI_EXIT_CODES, type CliIO } from './extract-command.js';

const KEY = 'sk-sentinel-4c1f9e7a';
let dir: string;
let server: TestServer;

function capture(env: Record<string, string> = {}): CliIO & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: (text) => {
      out += text;
    },
    stderr: (text) => {
      err += text;
    },
    env,
    isTTY: false,
    onInterrupt: () => () => {},
    out: () => out,
    err: () => err,
  };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chatloop-cli-program-'));
  server = await startServer({ apiKey: KEY, models: { 'gpt-4o-mini': numberModel() } });
  await writeFile(join(dir, 'schema.json'), JSON.stringify(NUMBER_SCHEMA));
  await writeFile(
    join(dir, 'input.jsonl'),
    Array.from({ length: 10 }, (_, index) => `"item ${index}"`).join('\n'),
  );
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

const extractArgs = (out: string) => [
  'extract',
  '--schema',
  join(dir, 'schema.json'),
  '--input',
  join(dir, 'input.jsonl'),
  '--out',
  join(dir, out),
  '--model',
  'gpt-4o-mini',
  '--base-url',
  server.url,
];

describe('runCli', () => {
  it('stops at once on a rejected key (exit 4), and the key appears in no output or file', async () => {
    const io = capture({ CHATLOOP_API_KEY: `${KEY}-wrong` });
    const code = await runCli([...extractArgs('wrong-key.jsonl'), '--json'], io);
    expect(code).toBe(CLI_EXIT_CODES.fatal);
    expect(JSON.parse(io.out())).toMatchObject({
      stopped: 'fatal',
      done: 0,
      error: { code: 'authentication' },
    });
    const written = `${io.out()}${io.err()}${await readFile(join(dir, 'wrong-key.jsonl'), 'utf8')}${await readFile(join(dir, 'wrong-key.errors.jsonl'), 'utf8')}`;
    expect(written).not.toContain(KEY);
  });

  it('stops at the token budget (exit 3) and resumes to the end (exit 0)', async () => {
    const io = capture({ CHATLOOP_API_KEY: KEY });
    const args = [...extractArgs('budget.jsonl'), '--concurrency', '1', '--json'];
    expect(await runCli([...args, '--max-tokens', '1'], io)).toBe(CLI_EXIT_CODES.budget);
    expect(JSON.parse(io.out())).toMatchObject({ stopped: 'budget', done: 1 });
    const again = capture({ CHATLOOP_API_KEY: KEY });
    expect(await runCli([...args, '--resume'], again)).toBe(CLI_EXIT_CODES.ok);
    expect(JSON.parse(again.out())).toMatchObject({
      stopped: 'completed',
      done: 9,
      skipped: 1,
      totals: { done: 10 },
    });
  });

  it('refuses to overwrite results without --resume, and a missing model (exit 2)', async () => {
    await writeFile(join(dir, 'taken.jsonl'), '{"id":"x","object":{},"usage":{}}\n');
    const io = capture({ CHATLOOP_API_KEY: KEY });
    expect(await runCli(extractArgs('taken.jsonl'), io)).toBe(CLI_EXIT_CODES.usage);
    expect(io.err()).toContain('--resume');
    const noModel = capture({ CHATLOOP_API_KEY: KEY });
    expect(await runCli(['extract', '--schema', 'a.json', '--input', 'b.jsonl'], noModel)).toBe(
      CLI_EXIT_CODES.usage,
    );
    expect(noModel.err()).toContain('--model is required');
    const unknown = capture();
    expect(await runCli(['extract', '--bogus'], unknown)).toBe(CLI_EXIT_CODES.usage);
  });

  it('counts tokens of files, and reports on a request file', async () => {
    await writeFile(join(dir, 'note.md'), 'hello world, this is a note');
    const io = capture();
    expect(await runCli(['tokens', join(dir, 'note.md'), '--model', 'gpt-4o-mini', '--json'], io)).toBe(0);
    const report = JSON.parse(io.out()) as { totalTokens: number; inputCostUSD: number };
    expect(report.totalTokens).toBeGreaterThan(3);
    expect(report.inputCostUSD).toBeCloseTo((report.totalTokens * 0.15) / 1e6, 12);
    await writeFile(
      join(dir, 'request.json'),
      JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    );
    const request = capture();
    expect(await runCli(['tokens', join(dir, 'request.json')], request)).toBe(0);
    expect(request.out()).toMatch(/token/i);
  });
});
