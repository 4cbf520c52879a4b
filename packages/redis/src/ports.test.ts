import {
  createMemoryEventBus,
  createMemoryRunQueue,
  createMemoryUsageLedger,
  type EventBus,
  type UsageLedger,
} from '@chatloop/core';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe } from 'vitest';
import {
  eventBusConformance,
  runQueueConformance,
  usageLedgerConformance,
} from '../test/ports-conformance.js';
import { describeRedis } from '../test/redis-harness.js';
import { connectRedis } from './redis-connection.js';
import { RedisEventBus } from './redis-event-bus.js';
import { RedisRunQueue } from './redis-run-queue.js';
import { type RedisServerProcess, startRedisServer } from './redis-server-process.js';
import { RedisUsageLedger } from './redis-usage-ledger.js';

describe('ports: in-process implementations', () => {
  describe('UsageLedger', () => {
    const shared = createMemoryUsageLedger();
    usageLedgerConformance((): UsageLedger => shared);
  });
  describe('EventBus', () => {
    eventBusConformance(() => {
      const bus: EventBus = createMemoryEventBus();
      return { publisher: bus, subscriber: bus };
    });
  });
  describe('RunQueue', () => {
    runQueueConformance(({ attempts }) => createMemoryRunQueue({ attempts, backoffMs: 10 }));
  });
});

describeRedis('ports: Redis implementations', () => {
  let server: RedisServerProcess;
  const connections: Redis[] = [];
  let queueCounter = 0;
  beforeAll(async () => {
    server = await startRedisServer();
    for (let i = 0; i < 4; i++) connections.push(await connectRedis(server.url));
  });
  afterAll(async () => {
    for (const redis of connections) redis.disconnect();
    await server.stop();
  });
  const connection = (i: number) => connections[i % connections.length] as Redis;

  describe('UsageLedger', () => {
    let next = 0;
    usageLedgerConformance(() => new RedisUsageLedger({ redis: connection(next++) }));
  });
  describe('EventBus', () => {
    eventBusConformance(() => ({
      publisher: new RedisEventBus({ redis: connection(0), blockMs: 100 }),
      subscriber: new RedisEventBus({ redis: connection(1), blockMs: 100 }),
    }));
  });
  describe('RunQueue', () => {
    runQueueConformance(
      ({ attempts }) =>
        new RedisRunQueue({
          url: server.url,
          queueName: `conformance-${++queueCounter}`,
          attempts,
          backoffMs: 10,
        }),
    );
  });
});
