import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeRedis } from '../test/redis-harness.js';
import { RedisRunQueue } from './redis-run-queue.js';
import { type RedisServerProcess, startRedisServer } from './redis-server-process.js';

describeRedis('RedisRunQueue against a real redis-server', () => {
  let server: RedisServerProcess;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server.stop();
  });

  it('closes without throwing while Redis is down, and leaves no connection behind', async () => {
    const before = process.getActiveResourcesInfo().filter((kind) => kind === 'TCPSocketWrap').length;
    const queue = new RedisRunQueue({ url: server.url, queueName: 'close-during-outage' });
    expect(await queue.counts()).toMatchObject({ waiting: 0 });
    await server.stop();
    try {
      // The connection is now reconnecting: closing it must not fail on the dead socket.
      await expect(queue.close()).resolves.toBeUndefined();
    } finally {
      await server.start();
    }
    const after = process.getActiveResourcesInfo().filter((kind) => kind === 'TCPSocketWrap').length;
    expect(after).toBeLessThanOrEqual(before);
  });
});
