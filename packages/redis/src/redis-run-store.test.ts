import { createMemoryRunStore } from '@chatloop/agent';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe } from 'vitest';
import { describeRedis } from '../test/redis-harness.js';
import { runStoreConformance } from '../test/run-store-conformance.js';
import { connectRedis } from './redis-connection.js';
import { RedisRunStore } from './redis-run-store.js';
import { type RedisServerProcess, startRedisServer } from './redis-server-process.js';

describe('RunStore port: in-process implementation', () => {
  runStoreConformance(() => createMemoryRunStore());
});

describeRedis('RunStore port: Redis implementation', () => {
  let server: RedisServerProcess;
  let redis: Redis;
  beforeAll(async () => {
    server = await startRedisServer();
    redis = await connectRedis(server.url);
  });
  afterAll(async () => {
    redis.disconnect();
    await server.stop();
  });
  runStoreConformance(() => new RedisRunStore({ redis }));
});
