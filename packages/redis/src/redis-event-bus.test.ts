import type { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeRedis } from '../test/redis-harness.js';
import { connectRedis } from './redis-connection.js';
import { RedisEventBus } from './redis-event-bus.js';
import { type RedisServerProcess, startRedisServer } from './redis-server-process.js';

describeRedis('RedisEventBus', () => {
  let server: RedisServerProcess;
  let publisherConnection: Redis;
  let subscriberConnection: Redis;
  beforeAll(async () => {
    server = await startRedisServer();
    publisherConnection = await connectRedis(server.url);
    subscriberConnection = await connectRedis(server.url);
  });
  afterAll(async () => {
    publisherConnection.disconnect();
    subscriberConnection.disconnect();
    await server.stop();
  });

  it('delivers a run’s events in order to a subscriber on another connection, ending at run_finished', async () => {
    const publisher = new RedisEventBus({ redis: publisherConnection, blockMs: 100 });
    const subscriber = new RedisEventBus({ redis: subscriberConnection, blockMs: 100 });
    const received: unknown[] = [];
    const reading = (async () => {
      for await (const event of subscriber.subscribe('run-a')) received.push(event);
    })();
    for (let i = 0; i < 50; i++)
      await publisher.publish('run-a', { type: 'text_delta', runId: 'run-a', delta: String(i) });
    await publisher.publish('run-a', { type: 'run_finished', runId: 'run-a' });
    await publisher.publish('run-a', { type: 'text_delta', runId: 'run-a', delta: 'after the end' });
    await reading;
    expect(received).toHaveLength(51);
    expect(received.slice(0, 50).map((event) => (event as { delta: string }).delta)).toEqual(
      Array.from({ length: 50 }, (_, i) => String(i)),
    );
    expect(received[50]).toEqual({ type: 'run_finished', runId: 'run-a' });
  });

  it('replays a finished run to a late subscriber', async () => {
    const bus = new RedisEventBus({ redis: publisherConnection, blockMs: 100 });
    await bus.publish('run-b', { type: 'run_started', runId: 'run-b' });
    await bus.publish('run-b', { type: 'run_finished', runId: 'run-b' });
    const received: unknown[] = [];
    for await (const event of bus.subscribe('run-b')) received.push(event);
    expect(received.map((event) => (event as { type: string }).type)).toEqual([
      'run_started',
      'run_finished',
    ]);
  });

  it('ends a subscription quietly on abort, closing its connection', async () => {
    const bus = new RedisEventBus({ redis: publisherConnection, blockMs: 5_000 });
    const controller = new AbortController();
    const received: unknown[] = [];
    const reading = (async () => {
      for await (const event of bus.subscribe('run-c', { signal: controller.signal })) received.push(event);
    })();
    await bus.publish('run-c', { type: 'step_started' });
    while (received.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    await reading;
    expect(received).toEqual([{ type: 'step_started' }]);
  });
});
