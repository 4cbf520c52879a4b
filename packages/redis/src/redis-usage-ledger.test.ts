import type { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeRedis } from '../test/redis-harness.js';
import { connectRedis } from './redis-connection.js';
import { type RedisServerProcess, startRedisServer } from './redis-server-process.js';
import { RedisUsageLedger } from './redis-usage-ledger.js';

describeRedis('RedisUsageLedger', () => {
  let server: RedisServerProcess;
  const connections: Redis[] = [];
  beforeAll(async () => {
    server = await startRedisServer();
    for (let i = 0; i < 4; i++) connections.push(await connectRedis(server.url));
  });
  afterAll(async () => {
    for (const redis of connections) redis.disconnect();
    await server.stop();
  });

  it('sums usage and cost exactly across concurrent writers', async () => {
    const ledgers = connections.map((redis) => new RedisUsageLedger({ redis }));
    await Promise.all(
      ledgers.flatMap((ledger) =>
        Array.from({ length: 250 }, () =>
          ledger.add('key-1', {
            requests: 1,
            promptTokens: 30,
            completionTokens: 12,
            totalTokens: 42,
            costUSD: 0.000_123,
          }),
        ),
      ),
    );
    const totals = await (ledgers[0] as RedisUsageLedger).get('key-1');
    expect(totals).toEqual({
      requests: 1_000,
      promptTokens: 30_000,
      completionTokens: 12_000,
      totalTokens: 42_000,
      cachedTokens: 0,
      reasoningTokens: 0,
      costUSD: 0.123,
    });
  });

  it('returns the new totals from add, and zero for an unknown scope', async () => {
    const ledger = new RedisUsageLedger({ redis: connections[0] as Redis });
    expect((await ledger.get('nothing-here')).totalTokens).toBe(0);
    const after = await ledger.add('key-2', { totalTokens: 5, costUSD: 0.5 });
    expect(after.totalTokens).toBe(5);
    expect(after.costUSD).toBe(0.5);
    await ledger.reset('key-2');
    expect((await ledger.get('key-2')).costUSD).toBe(0);
  });
});
