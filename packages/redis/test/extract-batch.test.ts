// One extraction batch split over several worker processes through Redis (issue 11, last bullet of
// "How it is tested"): every item extracted exactly once, the same results as a single-process run, and
// a worker killed with SIGKILL mid-batch taken over by the others.
import { type ChildProcess, fork } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@chatloop/core';
import { extractMany } from '@chatloop/extract';
import { startServer, type TestServer } from '@chatloop/testing';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { batchKeys } from '../src/batch-keys.js';
import { createRedisExtractBackend } from '../src/redis-extract-backend.js';
import { type RedisServerProcess, startRedisServer } from '../src/redis-server-process.js';
import { batchInputs, itemNumber, NUMBER_SCHEMA, numberModel } from './extract-batch-fixtures.js';
import { describeRedis } from './redis-harness.js';

const repoRoot = new URL('../../../', import.meta.url).pathname;
const workerScript = new URL('./extract-worker.ts', import.meta.url).pathname;
const ITEMS = 60;

type WorkerMessage =
  | { type: 'item'; key: string; ok: boolean }
  | { type: 'summary'; stopped: string; done: number; failed: number };

interface Worker {
  child: ChildProcess;
  items: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; summary?: WorkerMessage }>;
}

describeRedis('one extraction batch over several processes', () => {
  let redis: RedisServerProcess;
  let server: TestServer;
  let dir: string;
  const children = new Set<ChildProcess>();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chatloop-extract-batch-'));
    redis = await startRedisServer();
    server = await startServer({
      apiKey: 'sk-batch-test-key',
      models: { 'batch-model': numberModel(), 'slow-batch-model': numberModel(60) },
    });
  });
  afterEach(() => {
    for (const child of children) child.kill('SIGKILL');
  });
  afterAll(async () => {
    await server.close();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function startWorker(config: {
    batchId: string;
    model: string;
    leaseMs: number;
    concurrency: number;
  }): Worker {
    const child = fork(workerScript, [], {
      cwd: repoRoot,
      execArgv: ['--import', 'tsx', '--conditions=@chatloop/source'],
      env: {
        ...process.env,
        REDIS_URL: redis.url,
        CHATLOOP_BASE_URL: server.url,
        BATCH_ID: config.batchId,
        BATCH_ITEMS: String(ITEMS),
        BATCH_MODEL: config.model,
        BATCH_LEASE_MS: String(config.leaseMs),
        BATCH_CONCURRENCY: String(config.concurrency),
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.add(child);
    const items: string[] = [];
    let summary: WorkerMessage | undefined;
    child.on('message', (message: WorkerMessage) => {
      if (message.type === 'item') items.push(message.key);
      else summary = message;
    });
    const exited = new Promise<Awaited<Worker['exited']>>((resolve) => {
      child.once('exit', (code, signal) => {
        children.delete(child);
        resolve({ code, signal, ...(summary ? { summary } : {}) });
      });
    });
    return { child, items, exited };
  }

  /** Successful model calls the server answered per item number, since `from`. */
  function callsPerItem(model: string, from: number): Map<number, number> {
    const calls = new Map<number, number>();
    for (const request of server.requests.slice(from)) {
      if ((request.body as { model?: string } | undefined)?.model !== model) continue;
      const n = itemNumber(request);
      calls.set(n, (calls.get(n) ?? 0) + 1);
    }
    return calls;
  }

  async function singleProcessObjects(model: string): Promise<Map<string, unknown>> {
    const objects = new Map<string, unknown>();
    const client = createClient({ baseURL: server.url, apiKey: 'sk-batch-test-key' });
    try {
      const summary = await extractMany(batchInputs(ITEMS), {
        client,
        model,
        schema: NUMBER_SCHEMA,
        concurrency: 8,
        onItem: (event) => {
          if (event.ok) objects.set(event.key, event.object);
        },
      });
      expect(summary).toMatchObject({ stopped: 'completed', done: ITEMS, failed: 0 });
    } finally {
      await client.close();
    }
    return objects;
  }

  async function batchObjects(batchId: string): Promise<Map<string, unknown>> {
    const backend = await createRedisExtractBackend({ url: redis.url, batchId });
    try {
      const results = await backend.results();
      expect(await backend.failures()).toEqual([]);
      // In input order, each item once.
      expect(results.map((record) => record.id)).toEqual(batchInputs(ITEMS).map((input) => input.id));
      return new Map(results.map((record) => [record.id, record.object]));
    } finally {
      await backend.close();
    }
  }

  it('3 processes over the same 60 inputs: each item extracted exactly once, results as one process gives', async () => {
    const single = await singleProcessObjects('batch-model');
    const from = server.requests.length;
    const workers = [1, 2, 3].map(() =>
      startWorker({ batchId: 'three', model: 'batch-model', leaseMs: 5_000, concurrency: 8 }),
    );
    const ends = await Promise.all(workers.map((worker) => worker.exited));
    for (const end of ends) {
      expect(end.code).toBe(0);
      expect(end.summary).toMatchObject({ type: 'summary', stopped: 'completed', failed: 0 });
    }
    // Every item recorded by exactly one process, and the server answered it exactly once.
    const recorded = workers.flatMap((worker) => worker.items);
    expect(recorded.toSorted()).toEqual(
      batchInputs(ITEMS)
        .map((input) => input.id)
        .toSorted(),
    );
    const calls = callsPerItem('batch-model', from);
    expect(calls.size).toBe(ITEMS);
    expect([...calls.values()].every((count) => count === 1)).toBe(true);
    expect(await batchObjects('three')).toEqual(single);
  }, 180_000);

  it('a process killed with SIGKILL mid-batch: the others take over the items it held', async () => {
    const single = await singleProcessObjects('slow-batch-model');
    const from = server.requests.length;
    const config = { batchId: 'killed', model: 'slow-batch-model', leaseMs: 3_000, concurrency: 4 };
    const victim = startWorker(config);
    // Kill it once it has recorded a few items and holds claims on others (deterministic: its own reports).
    await new Promise<void>((resolve) => {
      victim.child.on('message', () => {
        if (victim.items.length === 5) resolve();
      });
    });
    victim.child.kill('SIGKILL');
    await victim.exited;
    const watcher = new Redis(redis.url);
    const keys = batchKeys('killed');
    const claimed = (await watcher.keys(keys.claim('*'))).map((key) => key.slice(keys.claim('').length));
    await watcher.quit();
    expect(claimed.length).toBeGreaterThan(0);

    const survivors = [1, 2].map(() => startWorker(config));
    const ends = await Promise.all(survivors.map((worker) => worker.exited));
    for (const end of ends) expect(end.summary).toMatchObject({ stopped: 'completed', failed: 0 });
    const takenOver = survivors.flatMap((worker) => worker.items);
    // The items the dead process held were finished by the survivors; nothing recorded twice.
    for (const id of claimed) expect(takenOver).toContain(id);
    expect([...victim.items, ...takenOver].toSorted()).toEqual(
      batchInputs(ITEMS)
        .map((input) => input.id)
        .toSorted(),
    );
    // Only the dead process's in-flight items were asked twice.
    const calls = callsPerItem('slow-batch-model', from);
    const twice = [...calls.entries()].filter(([, count]) => count > 1).map(([n]) => `doc-${n}`);
    expect(twice.every((id) => claimed.includes(id))).toBe(true);
    expect(await batchObjects('killed')).toEqual(single);
  }, 180_000);
});
