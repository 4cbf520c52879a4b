import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { describeRedis } from '../test/redis-harness.js';
import { RedisRunQueue } from './redis-run-queue.js';
import { type RedisServerProcess, startRedisServer } from './redis-server-process.js';

describeRedis('RedisRunQueue on BullMQ', () => {
  let server: RedisServerProcess;
  const queues: RedisRunQueue[] = [];
  let counter = 0;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterEach(async () => {
    for (const queue of queues.splice(0)) await queue.close();
  });
  afterAll(async () => {
    await server.stop();
  });
  const queue = (options: Partial<ConstructorParameters<typeof RedisRunQueue>[0]> = {}) => {
    const created = new RedisRunQueue<{ n: number }, { doubled: number }>({
      url: server.url,
      queueName: `runs-${++counter}`,
      backoffMs: 10,
      ...options,
    });
    queues.push(created);
    return created;
  };

  it('processes submitted runs once each; a second submit of the same id is a no-op', async () => {
    const runs = queue();
    const seen: string[] = [];
    runs.work(
      async (job) => {
        seen.push(job.runId);
        return { doubled: job.input.n * 2 };
      },
      { concurrency: 4 },
    );
    expect(await runs.submit({ runId: 'r1', agent: 'doubler', input: { n: 1 } })).toBe(true);
    expect(await runs.submit({ runId: 'r1', agent: 'doubler', input: { n: 100 } })).toBe(false);
    for (let i = 2; i <= 20; i++) await runs.submit({ runId: `r${i}`, agent: 'doubler', input: { n: i } });
    expect(await runs.waitFor('r1')).toEqual({ doubled: 2 });
    for (let i = 2; i <= 20; i++) expect(await runs.waitFor(`r${i}`)).toEqual({ doubled: i * 2 });
    expect(seen.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `r${i + 1}`).sort());
    expect(await runs.outcome('r7')).toEqual({ state: 'completed', result: { doubled: 14 } });
  });

  it('retries a failing run with the attempt number, and records a final failure', async () => {
    const runs = queue({ attempts: 2 });
    const attempts: number[] = [];
    runs.work(async (job, { attempt }) => {
      attempts.push(attempt);
      if (job.runId === 'flaky' && attempt === 1) throw new Error('transient');
      if (job.runId === 'broken') throw new Error('always broken');
      return { doubled: 0 };
    });
    await runs.submit({ runId: 'flaky', agent: 'a', input: { n: 0 } });
    expect(await runs.waitFor('flaky')).toEqual({ doubled: 0 });
    await runs.submit({ runId: 'broken', agent: 'a', input: { n: 0 } });
    await expect(runs.waitFor('broken')).rejects.toThrow('always broken');
    expect(await runs.outcome('broken')).toEqual({ state: 'failed', reason: 'always broken' });
  });
});
