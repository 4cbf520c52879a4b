import { type ChatClient, createClient, isContextLengthError } from '@chatloop/core';
import { createTokenCounter, createTokenEstimator } from '@chatloop/models';
import type { ChatMessage, FunctionTool, Usage } from '@chatloop/protocol';
import { scriptedModel, startServer, type TestServer } from '@chatloop/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { composeManagers } from '../src/compose-managers.js';
import type { ContextManager } from '../src/context-manager.js';
import { elideToolResults } from '../src/elide-tool-results.js';
import { shrinkByOverage } from '../src/shrink-by-overage.js';
import { tokenBudget } from '../src/token-budget.js';
import { serverCounter } from './server-counter.js';

const WINDOW = 3000;
const tools: FunctionTool[] = [
  {
    type: 'function',
    function: {
      name: 'read_page',
      description: 'Read one page of the report.',
      parameters: { type: 'object', properties: { page: { type: 'number' } }, required: ['page'] },
    },
  },
];

let server: TestServer | undefined;
let client: ChatClient | undefined;
afterEach(async () => {
  await client?.close();
  await server?.close();
});

async function start(profile: 'openai' | 'deepseek') {
  server = await startServer({
    profile,
    contextWindow: WINDOW,
    models: {
      agent: scriptedModel(
        [
          (_request, { callIndex }) => ({
            reasoningContent: `Page ${callIndex} next.`,
            toolCalls: [{ name: 'read_page', arguments: { page: callIndex } }],
          }),
        ],
        { thinking: true },
      ),
    },
  });
  client = createClient({ baseURL: server.url });
  return { server, client };
}

/** A minimal agent loop: prepare, call, run the tool, append; recovers once from a context error. */
async function run(
  manager: ContextManager,
  steps: number,
  client: ChatClient,
  observe?: (messages: ChatMessage[], usage: Usage) => void,
) {
  const history: ChatMessage[] = [
    { role: 'system', content: 'You read reports page by page.' },
    { role: 'user', content: 'Read the whole report and tell me what it says.' },
  ];
  let recoveries = 0;
  for (let step = 0; step < steps; step++) {
    const ctx = { model: 'agent', tools, contextWindow: WINDOW, maxOutputTokens: 100 };
    let messages = await manager.prepare(history, ctx);
    let response: Awaited<ReturnType<ChatClient['chat']>>;
    try {
      response = await client.chat({ model: 'agent', messages, tools, max_tokens: 100 });
    } catch (error) {
      if (!isContextLengthError(error)) throw error;
      recoveries += 1;
      messages = shrinkByOverage(messages, error, ctx);
      response = await client.chat({ model: 'agent', messages, tools, max_tokens: 100 });
    }
    if (response.usage) observe?.(messages, response.usage);
    const reply = response.choices[0]!.message;
    history.push({
      role: 'assistant',
      content: reply.content,
      tool_calls: reply.tool_calls,
      reasoning_content: reply.reasoning_content ?? '',
    });
    for (const call of reply.tool_calls ?? []) {
      const page = (JSON.parse(call.function.arguments) as { page: number }).page;
      history.push({
        role: 'tool',
        tool_call_id: call.id,
        content: `Page ${page}: ${'The quarterly figures rose while costs held steady across regions. '.repeat(8)}`,
      });
    }
  }
  return { history, recoveries };
}

describe('an agent run of 200 steps against a small window', () => {
  it('never hits a context error when the budget counts like the server (deepseek profile)', async () => {
    const { server, client } = await start('deepseek');
    const manager = composeManagers(
      elideToolResults({ minChars: 300 }),
      tokenBudget({ counter: () => serverCounter() }),
    );
    const { history, recoveries } = await run(manager, 200, client);
    expect(recoveries).toBe(0);
    expect(server.ledger.requests).toBe(200);
    expect(history.length).toBe(2 + 200 * 2);
    expect(Math.max(...server.ledger.entries.map((entry) => entry.usage.prompt_tokens))).toBeLessThanOrEqual(
      WINDOW - 100,
    );
  });

  it('completes with the default counter calibrated from reported usage, shrinking by the overage while it learns', async () => {
    const { server, client } = await start('openai');
    // "agent" has no public tokenizer: the counter estimates, and learns the server's ratio from usage.
    const estimator = createTokenEstimator();
    const counter = createTokenCounter({ model: 'agent', estimator });
    const base = createTokenCounter({ model: 'gpt-4o' });
    const manager = composeManagers(
      elideToolResults({ minChars: 300 }),
      tokenBudget({ counter: () => counter }),
    );
    const { recoveries } = await run(manager, 200, client, (messages, usage) => {
      estimator.observe('agent', base.countChat(messages, tools).tokens, usage.prompt_tokens);
    });
    expect(server.ledger.requests).toBe(200);
    // Each context error was recovered by one shrink-and-retry, and only while the ratio was being learnt.
    expect(server.requests.length).toBe(200 + recoveries);
    expect(recoveries).toBeLessThanOrEqual(3);
    expect(Math.abs(estimator.accuracy('agent').lastError ?? 1)).toBeLessThan(0.05);
  });
});
