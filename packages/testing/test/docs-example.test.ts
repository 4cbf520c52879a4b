import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { afterEach, expect, it } from 'vitest';
import { parseScript, scriptedModel, startServer, type TestServer } from '../src/index.js';

// The vitest example of docs/testing.md, kept running.
let server: TestServer;
afterEach(() => server.close());

// The agent under test: calls tools until the model answers in text.
async function runAgent(client: OpenAI, question: string): Promise<string> {
  const tools = [
    {
      type: 'function' as const,
      function: {
        name: 'get_weather',
        parameters: { type: 'object', properties: { city: { type: 'string' } } },
      },
    },
  ];
  const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: question }];
  for (let step = 0; step < 5; step++) {
    const completion = await client.chat.completions.create({ model: 'gpt-4o', messages, tools });
    const message = completion.choices[0]!.message;
    messages.push(message);
    if (!message.tool_calls?.length) return message.content ?? '';
    for (const call of message.tool_calls) {
      if (call.type !== 'function') continue;
      const { city } = JSON.parse(call.function.arguments) as { city: string };
      messages.push({ role: 'tool', tool_call_id: call.id, content: `${city}: sunny, 21C` });
    }
  }
  throw new Error('too many steps');
}

it('answers from the weather tool', async () => {
  server = await startServer({
    models: {
      'gpt-4o': scriptedModel([
        // Turns with `when` answer whenever they match (here: after the tool result came back).
        { when: { lastToolName: 'get_weather' }, content: 'It is sunny in Paris.' },
        // Other turns are served in order; the last one repeats.
        { toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] },
      ]),
    },
  });
  const client = new OpenAI({ baseURL: server.url, apiKey: 'test', maxRetries: 0 });

  expect(await runAgent(client, 'Weather in Paris?')).toBe('It is sunny in Paris.');
  expect(server.requests).toHaveLength(2);
  expect(server.requests[1]?.body).toMatchObject({
    messages: [{ role: 'user' }, { role: 'assistant' }, { role: 'tool' }],
  });
  expect(server.ledger.requests).toBe(2);
});

it('serves the script file of docs/testing.md as documented', async () => {
  const docs = readFileSync(fileURLToPath(new URL('../../../docs/testing.md', import.meta.url)), 'utf8');
  const json = /```json\n([\s\S]*?)```/.exec(docs)?.[1];
  server = await startServer(parseScript(JSON.parse(json ?? 'null'), 'docs/testing.md'));
  const client = new OpenAI({ baseURL: server.url, apiKey: 'test', maxRetries: 0 });
  const reply = await client.chat.completions.create({
    model: 'gpt-4o',
    messages: [{ role: 'user', content: 'Weather in Paris?' }],
  });
  const call = reply.choices[0]?.message.tool_calls?.[0];
  expect(call?.type === 'function' ? call.function.arguments : undefined).toBe('{"city":"Paris"}');
});
