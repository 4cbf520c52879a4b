import { inspect } from 'node:util';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completionBody, type LocalServer, sseBody, startLocalServer } from '../test/http-server.js';
import { createClient } from './client.js';

const KEY = 'sk-parity-SENTINEL-777';
const PARTS = ['Para', 'llel', ' ünï', 'cödé 🌍'];

let server: LocalServer;

beforeAll(async () => {
  server = await startLocalServer((request, response) => {
    const body = JSON.parse(request.body) as { stream?: boolean };
    if (body.stream === true) {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': 'req_p' });
      response.end(sseBody(PARTS));
      return;
    }
    // Echo a credential header back: it must not reach meta.headers.
    response.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req_p', 'api-key': KEY });
    response.end(JSON.stringify(completionBody('same answer')));
  });
});

afterAll(async () => {
  await server.close();
});

const request = { model: 'test-model', messages: [{ role: 'user' as const, content: 'hi' }] };

describe('parity with the official openai SDK on the same server', () => {
  it('reads the same completion', async () => {
    const openai = new OpenAI({ baseURL: server.url, apiKey: KEY, maxRetries: 0 });
    const client = createClient({ baseURL: server.url, apiKey: KEY });
    const theirs = await openai.chat.completions.create(request);
    const ours = await client.chat(request);
    expect(JSON.parse(JSON.stringify(ours))).toEqual(JSON.parse(JSON.stringify(theirs)));
    expect(ours.meta.headers['api-key']).toBe('[redacted]');
    expect(JSON.stringify(ours.meta)).not.toContain(KEY);
    await client.close();
  });

  it('reads the same chunks, and assembles them as the SDK does', async () => {
    const openai = new OpenAI({ baseURL: server.url, apiKey: KEY, maxRetries: 0 });
    const client = createClient({ baseURL: server.url, apiKey: KEY });
    const theirs: unknown[] = [];
    for await (const chunk of await openai.chat.completions.create({ ...request, stream: true }))
      theirs.push(chunk);
    const stream = client.stream(request);
    const ours: unknown[] = [];
    for await (const chunk of stream) ours.push(chunk);
    expect(JSON.parse(JSON.stringify(ours))).toEqual(JSON.parse(JSON.stringify(theirs)));
    const sdkFinal = await openai.chat.completions.stream(request).finalChatCompletion();
    const final = await stream.final();
    expect(final.choices[0]?.message.content).toBe(sdkFinal.choices[0]?.message.content);
    expect(final.choices[0]?.finish_reason).toBe(sdkFinal.choices[0]?.finish_reason);
    expect(final.usage).toEqual(sdkFinal.usage);
    await client.close();
  });

  it('keeps the key out of the client object itself', () => {
    const client = createClient({ baseURL: server.url, apiKey: KEY, headers: { 'x-api-key': KEY } });
    expect(JSON.stringify(client)).not.toContain(KEY);
    expect(inspect(client, { depth: 10, showHidden: true })).not.toContain(KEY);
  });
});
