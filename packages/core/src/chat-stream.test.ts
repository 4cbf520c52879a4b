import {
  accumulateChunks,
  type ChatCompletionChunk,
  isIncompleteStreamError,
  isStreamEventError,
} from '@chatloop/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  baselineResources,
  type LocalServer,
  leftBehind,
  sseBody,
  startLocalServer,
} from '../test/http-server.js';
import { createClient } from './client.js';
import {
  isAbortError,
  isAPIConnectionError,
  isRateLimitError,
  isStreamInterruptedError,
  isTimeoutError,
  type StreamInterruptedError,
} from './errors.js';

const KEY = 'sk-stream-SENTINEL-42';
const PARTS = ['Hel', 'lo', ' wor', 'ld', ' ✓'];
const sse = { 'content-type': 'text/event-stream', 'x-request-id': 'req_s' };

let server: LocalServer;
const open = new Set<() => void>();

beforeAll(async () => {
  server = await startLocalServer((request, response) => {
    const { model } = JSON.parse(request.body) as { model: string };
    const [first, second] = sseBody(PARTS).split('\n\n');
    switch (model) {
      case 'hang-after-first':
        response.writeHead(200, sse);
        response.write(`${first}\n\n${second}\n\n`);
        open.add(() => response.destroy());
        return;
      case 'steady': {
        // One event every 25 ms (a dozen events, about 300 ms), never more than 25 ms between reads.
        response.writeHead(200, sse);
        const events = sseBody(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i']).split('\n\n');
        const timer = setInterval(() => {
          const event = events.shift();
          if (event === undefined || event === '') {
            clearInterval(timer);
            response.end();
          } else response.write(`${event}\n\n`);
        }, 25);
        open.add(() => clearInterval(timer));
        return;
      }
      case 'drop-after-chunks':
        response.writeHead(200, sse);
        response.write(`${first}\n\n${second}\n\n`, () => setImmediate(() => request.socket.destroy()));
        return;
      case 'drop-before-first':
        response.writeHead(200, sse);
        response.flushHeaders();
        setImmediate(() => request.socket.destroy());
        return;
      case 'incomplete':
        response.writeHead(200, sse);
        response.end(sseBody(PARTS, { done: false, finish: false }));
        return;
      case 'error-frame':
        response.writeHead(200, sse);
        response.end(
          `${first}\n\nevent: error\ndata: {"error":{"message":"overloaded","type":"server_error"}}\n\n`,
        );
        return;
      case 'rate-limited':
        response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '3' });
        response.end('{"error":{"message":"Rate limit reached","code":"rate_limit_exceeded"}}');
        return;
      case 'json-error':
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"error":{"message":"Upstream failed","code":503}}');
        return;
      default:
        response.writeHead(200, sse);
        response.end(sseBody(PARTS));
    }
  });
});

afterAll(async () => {
  for (const end of open) end();
  await server.close();
});

const request = (model = 'test-model') => ({ model, messages: [{ role: 'user' as const, content: 'hi' }] });

