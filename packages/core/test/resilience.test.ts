import { startServer, type TestServer } from '@chatloop/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  isAbortError,
  isAPIConnectionError,
  isInsufficientQuotaError,
  isRateLimitError,
  isStreamInterruptedError,
  type RateLimitError,
  type StreamInterruptedError,
} from '../src/errors.js';
import { createLimiter } from '../src/limiter.js';
import { createFakeClock, flush } from './fake-clock.js';
import { instantSleep, resilientClient } from './resilient-client.js';

let server: TestServer | undefined;
const clients: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  await server?.close();
  server = undefined;
});

async function serve(options: Parameters<typeof startServer>[0] = {}) {
  server = await startServer(options);
  return server;
}

function track<T extends { close(): Promise<void> }>(client: T): T {
  clients.push(client);
  return client;
}

const ask = (content = 'hello world') => ({
  model: 'gpt-4.1-mini',
  messages: [{ role: 'user' as const, content }],
});
const overloaded = { kind: 'status' as const, status: 503 };

describe('retries against the testing server', () => {
  it('5xx then success: retried, meta counts the attempts, usage counted once', async () => {
    const srv = await serve();
    srv.injectFault({ kind: 'status', status: 500 });
    srv.injectFault(overloaded);
    const { sleep, sleeps } = instantSleep();
    const client = track(resilientClient({ baseURL: srv.url, sleep, random: () => 0.5 }));
    const answer = await client.chat(ask());
    expect(answer.meta).toMatchObject({ attempts: 3, retries: 2, waitedMs: 250 + 500 });
    expect(sleeps).toEqual([250, 500]);
    expect(srv.requests).toHaveLength(3);
    expect(client.usage.totalTokens).toBe(srv.ledger.totalTokens);
    expect(client.usage.requests).toBe(srv.ledger.requests);
  });

  it.each([408, 409, 502, 504])('retries HTTP %d', async (status) => {
    const srv = await serve();
    srv.injectFault({ kind: 'status', status });
    const client = track(resilientClient({ baseURL: srv.url, sleep: instantSleep().sleep }));
    await expect(client.chat(ask())).resolves.toMatchObject({ object: 'chat.completion' });
    expect(srv.requests).toHaveLength(2);
  });

  it.each([400, 401, 403, 404, 422])('never retries HTTP %d', async (status) => {
    const srv = await serve();
    srv.injectFault({ kind: 'status', status });
    const client = track(resilientClient({ baseURL: srv.url, sleep: instantSleep().sleep }));
    const error = await client.chat(ask()).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status, attempts: 1 });
    expect(srv.requests).toHaveLength(1);
  });

  it('x-should-retry overrides the status both ways', async () => {
    const srv = await serve();
    srv.injectFault({ kind: 'status', status: 400, headers: { 'x-should-retry': 'true' } });
    const client = track(resilientClient({ baseURL: srv.url, sleep: instantSleep().sleep }));
    await expect(client.chat(ask())).resolves.toBeDefined();
    expect(srv.requests).toHaveLength(2);
    srv.injectFault({ kind: 'status', status: 503, headers: { 'x-should-retry': 'false' } });
    await expect(client.chat(ask())).rejects.toMatchObject({ status: 503, attempts: 1 });
    expect(srv.requests).toHaveLength(3);
  });

  it.each([
    ['retry-after seconds', { 'retry-after': '2' }, 2000],
    ['retry-after-ms', { 'retry-after-ms': '1500' }, 1500],
    ['retry-after HTTP date', { 'retry-after': new Date(1_800_000_005_000).toUTCString() }, 5000],
  ])('429 with %s: the server word wins', async (_name, headers, expected) => {
    const srv = await serve();
    srv.injectFault({ kind: 'status', status: 429, headers });
    const { sleep, sleeps } = instantSleep();
    const client = track(resilientClient({ baseURL: srv.url, sleep, clock: () => 1_800_000_000_000 }));
    const answer = await client.chat(ask());
    expect(sleeps).toEqual([expected]);
    expect(answer.meta).toMatchObject({ attempts: 2, waitedMs: expected });
  });

  it('an absurd retry-after fails at once with a typed 429 and pauses the whole limiter', async () => {
    const srv = await serve();
    srv.injectFault({ kind: 'status', status: 429, headers: { 'retry-after': '3600' } });
    const clock = createFakeClock(1_800_000_000_000);
    const limiter = createLimiter({ now: clock.now, sleep: clock.sleep });
    const client = track(
      resilientClient({ baseURL: srv.url, limiter, limiterScope: 's', sleep: clock.sleep, clock: clock.now }),
    );
    const error = (await client.chat(ask()).catch((caught: unknown) => caught)) as RateLimitError;
    expect(isRateLimitError(error)).toBe(true);
    expect(error).toMatchObject({ retryAfterMs: 3_600_000, attempts: 1 });
    expect(limiter.stats('s').pausedForMs).toBe(3_600_000);
    const controller = new AbortController();
    const waiting = client.chat(ask(), { signal: controller.signal }).catch((caught: unknown) => caught);
    await clock.advance(3_599_000);
    expect(srv.requests).toHaveLength(1);
    controller.abort();
    expect(isAbortError(await waiting)).toBe(true);
    expect(srv.requests).toHaveLength(1);
  });

  it('insufficient_quota stops at once with its own error', async () => {
    const srv = await serve();
    srv.injectFault({
      kind: 'status',
      status: 429,
      headers: { 'retry-after': '1' },
      body: {
        error: {
          message: 'You exceeded your current quota.',
          type: 'insufficient_quota',
          param: null,
          code: 'insufficient_quota',
        },
      },
    });
    const client = track(resilientClient({ baseURL: srv.url, sleep: instantSleep().sleep }));
    const error = await client.chat(ask()).catch((caught: unknown) => caught);
    expect(isInsufficientQuotaError(error)).toBe(true);
    expect(srv.requests).toHaveLength(1);
  });

  it('a connection dropped before any byte is retried, for chat and stream', async () => {
    const srv = await serve();
    srv.injectFault({ kind: 'drop' });
    const client = track(resilientClient({ baseURL: srv.url, sleep: instantSleep().sleep }));
    await expect(client.chat(ask())).resolves.toMatchObject({ meta: { attempts: 2 } });
    srv.injectFault({ kind: 'drop' });
    const final = await client.stream(ask('stream me')).final();
    expect(final.meta.attempts).toBe(2);
    expect(final.choices[0]?.message.content).toBe('stream me');
    expect(client.usage.totalTokens).toBe(srv.ledger.totalTokens);
  });

  it('a stream cut after deltas reached the caller is not retried: interrupted with the partial text', async () => {
    const srv = await serve();
    srv.injectFault({ kind: 'drop', afterChunks: 3 });
    const client = track(resilientClient({ baseURL: srv.url, sleep: instantSleep().sleep }));
    const pieces: string[] = [];
    const error = await (async () => {
      for await (const piece of client.stream(ask('one two three four five six seven eight')).textStream)
        pieces.push(piece);
    })().catch((caught: unknown) => caught);
    expect(isStreamInterruptedError(error)).toBe(true);
    expect((error as StreamInterruptedError).partialText).toBe(pieces.join(''));
    expect(pieces.length).toBeGreaterThan(0);
    expect(srv.requests).toHaveLength(1);
  });

  it('connection refused: retried, then a typed connection error with the attempts', async () => {
    const srv = await serve();
    const url = srv.url;
    await srv.close();
    server = undefined;
    const { sleep, sleeps } = instantSleep();
    const client = track(resilientClient({ baseURL: url, sleep }));
    const error = await client.chat(ask()).catch((caught: unknown) => caught);
    expect(isAPIConnectionError(error)).toBe(true);
    expect(error).toMatchObject({ attempts: 3 });
    expect(sleeps).toHaveLength(2);
  });

  it('slow headers: the per-attempt timeout fires, then the retry succeeds', async () => {
    const srv = await serve();
    srv.injectFault({ kind: 'slow', delayMs: 2_000 });
    const client = track(resilientClient({ baseURL: srv.url, sleep: instantSleep().sleep, timeoutMs: 100 }));
    await expect(client.chat(ask())).resolves.toMatchObject({ meta: { attempts: 2 } });
  });

  it('the overall deadline holds across attempts', async () => {
    const srv = await serve();
    srv.injectFault({ kind: 'status', status: 429, headers: { 'retry-after': '5' } });
    const { sleep, sleeps } = instantSleep();
    const client = track(resilientClient({ baseURL: srv.url, sleep, retry: { deadlineMs: 4_000 } }));
    await expect(client.chat(ask())).rejects.toMatchObject({ status: 429, attempts: 1 });
    expect(sleeps).toEqual([]);
  });

  it('per-call maxRetries wins over the client', async () => {
    const srv = await serve();
    srv.injectFault(overloaded, 5);
    const client = track(resilientClient({ baseURL: srv.url, sleep: instantSleep().sleep, maxRetries: 4 }));
    await expect(client.chat(ask(), { maxRetries: 0 })).rejects.toMatchObject({ attempts: 1 });
    await expect(client.chat(ask(), { maxRetries: 1 })).rejects.toMatchObject({ attempts: 2 });
    expect(srv.requests).toHaveLength(3);
  });

  it('createClient({ provider }) takes the preset base URL and the key from its variable', () => {
    const client = track(resilientClient({ provider: 'deepseek', env: { DEEPSEEK_API_KEY: 'sk-env' } }));
    expect(client.baseURL).toBe('https://api.deepseek.com');
    expect(client.provider).toBe('deepseek');
    expect(JSON.stringify(client)).not.toContain('sk-env');
    expect(() => resilientClient({ provider: 'azure', baseURL: 'https://x.openai.azure.com' })).toThrow(
      /deployment/,
    );
    expect(() => resilientClient({ provider: 'nope', baseURL: 'http://127.0.0.1:1/v1' })).toThrow(
      /Unknown provider/,
    );
    expect(() => resilientClient({})).toThrow(/baseURL/);
  });

  it('abort during the backoff wait ends at once and leaves nothing behind', async () => {
    const srv = await serve();
    const before = process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    srv.injectFault({ kind: 'status', status: 503, headers: { 'retry-after': '30' } });
    const client = track(resilientClient({ baseURL: srv.url }));
    const controller = new AbortController();
    const pending = client.chat(ask(), { signal: controller.signal }).catch((caught: unknown) => caught);
    while (srv.requests.length === 0) await flush(1);
    await flush();
    controller.abort();
    const error = await pending;
    expect(isAbortError(error)).toBe(true);
    expect(srv.requests).toHaveLength(1);
    expect(process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length).toBeLessThanOrEqual(
      before,
    );
  });
});
