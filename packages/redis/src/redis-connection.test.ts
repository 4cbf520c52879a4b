import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeRedis } from '../test/redis-harness.js';
import {
  BackendUnavailableError,
  connectRedis,
  isBackendUnavailableError,
  redactRedisUrl,
  withBackend,
} from './redis-connection.js';
import { type RedisServerProcess, startRedisServer } from './redis-server-process.js';

it('redacts the password of a Redis URL', () => {
  expect(redactRedisUrl('redis://user:s3cret-key@127.0.0.1:6379/0')).toBe(
    'redis://user:***@127.0.0.1:6379/0',
  );
  expect(redactRedisUrl('not a url')).not.toContain('not a url');
});

describeRedis('connectRedis against a real redis-server', () => {
  let server: RedisServerProcess;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server.stop();
  });

  it('connects and answers PING', async () => {
    const redis = await connectRedis(server.url);
    try {
      expect(await redis.ping()).toBe('PONG');
    } finally {
      redis.disconnect();
    }
  });

  it('fails fast with a typed, password-free error when nothing listens', async () => {
    const started = performance.now();
    const error = await connectRedis('redis://:sentinel-password-123@127.0.0.1:1').catch(
      (caught: unknown) => caught,
    );
    expect(isBackendUnavailableError(error)).toBe(true);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    const text = `${(error as Error).message} ${JSON.stringify(error)} ${String(error)}`;
    expect(text).not.toContain('sentinel-password-123');
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('turns an outage into BackendUnavailableError quickly, then works again after a restart', async () => {
    const redis = await connectRedis(server.url, { commandTimeoutMs: 500 });
    try {
      await redis.set('k', 'v');
      await server.stop();
      const error = await withBackend('get', () => redis.get('k')).catch((caught: unknown) => caught);
      expect(isBackendUnavailableError(error)).toBe(true);
      await server.start();
      let answer: string | null | undefined;
      for (let attempt = 0; attempt < 100 && answer === undefined; attempt++) {
        answer = await withBackend('ping', () => redis.ping()).catch(async () => {
          await new Promise((resolve) => setTimeout(resolve, 50));
          return undefined;
        });
      }
      expect(answer).toBe('PONG');
    } finally {
      redis.disconnect();
    }
  });
});
