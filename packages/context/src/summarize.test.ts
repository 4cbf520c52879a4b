import { type ChatClient, createClient } from '@chatloop/core';
import { createTokenCounter } from '@chatloop/models';
import type { ChatMessage } from '@chatloop/protocol';
import { scriptedModel, startServer, type TestServer } from '@chatloop/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ContextEvent, prepareContext } from './context-manager.js';
import { summarize } from './summarize.js';

let server: TestServer;
let client: ChatClient;
let summaries = 0;

beforeEach(async () => {
  summaries = 0;
  server = await startServer({
    models: {
      summarizer: scriptedModel([
        () => {
          summaries += 1;
          return { content: `SUMMARY-${summaries}` };
        },
      ]),
    },
  });
  client = createClient({ baseURL: server.url });
});

afterEach(async () => {
  await client.close();
  await server.close();
});

const counter = createTokenCounter({ model: 'gpt-4o' });
const line = (label: string) => `${label}: ${'the quick brown fox jumps over the lazy dog '.repeat(5)}`;

function turns(from: number, to: number): ChatMessage[] {
  const messages: ChatMessage[] = [];
  for (let i = from; i < to; i++) {
    messages.push({ role: 'user', content: line(`question ${i}`) });
    messages.push({ role: 'assistant', content: line(`answer ${i}`) });
  }
  return messages;
}

const head: ChatMessage[] = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'TASK: keep a log.' },
];
const tokens = (messages: ChatMessage[]) => messages.reduce((sum, m) => sum + counter.countMessage(m), 0);
const bodies = () => server.requests.map((request) => request.body as { messages: { content: string }[] });

describe('summarize', () => {
  it('does nothing below the trigger and summarizes the older part once the trigger is reached', async () => {
    const history = [...head, ...turns(0, 10)];
    const budget = Math.ceil(tokens(history) / 0.8) + 50;
    const manager = summarize({ client, model: 'summarizer', maxPromptTokens: budget, keepLastTurns: 2 });
    const ctx = { model: 'gpt-4o' };
    expect(await manager.prepare(history, ctx)).toBe(history);
    expect(server.requests).toHaveLength(0);

    history.push(...turns(10, 12));
    const { messages, events } = await prepareContext(manager, history, ctx);
    expect(server.requests).toHaveLength(1);
    expect(messages).toEqual([
      head[0],
      head[1],
      { role: 'system', content: 'Summary of the earlier conversation:\nSUMMARY-1' },
      ...history.slice(-4),
    ]);
    const summarized = events.find(
      (e): e is Extract<ContextEvent, { type: 'summarized' }> => e.type === 'summarized',
    );
    expect(summarized).toMatchObject({ foldedMessages: history.length - 2 - 4, summary: 'SUMMARY-1' });
    const prompt = bodies()[0]!.messages[1]!.content;
    expect(prompt).toContain('question 0');
    expect(prompt).toContain('answer 9');
    expect(prompt).not.toContain('question 10');
    expect(prompt).not.toContain('TASK');
  });

  it('folds the previous summary and only the new overflow into the next summary', async () => {
    const history = [...head, ...turns(0, 12)];
    const budget = Math.ceil(tokens(history) / 0.8);
    const manager = summarize({ client, model: 'summarizer', maxPromptTokens: budget, keepLastTurns: 2 });
    await manager.prepare(history, { model: 'gpt-4o' });
    expect(summaries).toBe(1);
    for (let i = 12; i < 40 && summaries < 2; i++) {
      history.push(...turns(i, i + 1));
      await manager.prepare(history, { model: 'gpt-4o' });
    }
    expect(summaries).toBe(2);
    const prompt = bodies()[1]!.messages[1]!.content;
    expect(prompt).toContain('Previous summary:\nSUMMARY-1');
    expect(prompt).toContain('question 10');
    expect(prompt).not.toContain('question 9:');
    const output = await manager.prepare(history, { model: 'gpt-4o' });
    expect(output[2]).toEqual({ role: 'system', content: 'Summary of the earlier conversation:\nSUMMARY-2' });
    expect(tokens(output)).toBeLessThanOrEqual(budget);
  });

  it('falls back to truncation when the summarizer fails, and tries again next time', async () => {
    const history = [...head, ...turns(0, 12)];
    const budget = Math.ceil(tokens(history) * 0.7);
    const manager = summarize({ client, model: 'summarizer', maxPromptTokens: budget, keepLastTurns: 2 });
    // The client retries a 500 twice by default (core's one retry layer), so fail all three attempts.
    server.injectFault(
      {
        kind: 'status',
        status: 500,
        body: { error: { message: 'boom', type: 'server_error' } },
      },
      3,
    );
    const { messages, events } = await prepareContext(manager, history, { model: 'gpt-4o' });
    expect(events.map((e) => e.type)).toEqual(['summary-failed', 'dropped']);
    expect(tokens(messages)).toBeLessThanOrEqual(budget);
    expect(messages.slice(0, 2)).toEqual(head);
    expect(messages.at(-1)).toBe(history.at(-1));
    const again = await manager.prepare(history, { model: 'gpt-4o' });
    expect(again[2]).toMatchObject({ content: expect.stringContaining('SUMMARY-1') });
  });

  it('falls back when there is no client', async () => {
    const history = [...head, ...turns(0, 12)];
    const { events } = await prepareContext(
      summarize({ maxPromptTokens: Math.ceil(tokens(history) * 0.7) }),
      history,
      {
        model: 'gpt-4o',
      },
    );
    expect(events[0]).toMatchObject({ type: 'summary-failed' });
  });

  it("puts the summarizer's usage in the client's totals, equal to the server's ledger", async () => {
    const history = [...head, ...turns(0, 12)];
    const manager = summarize({
      model: 'summarizer',
      maxPromptTokens: Math.ceil(tokens(history) / 0.8),
      keepLastTurns: 2,
    });
    const { events } = await prepareContext(manager, history, { model: 'gpt-4o', client });
    const summarized = events.find(
      (e): e is Extract<ContextEvent, { type: 'summarized' }> => e.type === 'summarized',
    );
    expect(summarized?.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(client.usage.requests).toBe(1);
    expect(client.usage.promptTokens).toBe(server.ledger.promptTokens);
    expect(client.usage.completionTokens).toBe(server.ledger.completionTokens);
    expect(client.usage.promptTokens).toBe(summarized?.usage?.prompt_tokens);
  });

  it('rethrows an abort instead of falling back', async () => {
    const history = [...head, ...turns(0, 12)];
    const controller = new AbortController();
    controller.abort();
    const manager = summarize({
      client,
      model: 'summarizer',
      maxPromptTokens: Math.ceil(tokens(history) / 0.8),
    });
    await expect(
      manager.prepare(history, { model: 'gpt-4o', signal: controller.signal }),
    ).rejects.toMatchObject({
      code: expect.stringMatching(/abort/),
    });
  });
});
