import { isMalformedResponseError } from '@chatloop/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  baselineResources,
  completionBody,
  type LocalServer,
  leftBehind,
  startLocalServer,
  writeFiller,
} from '../test/http-server.js';
import { createClient } from './client.js';
import {
  isAbortError,
  isAPIConnectionError,
  isAuthenticationError,
  isInternalServerError,
  isRateLimitError,
  isTimeoutError,
} from './errors.js';
import type { SendMiddleware } from './send.js';

const KEY = 'sk-test-SENTINEL-0123456789';

let server: LocalServer;
const hanging = new Set<() => void>();

beforeAll(async () => {
  server = await startLocalServer((request, response) => {
    const body = JSON.parse(request.body) as { model: string; messages: Array<{ content: string }> };
    switch (body.model) {
      case 'hang':
        // Never answers; the test's client deadline or abort ends it.
        hanging.add(() => response.destroy());
        return;
      case 'html':
        response.writeHead(200, { 'content-type': 'text/html' });
        response.end('<html>oops</html>');
        return;
      case 'wrong-shape':
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"hello":"world"}');
        return;
      case 'reset':
        request.socket.destroy();
        return;
      default:
        response.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req_123' });
        response.end(JSON.stringify(completionBody(`echo: ${body.messages[0]?.content ?? ''}`)));
    }
  });
});

afterAll(async () => {
  for (const end of hanging) end();
  await server.close();
});

const request = (model = 'test-model', content = 'hi') => ({
  model,
  messages: [{ role: 'user' as const, content }],
});

