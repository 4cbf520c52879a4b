import type { ChatCompletion } from '@chatloop/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { rawRequest } from '../test/raw-request.js';
import { postChat, sseChunks, sseData } from '../test/sse.js';
import { FaultPicker, seededRandom } from './faults.js';
import { scriptedModel } from './scripted-model.js';
import { type ServerOptions, startServer, type TestServer } from './server.js';

const servers: TestServer[] = [];
async function serve(options: ServerOptions = {}): Promise<TestServer> {
  const server = await startServer({
    models: { m: scriptedModel([{ content: 'The quick brown fox jumps over the lazy dog.' }]) },
    ...options,
  });
  servers.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const plain = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };
const streamed = { ...plain, stream: true, stream_options: { include_usage: true } };

describe('status faults', () => {
  it('answers any status with an HTML body, like a proxy', async () => {
    const server = await serve({
      faults: {
        sequence: [{ kind: 'status', status: 502, body: '<html><body>502 Bad Gateway</body></html>' }],
      },
    });
    const response = await postChat(server.url, plain);
    expect(response.status).toBe(502);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(await response.text()).toBe('<html><body>502 Bad Gateway</body></html>');
  });

  it('answers JSON error bodies and headers, and does not consume a scripted turn', async () => {
    const server = await serve({
      models: { m: scriptedModel([{ content: 'a' }, { content: 'b' }]) },
      faults: { sequence: [{ kind: 'status', status: 503, headers: { 'x-should-retry': 'true' } }, null] },
    });
    const failed = await postChat(server.url, plain);
    expect(failed.status).toBe(503);
    expect(failed.headers.get('x-should-retry')).toBe('true');
    expect(await failed.json()).toMatchObject({ error: { type: 'server_error' } });
    const next = (await (await postChat(server.url, plain)).json()) as ChatCompletion;
    expect(next.choices[0]?.message.content).toBe('a');
    expect(server.ledger.requests).toBe(1);
  });
});

describe('connection faults', () => {
  it('drops the connection before any byte', async () => {
    const server = await serve({ faults: { sequence: [{ kind: 'drop' }] } });
    const outcome = await rawRequest(server.url, streamed);
    expect(outcome.status).toBeUndefined();
    expect(outcome.ended).toBe('error');
    expect(server.ledger.requests).toBe(0);
  });

  it('drops a stream after N events, booking the usage as unreported', async () => {
    const server = await serve({ faults: { sequence: [{ kind: 'drop', afterChunks: 3 }] } });
    const outcome = await rawRequest(server.url, streamed);
    expect(outcome.status).toBe(200);
    expect(outcome.ended).toBe('error');
    expect(sseData(outcome.body.toString())).toHaveLength(3);
    expect(server.ledger.entries[0]).toMatchObject({ reported: false });
  });

  it('drops a plain answer halfway through its body', async () => {
    const server = await serve({ faults: { sequence: [{ kind: 'drop', afterChunks: 1 }] } });
    const outcome = await rawRequest(server.url, plain);
    expect(outcome.status).toBe(200);
    expect(outcome.ended).toBe('error');
    expect(outcome.body.length).toBeGreaterThan(0);
    expect(outcome.body.length).toBeLessThan(Number(outcome.headers['content-length']));
  });

  it('hangs a stream after N events until the client gives up', async () => {
    const server = await serve({ faults: { sequence: [{ kind: 'hang', afterChunks: 2 }] } });
    let seen = '';
    const outcome = await rawRequest(server.url, streamed, {
      onData: (piece, abort) => {
        seen += piece.toString();
        if (sseData(seen).length === 2) abort();
      },
    });
    expect(outcome.ended).toBe('error');
    expect(sseData(outcome.body.toString())).toHaveLength(2);
  });

  it('never answers a plain request that hangs; close() ends it', async () => {
    const server = await serve({ faults: { sequence: [{ kind: 'hang' }] } });
    const pending = rawRequest(server.url, plain);
    await new Promise<void>((resolve) => {
      const check = () => (server.requests.length > 0 ? resolve() : setImmediate(check));
      check();
    });
    await server.close();
    const outcome = await pending;
    expect(outcome.status).toBeUndefined();
    expect(outcome.ended).toBe('error');
  });
});

