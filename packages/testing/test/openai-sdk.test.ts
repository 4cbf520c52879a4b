import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { scriptedModel } from '../src/scripted-model.js';
import { startServer, type TestServer } from '../src/server.js';

// Done means #1: the official client, which nobody here wrote, accepts our wire as real.
const servers: TestServer[] = [];
async function clientFor(
  options: Parameters<typeof startServer>[0],
  clientOptions: { maxRetries?: number } = {},
) {
  const server = await startServer(options);
  servers.push(server);
  const client = new OpenAI({
    baseURL: server.url,
    apiKey: 'sk-test',
    maxRetries: clientOptions.maxRetries ?? 0,
  });
  return { server, client };
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

describe('the official openai client against the server', () => {
  it('gets a plain completion', async () => {
    const { client } = await clientFor({
      models: { 'gpt-4o': scriptedModel([{ content: 'Hello from the script.' }]) },
    });
    const completion = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(completion.choices[0]?.message.content).toBe('Hello from the script.');
    expect(completion.usage?.total_tokens).toBeGreaterThan(0);
  });

  it('gets a streamed completion whose finalChatCompletion() matches the plain one', async () => {
    const content = 'A streamed answer, cut into several deltas by the server.';
    const { client } = await clientFor({ models: { 'gpt-4o': scriptedModel([{ content }]) } });
    const request = { model: 'gpt-4o', messages: [{ role: 'user' as const, content: 'Hi' }] };
    const plain = await client.chat.completions.create(request);
    const stream = client.chat.completions.stream({ ...request, stream_options: { include_usage: true } });
    const deltas: string[] = [];
    stream.on('content', (delta) => deltas.push(delta));
    const final = await stream.finalChatCompletion();
    expect(deltas.length).toBeGreaterThan(3);
    expect(final.choices[0]?.message.content).toBe(content);
    expect(final.choices[0]?.message.content).toBe(plain.choices[0]?.message.content);
    expect(final.choices[0]?.finish_reason).toBe(plain.choices[0]?.finish_reason);
    expect(final.usage).toEqual(plain.usage);
  });

  it('gets streamed parallel tool calls with correct arguments', async () => {
    const weather = { city: 'Paris', days: 3, units: { temperature: 'celsius' } };
    const time = { timezone: 'Europe/Paris' };
    const { client } = await clientFor({
      models: {
        'gpt-4o': scriptedModel([
          {
            toolCalls: [
              { name: 'get_weather', arguments: weather },
              { name: 'get_time', arguments: time },
            ],
          },
        ]),
      },
    });
    const stream = client.chat.completions.stream({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'Weather and time in Paris?' }],
      tools: [
        {
          type: 'function',
          function: { name: 'get_weather', parameters: { type: 'object', properties: {} } },
        },
        { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: {} } } },
      ],
    });
    const final = await stream.finalChatCompletion();
    const calls = final.choices[0]?.message.tool_calls ?? [];
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
    expect(calls.map((call) => (call.type === 'function' ? call.function.name : ''))).toEqual([
      'get_weather',
      'get_time',
    ]);
    expect(
      calls.map((call) => (call.type === 'function' ? JSON.parse(call.function.arguments) : null)),
    ).toEqual([weather, time]);
    expect(new Set(calls.map((call) => call.id)).size).toBe(2);
  });

  it('gets its own RateLimitError on our 429, after honouring retry-after-ms', async () => {
    // A frozen clock keeps the 300 ms window from rolling, so the SDK's single retry is refused too.
    const { server, client } = await clientFor(
      { rateLimit: { rpm: 1, windowMs: 300 }, now: () => 0 },
      { maxRetries: 1 },
    );
    const request = { model: 'gpt-4o', messages: [{ role: 'user' as const, content: 'Hi' }] };
    await client.chat.completions.create(request);
    const started = performance.now();
    const error = await client.chat.completions.create(request).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).headers.get('retry-after-ms')).toBe('300');
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(server.requests).toHaveLength(3);
    expect(server.requests[2]?.headers['x-stainless-retry-count']).toBe('1');
  });

  it('gets its own BadRequestError on an orphan tool message', async () => {
    const { client } = await clientFor({});
    const error = await client.chat.completions
      .create({
        model: 'gpt-4o',
        messages: [
          { role: 'user', content: 'Hi' },
          { role: 'tool', tool_call_id: 'call_1', content: 'x' },
        ],
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).status).toBe(400);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('messages.[1].role');
  });
});