describe('ChatStream', () => {
  it('final() equals the assembly of the iterated chunks', async () => {
    const client = createClient({ baseURL: server.url, apiKey: KEY });
    const stream = client.stream(request());
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const final = await stream.final();
    expect(chunks.length).toBe(PARTS.length + 3);
    expect(final).toEqual(accumulateChunks(chunks));
    expect(final.choices[0]?.message.content).toBe(PARTS.join(''));
    expect(final.choices[0]?.finish_reason).toBe('stop');
    expect(final.meta).toMatchObject({ status: 200, requestId: 'req_s', attempts: 1, retries: 0 });
    expect(stream.meta?.requestId).toBe('req_s');
    expect(Object.keys(final)).not.toContain('meta');
    await client.close();
  });

  it('works through final() alone, asks for stream usage, and counts it once', async () => {
    const client = createClient({ baseURL: server.url, apiKey: KEY });
    const final = await client.stream(request()).final();
    expect(final.choices[0]?.message.content).toBe(PARTS.join(''));
    expect(final.usage).toEqual({ prompt_tokens: 7, completion_tokens: 5, total_tokens: 12 });
    const sent = server.requests.at(-1)!;
    expect(sent.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(sent.headers.accept).toBe('text/event-stream');
    expect(client.usage.snapshot()).toMatchObject({
      requests: 1,
      promptTokens: 7,
      completionTokens: 5,
      totalTokens: 12,
    });
    await client.stream({ ...request(), stream_options: { include_usage: false } }).final();
    expect(server.requests.at(-1)!.body).toMatchObject({ stream_options: { include_usage: false } });
    expect(client.usage.requests).toBe(2);
    await client.close();
  });

  it('offers the content deltas as textStream', async () => {
    const client = createClient({ baseURL: server.url });
    const stream = client.stream(request());
    const iterator = stream.textStream[Symbol.asyncIterator]();
    const texts: string[] = [];
    let step = await iterator.next();
    // final() while iterating waits for the iteration to end.
    const pending = stream.final();
    for (; step.done !== true; step = await iterator.next()) texts.push(step.value);
    expect(texts).toEqual(PARTS);
    expect((await pending).choices[0]?.message.content).toBe(PARTS.join(''));
    await expect(stream[Symbol.asyncIterator]().next()).rejects.toMatchObject({ code: 'stream_consumed' });
    // final() first reads the stream itself; iterating afterwards is refused.
    const second = client.stream(request());
    const final = await second.final();
    expect(final.choices[0]?.message.content).toBe(PARTS.join(''));
    await expect(second[Symbol.asyncIterator]().next()).rejects.toMatchObject({ code: 'stream_consumed' });
    await client.close();
  });

  it('works through an injected fetch', async () => {
    const client = createClient({ baseURL: server.url, fetch: globalThis.fetch });
    const texts: string[] = [];
    for await (const text of client.stream(request()).textStream) texts.push(text);
    expect(texts.join('')).toBe(PARTS.join(''));
  });

  it('aborts mid-stream at once through the signal, leaving nothing behind', async () => {
    const client = createClient({ baseURL: server.url, apiKey: KEY });
    const before = await baselineResources(server);
    const controller = new AbortController();
    const stream = client.stream(request('hang-after-first'), { signal: controller.signal });
    const seen: ChatCompletionChunk[] = [];
    const error = await (async () => {
      for await (const chunk of stream) {
        seen.push(chunk);
        if (seen.length === 2) controller.abort();
      }
    })().catch((error: unknown) => error);
    expect(isAbortError(error)).toBe(true);
    await expect(stream.final()).rejects.toMatchObject({ code: 'aborted' });
    expect(seen.length).toBe(2);
    await server.dropConnections();
    expect(await leftBehind(before)).toEqual([]);
    await client.close();
  });

  it('aborts through abort() while only final() waits, leaving nothing behind', async () => {
    for (const fetch of [undefined, globalThis.fetch]) {
      const client = createClient({ baseURL: server.url, apiKey: KEY, ...(fetch ? { fetch } : {}) });
      const before = await baselineResources(server);
      const stream = client.stream(request('hang-after-first'));
      const final = stream.final();
      await waitFor(() => stream.meta !== undefined);
      stream.abort('done waiting');
      const error = await final.catch((error: unknown) => error);
      expect(isAbortError(error)).toBe(true);
      await server.dropConnections();
      expect(await leftBehind(before)).toEqual([]);
      await client.close();
    }
  });

  it('stops the request when the consumer leaves the loop early', async () => {
    const client = createClient({ baseURL: server.url });
    const before = await baselineResources(server);
    const stream = client.stream(request('hang-after-first'));
    for await (const _chunk of stream) break;
    await expect(stream.final()).rejects.toMatchObject({ code: 'aborted' });
    await server.dropConnections();
    expect(await leftBehind(before)).toEqual([]);
    expect(client.usage.requests).toBe(0);
    await client.close();
  });

  it('fires the idle timeout between reads, and the total timeout mid-stream', async () => {
    const client = createClient({ baseURL: server.url });
    const before = await baselineResources(server);
    const idle = await client
      .stream(request('hang-after-first'), { idleTimeoutMs: 40 })
      .final()
      .catch((error: unknown) => error);
    expect(isTimeoutError(idle)).toBe(true);
    expect(idle).toMatchObject({ kind: 'idle', timeoutMs: 40 });
    const total = await client
      .stream(request('hang-after-first'), { timeoutMs: 60, idleTimeoutMs: 0 })
      .final()
      .catch((error: unknown) => error);
    expect(total).toMatchObject({ code: 'timeout', kind: 'total', timeoutMs: 60 });
    await server.dropConnections();
    expect(await leftBehind(before)).toEqual([]);
    await client.close();
  });

  it('keeps a stream alive past its idle timeout while reads keep coming', async () => {
    const client = createClient({ baseURL: server.url });
    const started = performance.now();
    const final = await client.stream(request('steady'), { idleTimeoutMs: 150 }).final();
    expect(performance.now() - started).toBeGreaterThan(150);
    expect(final.choices[0]?.message.content).toBe('abcdefghi');
    await client.close();
  });

  it('gives a StreamInterruptedError with the partial text when the connection drops after chunks', async () => {
    const client = createClient({ baseURL: server.url, apiKey: KEY });
    const stream = client.stream(request('drop-after-chunks'));
    const texts: string[] = [];
    const error = await (async () => {
      for await (const text of stream.textStream) texts.push(text);
    })().catch((error: unknown) => error);
    expect(isStreamInterruptedError(error)).toBe(true);
    expect((error as StreamInterruptedError).partialText).toBe('Hel');
    expect(texts).toEqual(['Hel']);
    expect(JSON.stringify(error)).not.toContain(KEY);
    await client.close();
  });

  it('rejects the send (retryable) when the connection drops before the first chunk', async () => {
    const client = createClient({ baseURL: server.url });
    const error = await client
      .stream(request('drop-before-first'))
      .final()
      .catch((error: unknown) => error);
    expect(isAPIConnectionError(error)).toBe(true);
    await client.close();
  });

  it('types incomplete streams, error frames and error answers', async () => {
    // One attempt each: the retry layer would wait out the 429's 3 s retry-after twice.
    const client = createClient({ baseURL: server.url, apiKey: KEY, maxRetries: 0 });
    const incomplete = await client
      .stream(request('incomplete'))
      .final()
      .catch((error: unknown) => error);
    expect(isIncompleteStreamError(incomplete)).toBe(true);
    const frame = await client
      .stream(request('error-frame'))
      .final()
      .catch((error: unknown) => error);
    expect(isStreamEventError(frame)).toBe(true);
    const limited = await client
      .stream(request('rate-limited'))
      .final()
      .catch((error: unknown) => error);
    expect(isRateLimitError(limited)).toBe(true);
    expect(limited).toMatchObject({ status: 429, retryAfterMs: 3000 });
    const json = await client
      .stream(request('json-error'))
      .final()
      .catch((error: unknown) => error);
    expect(json).toMatchObject({ code: 'internal_server', status: 503 });
    expect(client.usage.requests).toBe(0);
    await client.close();
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((resolve) => setImmediate(resolve));
  if (!condition()) throw new Error('condition never became true');
}