describe('body faults', () => {
  it('truncates a plain JSON body but ends cleanly', async () => {
    const server = await serve({ faults: { sequence: [{ kind: 'truncate' }] } });
    const outcome = await rawRequest(server.url, plain);
    expect(outcome).toMatchObject({ status: 200, ended: 'end' });
    expect(() => JSON.parse(outcome.body.toString())).toThrow(SyntaxError);
  });

  it('ends a stream cleanly without finish_reason and without [DONE]', async () => {
    const server = await serve({ faults: { sequence: [{ kind: 'truncate' }] } });
    const outcome = await rawRequest(server.url, streamed);
    expect(outcome.ended).toBe('end');
    const data = sseData(outcome.body.toString());
    expect(data.length).toBeGreaterThan(1);
    expect(data).not.toContain('[DONE]');
    const chunks = sseChunks(outcome.body.toString());
    expect(chunks.some((chunk) => chunk.choices.some((choice) => choice.finish_reason !== null))).toBe(false);
    expect(server.ledger.entries[0]?.reported).toBe(false);
  });

  it('sends one stream event with broken JSON, then the rest', async () => {
    const server = await serve({ faults: { sequence: [{ kind: 'malformed-chunk', afterChunks: 2 }] } });
    const data = sseData((await rawRequest(server.url, streamed)).body.toString());
    expect(() => JSON.parse(data[2]!)).toThrow(SyntaxError);
    expect(data.at(-1)).toBe('[DONE]');
  });

  it('sends lines that are not SSE fields mid-stream, then the rest', async () => {
    const server = await serve({
      faults: { sequence: [{ kind: 'malformed-sse', afterChunks: 2 }, { kind: 'malformed-sse' }] },
    });
    const text = (await rawRequest(server.url, streamed)).body.toString();
    const events = text.split('\n\n');
    expect(events[2]).toBe('<html><body>upstream hiccup</body></html>\n{"not":"an sse field"}');
    expect(sseData(text).at(-1)).toBe('[DONE]');
    const body = (await rawRequest(server.url, plain)).body.toString();
    expect(body).toContain('<html>');
  });

  it('sends a plain body that is not JSON', async () => {
    const server = await serve({ faults: { sequence: [{ kind: 'malformed-chunk' }] } });
    const outcome = await rawRequest(server.url, plain);
    expect(() => JSON.parse(outcome.body.toString())).toThrow(SyntaxError);
  });

  it('puts bytes that are not UTF-8 into plain and streamed content', async () => {
    const server = await serve({
      faults: { sequence: [{ kind: 'invalid-utf8' }, { kind: 'invalid-utf8' }] },
    });
    const outcome = await rawRequest(server.url, plain);
    expect(outcome.body.includes(Buffer.from([0xff, 0xfe]))).toBe(true);
    const decoded = JSON.parse(new TextDecoder().decode(outcome.body)) as ChatCompletion;
    expect(decoded.choices[0]?.message.content).toBe(
      '\uFFFD\uFFFDThe quick brown fox jumps over the lazy dog.',
    );
    const stream = await rawRequest(server.url, streamed);
    expect(stream.body.includes(Buffer.from([0xff, 0xfe]))).toBe(true);
    const text = sseChunks(new TextDecoder().decode(stream.body))
      .map((chunk) => chunk.choices[0]?.delta.content ?? '')
      .join('');
    expect(text).toBe('\uFFFD\uFFFDThe quick brown fox jumps over the lazy dog.');
  });

  it('sends an error event mid-stream and ends without [DONE]', async () => {
    const server = await serve({
      faults: {
        sequence: [
          { kind: 'error-frame', afterChunks: 2 },
          { kind: 'error-frame', event: null },
        ],
      },
    });
    const text = (await rawRequest(server.url, streamed)).body.toString();
    expect(text).toContain('event: error\ndata: {"error":{"message":"The server had an error');
    expect(sseData(text)).toHaveLength(3);
    expect(text).not.toContain('[DONE]');
    const bare = (await rawRequest(server.url, streamed)).body.toString();
    expect(bare).not.toContain('event:');
    expect(JSON.parse(sseData(bare).at(-1)!)).toMatchObject({ error: { type: 'server_error' } });
  });

  it('answers a plain request with a 200 whose body is an error', async () => {
    const server = await serve({
      faults: { sequence: [{ kind: 'error-frame', error: { message: 'overloaded', type: 'server_error' } }] },
    });
    const outcome = await rawRequest(server.url, plain);
    expect(outcome.status).toBe(200);
    expect(JSON.parse(outcome.body.toString())).toEqual({
      error: { message: 'overloaded', type: 'server_error' },
    });
  });
});

describe('timing faults', () => {
  it('delays the headers by delayMs', async () => {
    const server = await serve({ faults: { sequence: [{ kind: 'slow', delayMs: 60 }] } });
    const started = performance.now();
    let headersAfterMs = 0;
    await rawRequest(server.url, plain, { onResponse: () => (headersAfterMs = performance.now() - started) });
    expect(headersAfterMs).toBeGreaterThanOrEqual(55);
  });

  it('drips stream chunks chunkDelayMs apart', async () => {
    const server = await serve({ faults: { sequence: [{ kind: 'slow', chunkDelayMs: 10 }] } });
    const started = performance.now();
    const outcome = await rawRequest(server.url, streamed);
    const events = sseData(outcome.body.toString()).length;
    expect(performance.now() - started).toBeGreaterThanOrEqual(events * 10 - 5);
    expect(sseData(outcome.body.toString()).at(-1)).toBe('[DONE]');
  });
});

describe('choosing faults', () => {
  it('takes injected faults first, then the sequence, then pick', async () => {
    const server = await serve({
      faults: {
        sequence: [null, { kind: 'status', status: 500 }],
        pick: ({ index }) => (index === 2 ? { kind: 'status', status: 504 } : undefined),
      },
    });
    server.injectFault({ kind: 'status', status: 418 });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await postChat(server.url, plain)).status);
    expect(statuses).toEqual([418, 500, 504, 200]);
  });

  it('accepts a fault in the x-chatloop-fault header, and rejects a bad one', async () => {
    const server = await serve();
    const faulted = await postChat(server.url, plain, {
      'x-chatloop-fault': '{"kind":"status","status":529}',
    });
    expect(faulted.status).toBe(529);
    const bad = await postChat(server.url, plain, { 'x-chatloop-fault': 'nope' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { param: 'x-chatloop-fault' } });
  });

  it('draws faults at a seeded rate, the same on every run', () => {
    const draw = () => {
      const picker = new FaultPicker({ rate: 0.3, seed: 42 });
      return Array.from({ length: 50 }, (_, index) => picker.pick({ index, body: undefined })?.kind ?? '-');
    };
    const first = draw();
    expect(draw()).toEqual(first);
    const faulted = first.filter((kind) => kind !== '-').length;
    expect(faulted).toBeGreaterThan(5);
    expect(faulted).toBeLessThan(30);
    expect(seededRandom(1)()).not.toBe(seededRandom(2)());
  });
});
