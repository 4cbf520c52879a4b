import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { describeRedis } from '../test/redis-harness.js';
import { connectRedis } from './redis-connection.js';
import { LimiterAbortError, RedisLimiter, type RedisLimiterOptions } from './redis-limiter.js';
import { type RedisServerProcess, startRedisServer } from './redis-server-process.js';

describeRedis('RedisLimiter', () => {
  let server: RedisServerProcess;
  const connections: Redis[] = [];
  let scopeCounter = 0;

  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterEach(() => {
    for (const redis of connections.splice(0)) redis.disconnect();
  });
  afterAll(async () => {
    await server.stop();
  });

  /** A limiter on its own connection, like one worker process; records every wait it asks for. */
  async function limiter(options: Partial<RedisLimiterOptions> = {}) {
    const redis = await connectRedis(server.url);
    connections.push(redis);
    const waits: number[] = [];
    const instance = new RedisLimiter({
      redis,
      windowMs: 1_000,
      ...options,
      sleep: (ms, signal) => {
        waits.push(ms);
        return new Promise((resolve, reject) => {
          const timer = setTimeout(resolve, ms);
          signal?.addEventListener('abort', () => {
            clearTimeout(timer);
            reject(signal.reason);
          });
        });
      },
    });
    return { instance, waits, redis };
  }
  const scope = () => `test-${process.pid}-${++scopeCounter}`;

  it('grants up to the RPM in the window and makes the next caller wait for the window', async () => {
    const name = scope();
    const { instance, waits } = await limiter({ limits: { [name]: { requestsPerMinute: 5 } } });
    for (let i = 0; i < 5; i++) await instance.acquire({ scope: name });
    expect(waits).toEqual([]);
    const sixth = await instance.acquire({ scope: name });
    expect(waits.length).toBeGreaterThan(0);
    expect(waits[0]).toBeGreaterThan(0);
    expect(waits[0]).toBeLessThanOrEqual(1_001);
    expect(sixth.waitedMs).toBeGreaterThan(0);
    expect((await instance.inspect(name)).requestsInWindow).toBe(1);
  });

  it('counts estimated tokens and replaces them with actual usage at settle', async () => {
    const name = scope();
    const { instance, waits } = await limiter({ limits: { [name]: { tokensPerMinute: 100 } } });
    const first = await instance.acquire({ scope: name, tokens: 60 });
    expect((await instance.inspect(name)).tokensInWindow).toBe(60);
    await first.settle({ tokens: 10 });
    expect((await instance.inspect(name)).tokensInWindow).toBe(10);
    await instance.acquire({ scope: name, tokens: 80 });
    expect(waits).toEqual([]);
    const blocked = instance.acquire({ scope: name, tokens: 50 });
    await blocked;
    expect(waits.length).toBeGreaterThan(0);
  });

  it('lets one oversized request through an empty window instead of blocking forever', async () => {
    const name = scope();
    const { instance, waits } = await limiter({ limits: { [name]: { tokensPerMinute: 100 } } });
    await instance.acquire({ scope: name, tokens: 500 });
    expect(waits).toEqual([]);
  });

  it('holds concurrency across processes: a lease is freed by release', async () => {
    const name = scope();
    const limits = { [name]: { maxConcurrent: 2 } };
    const a = await limiter({ limits });
    const b = await limiter({ limits });
    const p1 = await a.instance.acquire({ scope: name });
    await b.instance.acquire({ scope: name });
    let third = false;
    const pending = a.instance.acquire({ scope: name }).then((permit) => {
      third = true;
      return permit;
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(third).toBe(false);
    await p1.release();
    const permit = await pending;
    expect(third).toBe(true);
    expect((await a.instance.inspect(name)).leases).toBe(2);
    await permit.release();
    await permit.release();
    expect((await a.instance.inspect(name)).leases).toBe(1);
  });

  it("frees a dead worker's lease when it expires", async () => {
    const name = scope();
    const limits = { [name]: { maxConcurrent: 1 } };
    const dead = await limiter({ limits, leaseMs: 150 });
    const alive = await limiter({ limits, leaseMs: 150 });
    const held = await dead.instance.acquire({ scope: name });
    dead.redis.disconnect();
    const started = performance.now();
    await alive.instance.acquire({ scope: name });
    expect(performance.now() - started).toBeGreaterThanOrEqual(100);
    await held.release().catch(() => undefined);
  });

  it('a pause from one process stops every process for its duration, and never shortens', async () => {
    const name = scope();
    const a = await limiter();
    const b = await limiter();
    await a.instance.pause(name, 400);
    await a.instance.pause(name, 50);
    const state = await b.instance.inspect(name);
    expect(state.pausedForMs).toBeGreaterThan(300);
    await b.instance.acquire({ scope: name });
    expect(b.waits.reduce((sum, ms) => sum + ms, 0)).toBeGreaterThan(300);
  });

  it('aborting a waiting acquire rejects at once with a typed error', async () => {
    const name = scope();
    const { instance } = await limiter();
    await instance.pause(name, 10_000);
    const controller = new AbortController();
    const pending = instance.acquire({ scope: name, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('stop')), 20);
    await expect(pending).rejects.toBeInstanceOf(LimiterAbortError);
  });

  it('four limiters on one scope never exceed the fleet RPM in any window', async () => {
    const name = scope();
    const limits = { [name]: { requestsPerMinute: 20 } };
    const fleet = await Promise.all([
      limiter({ limits }),
      limiter({ limits }),
      limiter({ limits }),
      limiter({ limits }),
    ]);
    const grantedAt: number[] = [];
    await Promise.all(
      fleet.map(async ({ instance }) => {
        for (let i = 0; i < 10; i++) {
          grantedAt.push((await instance.acquire({ scope: name })).grantedAtMs);
        }
      }),
    );
    grantedAt.sort((x, y) => x - y);
    expect(grantedAt).toHaveLength(40);
    for (let i = 0; i < grantedAt.length; i++) {
      const inWindow = grantedAt.filter((t) => t >= (grantedAt[i] ?? 0) && t < (grantedAt[i] ?? 0) + 1_000);
      expect(inWindow.length).toBeLessThanOrEqual(20);
    }
  });
});
