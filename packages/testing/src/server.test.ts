import type { ChatCompletion } from '@chatloop/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { postChat, sseChunks, sseData } from '../test/sse.js';
import { scriptedModel } from './scripted-model.js';
import { startServer, type TestServer } from './server.js';
import { countPromptTokens, countTextTokens } from './token-count.js';

const servers: TestServer[] = [];
async function serve(options: Parameters<typeof startServer>[0] = {}): Promise<TestServer> {
  const server = await startServer(options);
  servers.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const hello = { model: 'm', messages: [{ role: 'user' as const, content: 'Hello there' }] };

describe('startServer', () => {
  it('listens on 127.0.0.1 and gives a /v1 base URL', async () => {
    const server = await serve();
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/v1`);
  });

  it('answers a plain completion with computed usage and records it in the ledger', async () => {
    const server = await serve({ models: { m: scriptedModel([{ content: 'Hi! How can I help?' }]) } });
    const response = await postChat(server.url, hello);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
    const body = (await response.json()) as ChatCompletion;
    expect(body.object).toBe('chat.completion');
    expect(body.choices[0]?.message).toMatchObject({ role: 'assistant', content: 'Hi! How can I help?' });
    expect(body.choices[0]?.finish_reason).toBe('stop');
    const prompt = countPromptTokens(hello);
    const completion = countTextTokens('Hi! How can I help?');
    expect(body.usage).toMatchObject({
      prompt_tokens: prompt,
      completion_tokens: completion,
      total_tokens: prompt + completion,
    });
    expect(server.ledger.snapshot()).toMatchObject({
      requests: 1,
      promptTokens: prompt,
      completionTokens: completion,
    });
    expect(server.ledger.entries[0]?.reported).toBe(true);
  });

  it('echoes the last message for a model without a script', async () => {
    const server = await serve();
    const body = (await (await postChat(server.url, hello)).json()) as ChatCompletion;
    expect(body.choices[0]?.message.content).toBe('Hello there');
  });

  it('serves turns in order and repeats the last', async () => {
    const server = await serve({ models: { m: scriptedModel([{ content: 'one' }, { content: 'two' }]) } });
    const texts: unknown[] = [];
    for (let i = 0; i < 3; i++) {
      const body = (await (await postChat(server.url, hello)).json()) as ChatCompletion;
      texts.push(body.choices[0]?.message.content);
    }
    expect(texts).toEqual(['one', 'two', 'two']);
  });

  it('answers 500 with a clear message when a loop: false script is used up', async () => {
    const server = await serve({ models: { m: scriptedModel([{ content: 'one' }], { loop: false }) } });
    await postChat(server.url, hello);
    const response = await postChat(server.url, hello);
    expect(response.status).toBe(500);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('script_exhausted');
    expect(body.error.message).toContain("model 'm'");
  });

  it('returns tool calls with ids, serialized arguments and finish_reason tool_calls', async () => {
    const server = await serve({
      models: {
        m: scriptedModel([
          {
            toolCalls: [
              { name: 'weather', arguments: { city: 'Paris' } },
              { name: 'time', arguments: '{}', id: 'call_x' },
            ],
          },
        ]),
      },
    });
    const body = (await (await postChat(server.url, hello)).json()) as ChatCompletion;
    const message = body.choices[0]?.message;
    expect(message?.content).toBeNull();
    expect(message?.tool_calls).toEqual([
      {
        id: expect.stringMatching(/^call_/),
        type: 'function',
        function: { name: 'weather', arguments: '{"city":"Paris"}' },
      },
      { id: 'call_x', type: 'function', function: { name: 'time', arguments: '{}' } },
    ]);
    expect(body.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it('streams a role chunk, several content deltas, finish_reason, the usage chunk and [DONE]', async () => {
    const content = 'The quick brown fox jumps over the lazy dog.';
    const server = await serve({ models: { m: scriptedModel([{ content }]) } });
    const response = await postChat(server.url, {
      ...hello,
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const text = await response.text();
    expect(sseData(text).at(-1)).toBe('[DONE]');
    const chunks = sseChunks(text);
    expect(chunks[0]?.choices[0]?.delta).toEqual({ role: 'assistant', content: '', refusal: null });
    const deltas = chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.delta.content ?? ''));
    expect(deltas.filter((delta) => delta !== '').length).toBeGreaterThan(3);
    expect(deltas.join('')).toBe(content);
    const finish = chunks.at(-2);
    expect(finish?.choices[0]?.finish_reason).toBe('stop');
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage?.completion_tokens).toBe(countTextTokens(content));
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
    expect(server.ledger.entries[0]).toMatchObject({ streamed: true, reported: true });
  });

  it('sends no usage chunk without include_usage, and books the usage as unreported', async () => {
    const server = await serve({ models: { m: scriptedModel([{ content: 'hi' }]) } });
    const chunks = sseChunks(await (await postChat(server.url, { ...hello, stream: true })).text());
    expect(chunks.every((chunk) => chunk.usage === undefined && chunk.choices.length === 1)).toBe(true);
    expect(server.ledger.entries[0]).toMatchObject({ reported: false });
    expect(server.ledger.requests).toBe(1);
  });

  it.each(['\r\n', '\r'] as const)(
    'frames streams with %j line endings and keep-alive comments on request',
    async (lineEnding) => {
      const server = await serve({
        models: { m: scriptedModel([{ content: 'one two three' }]) },
        sse: { lineEnding, comments: true },
      });
      const text = await (await postChat(server.url, { ...hello, stream: true })).text();
      expect(text.startsWith(`: keep-alive${lineEnding}${lineEnding}data: {`)).toBe(true);
      expect(text.match(/: keep-alive/g)).toHaveLength(2);
      expect(text.includes('\n')).toBe(lineEnding === '\r\n');
      expect(text.endsWith(`data: [DONE]${lineEnding}${lineEnding}`)).toBe(true);
      const normalized = text.replaceAll(lineEnding, '\n').replace(/: keep-alive\n\n/g, '');
      const content = sseChunks(normalized).map((chunk) => chunk.choices[0]?.delta.content ?? '');
      expect(content.join('')).toBe('one two three');
    },
  );

  it('streams tool calls: id and name first, arguments in fragments, by index', async () => {
    const args = { city: 'Paris', unit: 'celsius' };
    const server = await serve({
      models: {
        m: scriptedModel([
          {
            toolCalls: [
              { name: 'weather', arguments: args },
              { name: 'time', arguments: { tz: 'CET' } },
            ],
          },
        ]),
      },
    });
    const chunks = sseChunks(await (await postChat(server.url, { ...hello, stream: true })).text());
    const calls = chunks.flatMap((chunk) => chunk.choices.flatMap((choice) => choice.delta.tool_calls ?? []));
    const first = calls.filter((call) => call.index === 0);
    expect(first[0]).toMatchObject({
      index: 0,
      id: expect.stringMatching(/^call_/),
      type: 'function',
      function: { name: 'weather', arguments: '' },
    });
    expect(first.length).toBeGreaterThan(2);
    expect(first.slice(1).every((call) => call.id === undefined && call.function?.name === undefined)).toBe(
      true,
    );
    expect(JSON.parse(first.map((call) => call.function?.arguments ?? '').join(''))).toEqual(args);
    const second = calls.filter((call) => call.index === 1);
    expect(JSON.parse(second.map((call) => call.function?.arguments ?? '').join(''))).toEqual({ tz: 'CET' });
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it('streams reasoning_content and refusal deltas', async () => {
    const server = await serve({
      models: {
        m: scriptedModel([{ reasoningContent: 'Let me think.', refusal: 'I cannot help with that.' }]),
      },
    });
    const chunks = sseChunks(await (await postChat(server.url, { ...hello, stream: true })).text());
    const deltas = chunks.map((chunk) => chunk.choices[0]?.delta);
    expect(deltas.map((delta) => delta?.reasoning_content ?? '').join('')).toBe('Let me think.');
    expect(deltas.map((delta) => delta?.refusal ?? '').join('')).toBe('I cannot help with that.');
  });

  it('gives n choices, plain and streamed, with completion tokens counted per choice', async () => {
    const server = await serve({ models: { m: scriptedModel([{ content: 'abcdefgh' }]) } });
    const plain = (await (await postChat(server.url, { ...hello, n: 3 })).json()) as ChatCompletion;
    expect(plain.choices.map((choice) => choice.index)).toEqual([0, 1, 2]);
    expect(plain.usage?.completion_tokens).toBe(6);
    const chunks = sseChunks(await (await postChat(server.url, { ...hello, n: 2, stream: true })).text());
    const indexes = new Set(chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.index)));
    expect([...indexes]).toEqual([0, 1]);
  });

  it('lets a turn override usage and finish_reason', async () => {
    const server = await serve({
      models: {
        m: scriptedModel([{ content: 'x', usage: { completion_tokens: 50 }, finishReason: 'length' }]),
      },
    });
    const body = (await (await postChat(server.url, hello)).json()) as ChatCompletion;
    expect(body.choices[0]?.finish_reason).toBe('length');
    expect(body.usage?.completion_tokens).toBe(50);
    expect(body.usage?.total_tokens).toBe(50 + countPromptTokens(hello));
  });

  it('records requests with the key redacted', async () => {
    const server = await serve({ apiKey: 'sk-secret' });
    await postChat(server.url, hello, { authorization: 'Bearer sk-secret' });
    expect(server.requests).toHaveLength(1);
    const [recorded] = server.requests;
    expect(recorded).toMatchObject({ method: 'POST', path: '/v1/chat/completions', body: hello });
    expect(recorded?.headers.authorization).toBe('[redacted]');
    expect(JSON.stringify(server.requests)).not.toContain('sk-secret');
  });

  it('answers 401 in OpenAI shape for a missing or wrong key, without echoing it', async () => {
    const server = await serve({ apiKey: 'sk-secret' });
    const missing = await postChat(server.url, hello);
    expect(missing.status).toBe(401);
    const wrong = await postChat(server.url, hello, { authorization: 'Bearer sk-wrong' });
    expect(wrong.status).toBe(401);
    const body = await wrong.text();
    expect(JSON.parse(body)).toMatchObject({
      error: { code: 'invalid_api_key', type: 'invalid_request_error' },
    });
    expect(body).not.toContain('sk-wrong');
  });

  it('lists models and answers 404 for unknown paths', async () => {
    const server = await serve({ models: { a: scriptedModel([]), b: scriptedModel([]) } });
    const list = (await (await fetch(`${server.url}/models`)).json()) as { data: Array<{ id: string }> };
    expect(list.data.map((model) => model.id)).toEqual(['a', 'b']);
    expect(await (await fetch(`${server.url}/models/a`)).json()).toMatchObject({ id: 'a', object: 'model' });
    const unknown = await fetch(`${server.url}/models/gpt-9`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 'model_not_found' } });
    const missing = await fetch(`${server.url}/embeddings`, { method: 'POST' });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { message: 'Invalid URL (POST /v1/embeddings)' } });
  });

  it('answers 400 on a body that is not JSON', async () => {
    const server = await serve();
    const response = await postChat(server.url, '{"model": ');
    expect(response.status).toBe(400);
    expect(server.requests[0]?.body).toBe('{"model": ');
  });

  it('keeps only the ledger totals with recordRequests: false', async () => {
    const server = await serve({ recordRequests: false });
    await postChat(server.url, hello);
    await postChat(server.url, hello);
    expect(server.requests).toEqual([]);
    expect(server.ledger.entries).toEqual([]);
    expect(server.ledger.requests).toBe(2);
    expect(server.ledger.promptTokens).toBe(2 * countPromptTokens(hello));
  });

  it('runs two servers side by side with their own state', async () => {
    const [a, b] = await Promise.all([
      serve({ models: { m: scriptedModel([{ content: 'A' }]) } }),
      serve({ models: { m: scriptedModel([{ content: 'B' }]) } }),
    ]);
    const [ra, rb] = await Promise.all([postChat(a!.url, hello), postChat(b!.url, hello)]);
    expect(((await ra.json()) as ChatCompletion).choices[0]?.message.content).toBe('A');
    expect(((await rb.json()) as ChatCompletion).choices[0]?.message.content).toBe('B');
    expect(a!.port).not.toBe(b!.port);
    expect(a!.requests).toHaveLength(1);
    expect(b!.requests).toHaveLength(1);
  });
});
