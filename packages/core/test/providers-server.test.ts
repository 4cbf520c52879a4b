import type { ChatCompletionRequest } from '@chatloop/protocol';
import { scriptedModel, startServer, type TestServer } from '@chatloop/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '../src/client.js';
import type { ResilienceEvent } from '../src/client-resilience.js';
import { isBadRequestError, isContextLengthError } from '../src/errors.js';
import { createRouter, type RouterEvent } from '../src/router.js';
import { resilientClient } from './resilient-client.js';

const servers: TestServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});
async function serve(options: Parameters<typeof startServer>[0] = {}) {
  const server = await startServer(options);
  servers.push(server);
  return server;
}

/** A DeepSeek tool-calling transcript as an OpenAI-shaped caller writes it: no reasoning_content. */
const toolTranscript: ChatCompletionRequest = {
  model: 'deepseek-v4-pro',
  messages: [
    { role: 'developer', content: 'Use tools.' },
    { role: 'user', content: 'Weather in Paris?' },
    {
      role: 'assistant',
      content: null,
      tool_calls: [
        { id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
      ],
    },
    { role: 'tool', tool_call_id: 'call_1', content: '18C' },
  ],
  tools: [
    { type: 'function', function: { name: 'weather', parameters: { type: 'object', properties: {} } } },
  ],
  max_completion_tokens: 64,
  logprobs: true,
};

describe('provider presets against the testing server', () => {
  it('DeepSeek: the raw request is refused by the deepseek profile; the preset rewrite is accepted', async () => {
    const server = await serve({
      profile: 'deepseek',
      models: { 'deepseek-v4-pro': scriptedModel([{ content: 'It is 18C.' }], { thinking: true }) },
    });
    const plain = createClient({ baseURL: server.url, apiKey: 'sk-test' });
    const refused = await plain.chat(toolTranscript).catch((error: unknown) => error);
    expect(isBadRequestError(refused)).toBe(true);
    await plain.close();

    const events: ResilienceEvent[] = [];
    const client = resilientClient({
      provider: 'deepseek',
      baseURL: server.url,
      apiKey: 'sk-test',
      onEvent: (event) => events.push(event),
    });
    const answer = await client.chat(toolTranscript);
    expect(answer.choices[0]?.finish_reason).toBeDefined();
    const sent = server.requests.at(-1)?.body as ChatCompletionRequest;
    expect(sent.messages[0]?.role).toBe('system');
    expect(sent).not.toHaveProperty('logprobs');
    expect(sent).toMatchObject({ max_tokens: 64 });
    expect(sent.messages[2]).toHaveProperty('reasoning_content', '');
    const rewrite = events.find((event) => event.type === 'rewrite');
    expect(rewrite?.type === 'rewrite' && rewrite.changes.map((change) => change.path)).toEqual(
      expect.arrayContaining([
        'messages[0].role',
        'max_completion_tokens',
        'logprobs',
        'messages[2].reasoning_content',
      ]),
    );
    const streamed = await client.stream(toolTranscript).final();
    expect(streamed.usage?.total_tokens).toBeGreaterThan(0);
    expect(client.usage.requests).toBe(2);
    await client.close();
  });

  it('DeepSeek: a real thinking turn round-trips its reasoning_content', async () => {
    const server = await serve({
      profile: 'deepseek',
      models: {
        'deepseek-v4-flash': scriptedModel(
          [
            {
              reasoningContent: 'Need the weather tool.',
              toolCalls: [{ name: 'weather', arguments: { city: 'Paris' } }],
            },
            { content: 'It is 18C.' },
          ],
          { thinking: true },
        ),
      },
    });
    const client = resilientClient({ provider: 'deepseek', baseURL: server.url, apiKey: 'k' });
    const request: ChatCompletionRequest = {
      model: 'deepseek-reasoner',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: toolTranscript.tools!,
    };
    const first = await client.chat(request);
    const call = first.choices[0]!.message;
    expect(call.reasoning_content).toBe('Need the weather tool.');
    const second = await client.chat({
      ...request,
      messages: [
        ...request.messages,
        call,
        { role: 'tool', tool_call_id: call.tool_calls![0]!.id, content: '18C' },
      ],
    });
    expect(second.choices[0]?.message.content).toBe('It is 18C.');
    expect(server.requests.at(-1)?.body).toMatchObject({ model: 'deepseek-v4-flash' });
    await client.close();
  });

  it('OpenAI preset: Bearer auth, reasoning-model rewrites accepted by the openai profile', async () => {
    const server = await serve({ apiKey: 'sk-openai' });
    const client = resilientClient({
      provider: 'openai',
      baseURL: server.url,
      env: { OPENAI_API_KEY: 'sk-openai' },
    });
    await client.chat({
      model: 'o3-mini',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 10,
      temperature: 0.3,
    });
    const sent = server.requests.at(-1)?.body as ChatCompletionRequest;
    expect(sent).toMatchObject({ max_completion_tokens: 10 });
    expect(sent).not.toHaveProperty('temperature');
    expect(server.requests.at(-1)?.headers.authorization).toBe('[redacted]');
    await client.close();
  });

  it('Azure preset: deployment path, api-version query and api-key header', async () => {
    const server = await serve();
    const client = resilientClient({
      provider: 'azure',
      baseURL: server.url,
      apiKey: 'azure-key',
      providerOptions: { deployment: 'prod-4o', apiVersion: '2024-10-21' },
    });
    await client
      .chat({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })
      .catch(() => undefined);
    const recorded = server.requests.at(-1);
    expect(recorded?.path).toBe('/v1/openai/deployments/prod-4o/chat/completions?api-version=2024-10-21');
    expect(recorded?.headers['api-key']).toBe('[redacted]');
    expect(recorded?.headers.authorization).toBeUndefined();
    await client.close();
  });
});

describe('router against testing servers', () => {
  it('falls back from an outage and from a context-length error, each with its cause', async () => {
    const down = await serve({ faults: { pick: () => ({ kind: 'status', status: 503 }) } });
    const small = await serve({ contextWindow: 50 });
    const large = await serve({ contextWindow: 100_000 });
    const events: RouterEvent[] = [];
    const clients = [down, small, large].map((server) =>
      resilientClient({ baseURL: server.url, maxRetries: 0 }),
    );
    const router = createRouter({
      targets: [
        { client: clients[0]!, name: 'down', contextWindow: 100_000 },
        { client: clients[1]!, name: 'small', contextWindow: 50 },
        { client: clients[2]!, name: 'large', contextWindow: 100_000 },
      ],
      onEvent: (event) => events.push(event),
    });
    const long = 'word '.repeat(200);
    const answer = await router.chat({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: long }] });
    expect(answer.choices[0]?.message.content).toBe(long);
    expect(events.filter((event) => event.type === 'fallback')).toEqual([
      expect.objectContaining({ from: 'down', to: 'small', cause: 'retryable' }),
      expect.objectContaining({ from: 'small', to: 'large', cause: 'context-length' }),
    ]);
    const direct = await clients[1]!
      .chat({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: long }] })
      .catch((e: unknown) => e);
    expect(isContextLengthError(direct)).toBe(true);
    expect(router.usage.requests).toBe(1);
    for (const client of clients) await client.close();
  });
});
