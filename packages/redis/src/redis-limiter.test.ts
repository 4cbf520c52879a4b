import { createLimiter } from '@chatloop/core';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { limiterConformance } from '../test/limiter-conformance.js';
import { describeRedis } from '../test/redis-harness.js';
import { connectRedis } from './redis-connection.js';
import { RedisLimiter, type RedisLimiterOptions } from './redis-limiter.js';
import { type RedisServerProcess, startRedisServer } from './redis-server-process.js';

describe('Limiter port: in-process implementation', () => {
  limiterConformance(async (limits) => createLimiter(limits));
});

describeRedis('Limiter port: Redis implementation', () => {
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

  /** A limiter on its own connection, like one worker process. */
  async function limiter(options: Omit<RedisLimiterOptions, 'redis'> = {}) {
    const redis = await connectRedis(server.url);
    connections.push(redis);
    return { instance: new RedisLimiter({ redis, ...options }), redis };
  }
  const scope = () => `redis-${process.pid}-${++scopeCounter}`;

  describe('conformance', () => {
    limiterConformance(async (limits) => (await limiter(limits)).instance);
  });

  it('reports requests, tokens, leases and pause as Redis sees them', async () => {
    const name = scope();
    const { instance } = await limiter({ concurrency: 5 });
    const permit = await instance.acquire({ scope: name, tokens: 40 });
    await permit.settle({ tokens: 25 });
    await instance.pause(name, 5_000);
    const state = await instance.inspect(name);
    expect(state).toMatchObject({ requestsInWindow: 1, tokensInWindow: 25, leases: 1 });
    expect(state.pausedForMs).toBeGreaterThan(4_000);
    await permit.release();
    expect((await instance.inspect(name)).leases).toBe(0);
  });

  it("frees a dead worker's concurrency lease when it expires", async () => {
    const name = scope();
    const dead = await limiter({ concurrency: 1, leaseMs: 150 });
    const alive = await limiter({ concurrency: 1, leaseMs: 150 });
    const held = await dead.instance.acquire({ scope: name });
    dead.redis.disconnect();
    const started = performance.now();
    await alive.instance.acquire({ scope: name });
    expect(performance.now() - started).toBeGreaterThanOrEqual(100);
    await expect(held.release()).rejects.toMatchObject({ code: 'backend_unavailable' });
  });

  it('a pause from one process holds every process, and a shorter pause never shortens it', async () => {
    const name = scope();
    const a = await limiter();
    const b = await limiter();
    await a.instance.pause(name, 300);
    await a.instance.pause(name, 20);
    const started = performance.now();
    await b.instance.acquire({ scope: name });
    expect(performance.now() - started).toBeGreaterThanOrEqual(200);
  });

  it('four limiters on one scope never grant more than the fleet RPM in any window', async () => {
    const name = scope();
    const fleet = await Promise.all(
      [1, 2, 3, 4].map(() => limiter({ requestsPerMinute: 20, windowMs: 500 })),
    );
    const grantedAt: number[] = [];
    await Promise.all(
      fleet.map(async ({ instance }) => {
        for (let i = 0; i < 10; i++) grantedAt.push((await instance.acquire({ scope: name })).grantedAtMs);
      }),
    );
    grantedAt.sort((x, y) => x - y);
    expect(grantedAt).toHaveLength(40);
    for (const start of grantedAt) {
      expect(grantedAt.filter((t) => t >= start && t < start + 500).length).toBeLessThanOrEqual(20);
    }
    expect((grantedAt.at(-1) ?? 0) - (grantedAt[0] ?? 0)).toBeGreaterThanOrEqual(500);
  });

  it('fails fast with BackendUnavailableError when Redis is down', async () => {
    const { instance, redis } = await limiter();
    redis.disconnect();
    await expect(instance.acquire({ scope: scope() })).rejects.toMatchObject({ code: 'backend_unavailable' });
  });
});
