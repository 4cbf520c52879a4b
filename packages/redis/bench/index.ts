// Benchmark (not a test): permits/s of the Redis limiter and of the in-process one, and the latency a
// Redis-backed limiter adds to each model call against the testing server on loopback. Interleaved
// rounds, medians. Run with `pnpm --filter @chatloop/redis bench`.
import { createClient, createLimiter, createLimiterMiddleware, type Limiter } from '@chatloop/core';
import { startServer } from '@chatloop/testing';
import { connectRedis } from '../src/redis-connection.js';
import { RedisLimiter } from '../src/redis-limiter.js';
import { startRedisServer } from '../src/redis-server-process.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const PERMITS_PER_ROUND = 4_000;
const CALLS_PER_ROUND = 400;
const limits = { requestsPerMinute: 10_000_000, tokensPerMinute: 1_000_000_000, concurrency: 1_000 };

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

/** Permits per second: `concurrency` callers each acquiring, settling and releasing in a loop. */
async function permitsPerSecond(limiter: Limiter, concurrency: number, scope: string): Promise<number> {
  let remaining = PERMITS_PER_ROUND;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (remaining-- > 0) {
        const permit = await limiter.acquire({ scope, tokens: 100 });
        await permit.settle({ tokens: 80 });
        await permit.release();
      }
    }),
  );
  return PERMITS_PER_ROUND / ((performance.now() - started) / 1_000);
}

const redisServer = await startRedisServer();
const redis = await connectRedis(redisServer.url);
const testServer = await startServer();
try {
  const inProcess = createLimiter(limits);
  const shared = new RedisLimiter({ redis, ...limits });
  const plain = createClient({ baseURL: testServer.url, apiKey: 'sk-bench' });
  const withRedis = createClient({
    baseURL: testServer.url,
    apiKey: 'sk-bench',
    middleware: [createLimiterMiddleware({ limiter: shared, scope: 'bench-calls' })],
  });
  const request = { model: 'echo', messages: [{ role: 'user' as const, content: 'ping' }], max_tokens: 16 };
  const callLatencies = async (client: typeof plain) => {
    const latencies: number[] = [];
    for (let i = 0; i < CALLS_PER_ROUND; i++) {
      const started = performance.now();
      await client.chat(request);
      latencies.push(performance.now() - started);
    }
    return median(latencies);
  };
  await callLatencies(plain);
  await callLatencies(withRedis);

  const results = {
    memory1: [] as number[],
    memory32: [] as number[],
    redis1: [] as number[],
    redis32: [] as number[],
    plainMs: [] as number[],
    redisMs: [] as number[],
  };
  for (let round = 0; round < ROUNDS; round++) {
    results.memory1.push(await permitsPerSecond(inProcess, 1, `m1-${round}`));
    results.redis1.push(await permitsPerSecond(shared, 1, `r1-${round}`));
    results.memory32.push(await permitsPerSecond(inProcess, 32, `m32-${round}`));
    results.redis32.push(await permitsPerSecond(shared, 32, `r32-${round}`));
    results.plainMs.push(await callLatencies(plain));
    results.redisMs.push(await callLatencies(withRedis));
  }
  const fmt = (value: number) => Math.round(value).toLocaleString('en-US');
  console.log(`@chatloop/redis bench: ${ROUNDS} interleaved rounds, medians (Node ${process.version})`);
  console.log(
    `permits/s (acquire + settle + release), in-process limiter: c=1 ${fmt(median(results.memory1))}, c=32 ${fmt(median(results.memory32))}`,
  );
  console.log(
    `permits/s (acquire + settle + release), Redis limiter:      c=1 ${fmt(median(results.redis1))}, c=32 ${fmt(median(results.redis32))}`,
  );
  const plainMs = median(results.plainMs);
  const redisMs = median(results.redisMs);
  console.log(
    `model call median latency: no limiter ${plainMs.toFixed(3)} ms, Redis limiter ${redisMs.toFixed(3)} ms, added ${(redisMs - plainMs).toFixed(3)} ms (target < 1 ms)`,
  );
} finally {
  redis.disconnect();
  await testServer.close();
  await redisServer.stop();
}
