import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChatCompletion } from '@chatloop/protocol';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { postChat, sseData } from '../test/sse.js';
import {
  type Cassette,
  CassetteError,
  canonicalJson,
  exchangeKey,
  keptHeaders,
  loadCassette,
} from './cassette.js';
import { scriptedModel } from './scripted-model.js';
import { type ServerOptions, startServer, type TestServer } from './server.js';

const dir = mkdtempSync(join(tmpdir(), 'chatloop-cassette-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const servers: TestServer[] = [];
async function serve(options: ServerOptions): Promise<TestServer> {
  const server = await startServer(options);
  servers.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const KEY = 'sk-upstream-secret-123';
const plain = { model: 'gpt-4o', messages: [{ role: 'user', content: 'What is the weather?' }] };
const streamed = {
  ...plain,
  messages: [{ role: 'user', content: 'Stream it' }],
  stream: true,
  stream_options: { include_usage: true },
};
const invalid = { model: 'gpt-4o', messages: [{ role: 'tool', tool_call_id: 'x', content: 'orphan' }] };

describe('canonicalJson and exchangeKey', () => {
  it('ignore key order and the ignored fields', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: undefined }] })).toBe('{"a":[{"d":2}],"b":1}');
    expect(exchangeKey('POST', '/v1/x?y=1', { model: 'm', user: 'u1' }, ['user'])).toBe(
      exchangeKey('POST', '/v1/x', { model: 'm', user: 'u2' }, ['user']),
    );
  });

  it('keeps only safe response headers', () => {
    expect(
      keptHeaders([
        ['Content-Type', 'application/json'],
        ['Set-Cookie', 'x'],
        ['x-ratelimit-remaining-requests', '3'],
        ['authorization', 'k'],
      ]),
    ).toEqual({
      'content-type': 'application/json',
      'x-ratelimit-remaining-requests': '3',
    });
  });
});

describe('record -> replay', () => {
  it('records through a proxy without the key, then replays offline, matching by content', async () => {
    const provider = await serve({
      apiKey: KEY,
      models: {
        'gpt-4o': scriptedModel([
          { when: { lastUserMessage: 'weather' }, content: 'Sunny, 21C.' },
          { content: 'A streamed reply in several pieces.' },
        ]),
      },
    });
    const cassettePath = join(dir, 'weather.json');
    const recorder = await serve({ record: { upstreamURL: provider.url, cassettePath } });
    const auth = { authorization: `Bearer ${KEY}` };
    const recordedPlain = await (await postChat(recorder.url, plain, auth)).json();
    const recordedStream = await (await postChat(recorder.url, streamed, auth)).text();
    const recordedInvalid = await postChat(recorder.url, invalid, auth);
    expect(recordedInvalid.status).toBe(400);
    const recordedError = await recordedInvalid.json();
    expect((recordedPlain as ChatCompletion).choices[0]?.message.content).toBe('Sunny, 21C.');
    expect(sseData(recordedStream).at(-1)).toBe('[DONE]');
    expect(provider.requests.map((request) => request.headers.authorization)).toEqual([
      '[redacted]',
      '[redacted]',
      '[redacted]',
    ]);
    await recorder.close();

    const file = readFileSync(cassettePath, 'utf8');
    expect(file).not.toContain(KEY);
    const cassette = loadCassette(cassettePath);
    expect(cassette.exchanges.map((exchange) => exchange.response.status)).toEqual([200, 200, 400]);
    expect(cassette.exchanges[1]?.response.events?.length).toBeGreaterThan(5);
    expect(recorder.ledger.requests).toBe(2);
    await provider.close();

    const replay = await serve({ replay: { cassette: cassettePath } });
    const reordered = { messages: plain.messages, model: 'gpt-4o', user: 'someone-else' };
    expect(await (await postChat(replay.url, reordered)).json()).toEqual(recordedPlain);
    const replayedStream = await postChat(replay.url, streamed);
    expect(replayedStream.headers.get('content-type')).toContain('text/event-stream');
    expect(sseData(await replayedStream.text())).toEqual(sseData(recordedStream));
    const replayedInvalid = await postChat(replay.url, invalid);
    expect(replayedInvalid.status).toBe(400);
    expect(await replayedInvalid.json()).toEqual(recordedError);
    expect(replay.ledger.snapshot()).toMatchObject({ requests: 2 });
  });

  it('reports clearly which request had no recorded match', async () => {
    const cassette: Cassette = { version: 1, exchanges: [] };
    const replay = await serve({ replay: { cassette } });
    const response = await postChat(replay.url, plain);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('cassette_miss');
    expect(body.error.message).toContain(
      "POST /v1/chat/completions, model 'gpt-4o', 1 message(s), last user: 'What is the weather?'",
    );
    expect(body.error.message).toContain('holds 0 exchange(s)');
  });

  it('serves identical recorded requests in order, the last repeating', async () => {
    const answer = (content: string) => ({
      status: 200,
      headers: {},
      body: { choices: [{ message: { content } }] },
    });
    const request = { method: 'POST', path: '/v1/chat/completions', body: plain };
    const cassette: Cassette = {
      version: 1,
      exchanges: [
        { request, response: answer('first') },
        { request, response: answer('second') },
      ],
    };
    const replay = await serve({ replay: { cassette } });
    const contents = [];
    for (let i = 0; i < 3; i++)
      contents.push(
        ((await (await postChat(replay.url, plain)).json()) as ChatCompletion).choices[0]?.message.content,
      );
    expect(contents).toEqual(['first', 'second', 'second']);
  });

  it('refuses a file that is not a cassette', async () => {
    const path = join(dir, 'not-a-cassette.json');
    writeFileSync(path, '{"exchanges": 3}');
    await expect(startServer({ replay: { cassette: path } })).rejects.toThrow(CassetteError);
    expect(() => loadCassette(join(dir, 'missing.json'))).toThrow('missing or not JSON');
  });
});
