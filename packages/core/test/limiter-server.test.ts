import { startServer, type TestServer } from '@chatloop/testing';
import { afterEach, describe, expect, it } from 'vitest';
import type { ResilienceEvent } from '../src/client-resilience.js';
import { createLimiter } from '../src/limiter.js';
import { isQueueFullError, isQueueTimeoutError } from '../src/limiter-errors.js';
import { createFakeClock, flush } from './fake-clock.js';
import { resilientClient } from './resilient-client.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const ask = (content: string) => ({ model: 'gpt-4.1-mini', messages: [{ role: 'user' as const, content }] });

/** Lets real I/O run until `done()` holds (bounded). */
async function until(done: () => boolean, rounds = 2_000): Promise<void> {
  for (let i = 0; i < rounds && !done(); i++) await flush(1);
  if (!done()) throw new Error('condition not reached');
}

describe('the limiter against the testing server (fake clock)', () => {
  it('never sends more per window than requestsPerMinute, as the server sees it', async () => {
    const clock = createFakeClock(1_800_000_000_000);
    server = await startServer({ now: clock.now });
    const limiter = createLimiter({ requestsPerMinute: 4, now: clock.now, sleep: clock.sleep });
    const client = resilientClient({ baseURL: server.url, limiter, clock: clock.now, sleep: clock.sleep });
    let done = 0;
    const calls = Array.from({ length: 10 }, (_, index) =>
      client.chat(ask(`call ${index}`)).then(() => done++),
    );
    await until(() => done === 4);
    expect(server.requests).toHaveLength(4);
    await clock.advance(59_999);
    expect(server.requests).toHaveLength(4);
    await clock.advance(1);
    await until(() => done === 8);
    await clock.advance(60_000);
    await Promise.all(calls);
    const times = server.requests.map((request) => request.receivedAt);
    for (const at of times)
      expect(times.filter((other) => other >= at && other < at + 60_000).length).toBeLessThanOrEqual(4);
    await client.close();
  });

  it('charges tokens and corrects them with the reported usage (TPM)', async () => {
    const clock = createFakeClock(1_800_000_000_000);
    server = await startServer({ now: clock.now });
    const limiter = createLimiter({ tokensPerMinute: 300, now: clock.now, sleep: clock.sleep });
    const client = resilientClient({
      baseURL: server.url,
      limiter,
      limiterScope: 'tpm',
      estimateTokens: (request) => (JSON.stringify(request).includes('fourth') ? 290 : 200),
      clock: clock.now,
      sleep: clock.sleep,
    });
    await client.chat(ask('short'));
    const used = server.ledger.totalTokens;
    expect(used).toBeLessThan(100);
    expect(limiter.stats('tpm').tokensInWindow).toBe(used);
    // Two charges of 200 do not fit 300 together: the second is admitted once the first settles to its usage.
    await Promise.all([client.chat(ask('second')), client.chat(ask('third'))]);
    expect(server.requests).toHaveLength(3);
    expect(limiter.stats('tpm').tokensInWindow).toBe(server.ledger.totalTokens);
    let fourth = false;
    const pending = client.chat(ask('fourth')).then(() => {
      fourth = true;
    });
    await flush();
    expect(fourth).toBe(false);
    await clock.advance(60_000);
    await pending;
    expect(server.requests).toHaveLength(4);
    await client.close();
  });

  it('a 429 pauses the whole queue for its retry-after: no caller sends in the window', async () => {
    const clock = createFakeClock(1_800_000_000_000);
    server = await startServer({ now: clock.now });
    server.injectFault({ kind: 'status', status: 429, headers: { 'retry-after': '10' } });
    const limiter = createLimiter({ concurrency: 1, now: clock.now, sleep: clock.sleep });
    const events: ResilienceEvent[] = [];
    const client = resilientClient({
      baseURL: server.url,
      limiter,
      limiterScope: 's',
      clock: clock.now,
      sleep: clock.sleep,
      onEvent: (event) => events.push(event),
    });
    const calls = Array.from({ length: 4 }, (_, index) => client.chat(ask(`call ${index}`)));
    await until(() => server?.requests.length === 1 && limiter.stats('s').pausedForMs > 0);
    expect(events).toContainEqual({
      type: 'limiter-pause',
      scope: 's',
      pauseMs: 10_000,
      cause: 'rate-limited',
    });
    await clock.advance(9_999);
    expect(server.requests).toHaveLength(1);
    await clock.advance(1);
    await clock.runAll();
    await Promise.all(calls);
    const [first, ...rest] = server.requests.map((request) => request.receivedAt);
    for (const at of rest) expect(at - (first as number)).toBeGreaterThanOrEqual(10_000);
    await client.close();
  });

  it('x-ratelimit headers pause the queue until the reset when a budget is spent', async () => {
    const clock = createFakeClock(1_800_000_000_000);
    server = await startServer({ now: clock.now, rateLimit: { rpm: 2, windowMs: 30_000 } });
    const limiter = createLimiter({ now: clock.now, sleep: clock.sleep });
    const client = resilientClient({
      baseURL: server.url,
      limiter,
      limiterScope: 'h',
      clock: clock.now,
      sleep: clock.sleep,
    });
    await client.chat(ask('one'));
    const second = await client.chat(ask('two'));
    expect(second.meta.headers['x-ratelimit-remaining-requests']).toBe('0');
    expect(limiter.stats('h').pausedForMs).toBeGreaterThan(0);
    let third = false;
    const pending = client.chat(ask('three')).then(() => {
      third = true;
    });
    await flush();
    expect(third).toBe(false);
    expect(server.requests).toHaveLength(2);
    await clock.runAll();
    await pending;
    expect(server.requests).toHaveLength(3);
    expect(server.ledger.requests).toBe(3);
    await client.close();
  });

  it('queue size and queue wait fail with their own errors, unsent', async () => {
    const clock = createFakeClock(1_800_000_000_000);
    server = await startServer({ now: clock.now });
    const limiter = createLimiter({
      requestsPerMinute: 1,
      maxQueueSize: 1,
      maxQueueWaitMs: 5_000,
      now: clock.now,
      sleep: clock.sleep,
    });
    const client = resilientClient({ baseURL: server.url, limiter, clock: clock.now, sleep: clock.sleep });
    await client.chat(ask('first'));
    const waiting = client.chat(ask('waits')).catch((error: unknown) => error);
    await flush();
    const full = await client.chat(ask('no room')).catch((error: unknown) => error);
    expect(isQueueFullError(full)).toBe(true);
    await clock.advance(5_000);
    expect(isQueueTimeoutError(await waiting)).toBe(true);
    expect(server.requests).toHaveLength(1);
    await client.close();
  });
});
