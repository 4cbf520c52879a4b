import { batchInputKey, type JournalRecord, type QueuedItem } from '@chatloop/extract';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeRedis } from '../test/redis-harness.js';
import { batchKeys } from './batch-keys.js';
import { RedisBatchJournal } from './redis-batch-journal.js';
import { connectRedis } from './redis-connection.js';
import { createRedisExtractBackend } from './redis-extract-backend.js';
import { type RedisServerProcess, startRedisServer } from './redis-server-process.js';
import { RedisWorkQueue } from './redis-work-queue.js';

const usage = (total: number) => ({ prompt_tokens: total - 1, completion_tokens: 1, total_tokens: total });
const ok = (id: string, n: number, total = 10): JournalRecord<{ n: number }> => ({
  id,
  ok: true,
  object: { n },
  attempts: 1,
  usage: usage(total),
});
const failure = (id: string, total = 4): JournalRecord<{ n: number }> => ({
  id,
  ok: false,
  error: { code: 'extraction_failed', message: 'no JSON' },
  usage: usage(total),
});
const items = (count: number) => Array.from({ length: count }, (_, index) => `item ${index}`);
const keyOf = (_item: string, index: number) => `k${index}`;

describeRedis('shared extraction batch on Redis: journal and work queue', () => {
  let server: RedisServerProcess;
  let redis: Redis;
  let batch = 0;
  const nextBatch = () => `unit-${++batch}`;

  beforeAll(async () => {
    server = await startRedisServer();
    redis = await connectRedis(server.url);
  });
  afterAll(async () => {
    redis.disconnect();
    await server.stop();
  });

  async function drain<I>(queue: RedisWorkQueue<I>): Promise<string[]> {
    const keys: string[] = [];
    for (let item = await queue.next(); item; item = await queue.next()) keys.push(item.key);
    return keys;
  }

  it('keeps the first result of an item once, every record for usage, and folds like the JSONL journal', async () => {
    const journal = new RedisBatchJournal<{ n: number }>(redis, { batchId: nextBatch() });
    await journal.append(failure('a'));
    await journal.append(ok('a', 1));
    await journal.append(ok('a', 99));
    await journal.append(failure('b'));
    const state = await journal.load();
    expect([...state.done]).toEqual(['a']);
    expect([...state.failed]).toEqual(['b']);
    expect(state.totals).toMatchObject({ done: 1, failed: 1, totalTokens: 4 + 10 + 10 + 4 });
    expect((await journal.results()).map((record) => record.object)).toEqual([{ n: 1 }]);
    expect((await journal.failures()).map((record) => record.id)).toEqual(['b']);
  });

  it('hands each item to one process; results come back in input order', async () => {
    const batchId = nextBatch();
    const inputs = items(6);
    const a = new RedisWorkQueue(redis, inputs, { batchId, owner: 'A', key: keyOf });
    const b = new RedisWorkQueue(redis, inputs, { batchId, owner: 'B', key: keyOf });
    const journal = new RedisBatchJournal<{ n: number }>(redis, { batchId, owner: 'A' });
    const first = (await a.next()) as QueuedItem<string>;
    const second = (await b.next()) as QueuedItem<string>;
    expect([first.key, second.key]).toEqual(['k0', 'k1']);
    // Record in reverse completion order: the read is still in input order.
    await journal.append(ok('k1', 1));
    await journal.append(ok('k0', 0));
    const restA: string[] = [];
    const restB: string[] = [];
    for (let turn = 0; turn < 4; turn++) {
      const item = turn % 2 === 0 ? await a.next() : await b.next();
      if (item) {
        (turn % 2 === 0 ? restA : restB).push(item.key);
        await journal.append(ok(item.key, item.index));
      }
    }
    expect([...restA, ...restB].toSorted()).toEqual(['k2', 'k3', 'k4', 'k5']);
    expect(await a.next()).toBeUndefined();
    expect(await b.next()).toBeUndefined();
    expect((await journal.results()).map((record) => record.id)).toEqual([
      'k0',
      'k1',
      'k2',
      'k3',
      'k4',
      'k5',
    ]);
  });

  it('waits for items other processes hold, skips those they finish and takes over those whose claim lapsed', async () => {
    const batchId = nextBatch();
    const keys = batchKeys(batchId);
    const inputs = items(3);
    const dead = new RedisWorkQueue(redis, inputs, { batchId, owner: 'dead', key: keyOf });
    const alive = new RedisWorkQueue(redis, inputs, { batchId, owner: 'alive', key: keyOf });
    expect((await dead.next())?.key).toBe('k0');
    expect((await alive.next())?.key).toBe('k1');
    expect((await dead.next())?.key).toBe('k2');
    const deadJournal = new RedisBatchJournal<{ n: number }>(redis, { batchId, owner: 'dead' });
    let polls = 0;
    const survivor = new RedisWorkQueue(redis, inputs, {
      batchId,
      owner: 'survivor',
      key: keyOf,
      // Each wait moves the world on: first `dead` finishes k2, then its claim on k0 lapses.
      sleep: async () => {
        polls++;
        if (polls === 1) await deadJournal.append(ok('k2', 2));
        if (polls === 2) await redis.del(keys.claim('k0'));
      },
    });
    const skipped: string[] = [];
    const taken = await survivor.next();
    expect(taken?.key).toBe('k0');
    expect(polls).toBe(2);
    // k1 is still held (renewed) by `alive`: the survivor keeps waiting until it is finished.
    const aliveJournal = new RedisBatchJournal<{ n: number }>(redis, { batchId, owner: 'alive' });
    const waiting = new RedisWorkQueue(redis, inputs, {
      batchId,
      owner: 'late',
      key: keyOf,
      onSkip: (item) => skipped.push(item.key),
      sleep: async () => {
        await aliveJournal.append(ok('k1', 1));
      },
    });
    await new RedisBatchJournal<{ n: number }>(redis, { batchId, owner: 'survivor' }).append(ok('k0', 0));
    expect(await drain(waiting)).toEqual([]);
    expect(skipped.toSorted()).toEqual(['k0', 'k1', 'k2']);
    expect(await redis.keys(keys.claim('*'))).toEqual([]);
    await Promise.all([dead.release(), alive.release(), survivor.release()]);
  });

  it('releases the claims of interrupted items on journal close, so another process takes them at once', async () => {
    const batchId = nextBatch();
    const inputs = [{ id: 'x', text: 'item 0' }];
    const first = await createRedisExtractBackend({ redis, batchId, owner: 'first' });
    const firstQueue = first.queue(inputs, { key: batchInputKey });
    expect((await firstQueue.next())?.key).toBe('x');
    await first.journal.close();
    const second = await createRedisExtractBackend({ redis, batchId, owner: 'second' });
    expect((await second.queue(inputs, { key: batchInputKey }).next())?.key).toBe('x');
    await second.journal.append(ok('x', 0));
    expect(await redis.keys(batchKeys(batchId).claim('*'))).toEqual([]);
    await first.close();
    await second.close();
    expect(redis.status).toBe('ready');
  });

  it('finished failures are skipped, or run again with retryFailed', async () => {
    const batchId = nextBatch();
    const inputs = [{ id: 'x', text: 'item 0' }];
    const backend = await createRedisExtractBackend({ redis, batchId });
    await backend.journal.append(failure('x'));
    expect(await backend.queue(inputs, { key: batchInputKey }).next()).toBeUndefined();
    const retry = backend.queue(inputs, { key: batchInputKey, retryFailed: true });
    expect((await retry.next())?.key).toBe('x');
    await backend.journal.append(ok('x', 0));
    expect((await backend.failures()).length).toBe(0);
    expect((await backend.results()).map((record) => record.id)).toEqual(['x']);
    await backend.close();
  });
});
