// `chatloop extract --redis <url>` run as 3 processes over one batch gives exactly the output of one
// process without Redis: each item extracted once, and every process writes the same complete file.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type TestServer } from '@chatloop/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RedisServerProcess, startRedisServer } from '../src/redis-server-process.js';
import { batchInputs, itemNumber, NUMBER_SCHEMA, numberModel } from './extract-batch-fixtures.js';
import { describeRedis } from './redis-harness.js';

const repoRoot = new URL('../../../', import.meta.url).pathname;
const cliScript = new URL('../../extract/src/cli.ts', import.meta.url).pathname;
const ITEMS = 60;
const KEY = 'sk-batch-cli-key';

interface CliEnd {
  code: number;
  stdout: string;
  stderr: string;
}

describeRedis('chatloop extract --redis across processes', () => {
  let redis: RedisServerProcess;
  let server: TestServer;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chatloop-extract-cli-'));
    redis = await startRedisServer();
    server = await startServer({ apiKey: KEY, models: { 'batch-model': numberModel() } });
    await writeFile(join(dir, 'schema.json'), JSON.stringify(NUMBER_SCHEMA));
    await writeFile(
      join(dir, 'input.jsonl'),
      `${batchInputs(ITEMS)
        .map((input) => JSON.stringify(input))
        .join('\n')}\n`,
    );
  });
  afterAll(async () => {
    await server.close();
    await redis.stop();
    await rm(dir, { recursive: true, force: true });
  });

  function runCli(args: string[]): Promise<CliEnd> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', '--conditions=@chatloop/source', cliScript, ...args],
        {
          cwd: repoRoot,
          env: { ...process.env, CHATLOOP_API_KEY: KEY, CHATLOOP_BASE_URL: server.url },
          timeout: 150_000,
        },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
  }

  const extractArgs = (out: string) => [
    'extract',
    '--schema',
    join(dir, 'schema.json'),
    '--input',
    join(dir, 'input.jsonl'),
    '--out',
    join(dir, out),
    '--model',
    'batch-model',
    '--concurrency',
    '8',
    '--no-progress',
    '--json',
  ];

  const sortedLines = (text: string) => text.split('\n').filter(Boolean).toSorted();

  it('3 processes with --redis write the same output as one process without it, each item asked once', async () => {
    const single = await runCli(extractArgs('single.jsonl'));
    expect(single.stderr).toBe('');
    expect(single.code).toBe(0);

    const from = server.requests.length;
    const ends = await Promise.all(
      [1, 2, 3].map((n) => runCli([...extractArgs(`shared-${n}.jsonl`), '--redis', redis.url])),
    );
    for (const end of ends) {
      expect(end.stderr).toBe('');
      expect(end.code).toBe(0);
      expect(JSON.parse(end.stdout)).toMatchObject({ stopped: 'completed', failed: 0 });
    }
    // Together the processes extracted each item once; the server answered each item once.
    expect(ends.reduce((sum, end) => sum + (JSON.parse(end.stdout) as { done: number }).done, 0)).toBe(ITEMS);
    const asked = server.requests.slice(from).map((request) => itemNumber(request));
    expect(asked.toSorted((a, b) => a - b)).toEqual(Array.from({ length: ITEMS }, (_, index) => index));

    // Every process wrote the whole batch, identically, in input order; the same lines as one process.
    const files = await Promise.all([1, 2, 3].map((n) => readFile(join(dir, `shared-${n}.jsonl`), 'utf8')));
    expect(files[1]).toBe(files[0]);
    expect(files[2]).toBe(files[0]);
    const ids = files[0]
      ?.split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { id: string }).id);
    expect(ids).toEqual(batchInputs(ITEMS).map((input) => input.id));
    expect(sortedLines(files[0] ?? '')).toEqual(
      sortedLines(await readFile(join(dir, 'single.jsonl'), 'utf8')),
    );
    expect(await readFile(join(dir, 'shared-1.errors.jsonl'), 'utf8')).toBe('');
  }, 180_000);
});