describe('createClient().chat', () => {
  it('returns the completion with non-enumerable meta, and sends the key and headers', async () => {
    const client = createClient({ baseURL: server.url, apiKey: KEY, headers: { 'X-Custom': 'yes' } });
    const response = await client.chat(request('test-model', 'hello'), { idempotencyKey: 'idem-1' });
    expect(response.choices[0]?.message.content).toBe('echo: hello');
    expect(response.meta.status).toBe(200);
    expect(response.meta.requestId).toBe('req_123');
    expect(response.meta.headers['content-type']).toBe('application/json');
    expect(response.meta.attempts).toBe(1);
    expect(response.meta.retries).toBe(0);
    expect(response.meta.latencyMs).toBeGreaterThanOrEqual(0);
    expect(Object.keys(response)).not.toContain('meta');
    expect(JSON.stringify(response)).toBe(JSON.stringify(completionBody('echo: hello')));
    const seen = server.requests.at(-1)!;
    expect(seen.url).toBe('/v1/chat/completions');
    expect(seen.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(seen.headers['x-custom']).toBe('yes');
    expect(seen.headers['idempotency-key']).toBe('idem-1');
    expect(seen.body).toEqual(request('test-model', 'hello'));
    await client.close();
  });

  it('counts usage exactly once per call', async () => {
    const client = createClient({ baseURL: server.url });
    await client.chat(request());
    await client.chat(request());
    expect(client.usage.snapshot()).toEqual({
      requests: 2,
      promptTokens: 10,
      completionTokens: 6,
      totalTokens: 16,
      cachedTokens: 0,
      reasoningTokens: 0,
    });
    client.usage.reset();
    expect(client.usage.requests).toBe(0);
    await client.close();
  });

  it('sends query parameters and a custom key header (Azure style)', async () => {
    const client = createClient({
      baseURL: `${server.url}/`,
      apiKey: KEY,
      apiKeyHeader: 'api-key',
      query: { 'api-version': '2024-10-21' },
    });
    await client.chat(request());
    const seen = server.requests.at(-1)!;
    expect(seen.url).toBe('/v1/chat/completions?api-version=2024-10-21');
    expect(seen.headers['api-key']).toBe(KEY);
    expect(seen.headers.authorization).toBeUndefined();
    await client.close();
  });

  it('drops stream fields from a chat request', async () => {
    const client = createClient({ baseURL: server.url });
    await client.chat({ ...request(), stream: true, stream_options: { include_usage: true } });
    expect(server.requests.at(-1)!.body).toEqual(request());
    await client.close();
  });

  it('works through an injected fetch', async () => {
    const client = createClient({ baseURL: server.url, fetch: globalThis.fetch });
    const response = await client.chat(request('test-model', 'via fetch'));
    expect(response.choices[0]?.message.content).toBe('echo: via fetch');
    expect(response.meta.requestId).toBe('req_123');
  });

  it('gives a MalformedResponseError for a 200 that is not JSON or not a completion', async () => {
    const client = createClient({ baseURL: server.url, apiKey: KEY });
    const html = await client.chat(request('html')).catch((error: unknown) => error);
    expect(isMalformedResponseError(html)).toBe(true);
    const shape = await client.chat(request('wrong-shape')).catch((error: unknown) => error);
    expect(isMalformedResponseError(shape)).toBe(true);
    await client.close();
  });

  it('gives an APIConnectionError when the connection is reset or refused', async () => {
    const client = createClient({ baseURL: server.url, apiKey: KEY });
    const reset = await client.chat(request('reset')).catch((error: unknown) => error);
    expect(isAPIConnectionError(reset)).toBe(true);
    await client.close();
    const refused = createClient({ baseURL: 'http://127.0.0.1:1/v1', apiKey: KEY });
    const error = await refused.chat(request()).catch((error: unknown) => error);
    expect(isAPIConnectionError(error)).toBe(true);
    expect(String(error)).not.toContain(KEY);
    await refused.close();
  });

  it('fires the total timeout and leaves nothing behind', async () => {
    const client = createClient({ baseURL: server.url, apiKey: KEY });
    const before = await baselineResources(server);
    const error = await client.chat(request('hang'), { timeoutMs: 30 }).catch((error: unknown) => error);
    expect(isTimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ kind: 'total', timeoutMs: 30 });
    await server.dropConnections();
    expect(await leftBehind(before)).toEqual([]);
    await client.close();
  });

  it('aborts mid-request at once with an AbortError and leaves nothing behind', async () => {
    const client = createClient({ baseURL: server.url, apiKey: KEY });
    const before = await baselineResources(server);
    const controller = new AbortController();
    const pending = client.chat(request('hang'), { signal: controller.signal });
    await waitFor(() => hanging.size > 0);
    controller.abort(new Error('user gave up'));
    const error = await pending.catch((error: unknown) => error);
    expect(isAbortError(error)).toBe(true);
    await server.dropConnections();
    expect(await leftBehind(before)).toEqual([]);
    // An already-aborted signal fails before sending anything.
    const count = server.requests.length;
    await expect(client.chat(request(), { signal: controller.signal })).rejects.toMatchObject({
      code: 'aborted',
    });
    expect(server.requests.length).toBe(count);
    await client.close();
  });

  it('leaves no timer or listener behind after success', async () => {
    const client = createClient({ baseURL: server.url, apiKey: KEY });
    const controller = new AbortController();
    await client.chat(request(), { signal: controller.signal });
    const before = await baselineResources(server);
    for (let i = 0; i < 5; i++) await client.chat(request(), { signal: controller.signal });
    await server.dropConnections();
    expect(await leftBehind(before)).toEqual([]);
    // The abort listener was removed: aborting now changes nothing.
    controller.abort();
    await client.close();
  });

  it('runs middleware around the single send (the retry seam)', async () => {
    const calls: number[] = [];
    const retryOnce: SendMiddleware = (next) => async (sendRequest) => {
      calls.push(sendRequest.attempt);
      try {
        return await next({ ...sendRequest, body: { ...sendRequest.body, model: 'auth-fail-once' } });
      } catch {
        calls.push(sendRequest.attempt + 1);
        const result = await next({ ...sendRequest, attempt: sendRequest.attempt + 1, waitedMs: 5 });
        return result;
      }
    };
    let failed = false;
    const flaky = await startLocalServer((_request, response) => {
      if (!failed) {
        failed = true;
        response.writeHead(500, { 'content-type': 'application/json' });
        response.end('{"error":{"message":"boom"}}');
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(completionBody('ok')));
    });
    const client = createClient({ baseURL: flaky.url, middleware: [retryOnce] });
    const response = await client.chat(request());
    expect(calls).toEqual([1, 2]);
    expect(response.meta).toMatchObject({ attempts: 2, retries: 1, waitedMs: 5 });
    expect(client.usage.requests).toBe(1);
    await client.close();
    await flaky.close();
  });

  it('reads retry-after HTTP dates with the injected clock', async () => {
    const limited = await startLocalServer((_request, response) => {
      response.writeHead(429, {
        'content-type': 'application/json',
        'retry-after': new Date(1_800_000_007_000).toUTCString(),
      });
      response.end('{"error":{"message":"Rate limit reached","code":"rate_limit_exceeded"}}');
    });
    const client = createClient({ baseURL: limited.url, now: () => 1_800_000_000_000 });
    const error = await client.chat(request()).catch((error: unknown) => error);
    expect(isRateLimitError(error)).toBe(true);
    expect(error).toMatchObject({ status: 429, retryAfterMs: 7000, apiCode: 'rate_limit_exceeded' });
    await client.close();
    await limited.close();
  });

  it('rejects a bad baseURL with a typed error', () => {
    expect(() => createClient({ baseURL: 'not a url' })).toThrowError(/baseURL/);
    expect(() => createClient({ baseURL: 'ftp://example.com' })).toThrowError(/http/);
  });

  it('types error answers, with the status kinds', async () => {
    const failing = await startLocalServer((_request, response) => {
      response.writeHead(401, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({ error: { message: `Incorrect API key provided: ${KEY}`, code: 'invalid_api_key' } }),
      );
    });
    const client = createClient({ baseURL: failing.url, apiKey: KEY });
    const error = await client.chat(request()).catch((error: unknown) => error);
    expect(isAuthenticationError(error)).toBe(true);
    expect(String(error)).not.toContain(KEY);
    expect(JSON.stringify(error)).not.toContain(KEY);
    await client.close();
    await failing.close();
    const gateway = await startLocalServer((_request, response) => {
      response.writeHead(502, { 'content-type': 'text/html' });
      response.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
    });
    const client2 = createClient({ baseURL: gateway.url, apiKey: KEY });
    const bad = await client2.chat(request()).catch((error: unknown) => error);
    expect(isInternalServerError(bad)).toBe(true);
    expect((bad as Error).message).toContain(
      '502 Bad Gateway: the server answered with a non-JSON body (text/html)',
    );
    await client2.close();
    await gateway.close();
  });

  it('reads at most 64 KiB of an error answer, through undici and fetch, and still types it', async () => {
    const pageBytes = 20 * 1024 * 1024;
    let unfinished = 0;
    const gateway = await startLocalServer((_request, response) => {
      response.writeHead(502, { 'content-type': 'text/html' });
      response.on('close', () => {
        if (!response.writableFinished) unfinished++;
      });
      writeFiller(response, pageBytes);
    });
    for (const fetch of [undefined, globalThis.fetch]) {
      const client = createClient({ baseURL: gateway.url, maxRetries: 0, ...(fetch ? { fetch } : {}) });
      const error = await client.chat(request()).catch((caught: unknown) => caught);
      expect(isInternalServerError(error)).toBe(true);
      expect(error).toMatchObject({ status: 502 });
      await client.close();
    }
    await waitFor(() => unfinished === 2);
    await gateway.close();
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((resolve) => setImmediate(resolve));
  if (!condition()) throw new Error('condition never became true');
}
