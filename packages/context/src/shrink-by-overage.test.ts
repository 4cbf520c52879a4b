import { type ChatClient, ContextLengthError, createClient } from '@chatloop/core';
import { createTokenCounter } from '@chatloop/models';
import type { ChatMessage } from '@chatloop/protocol';
import { startServer, type TestServer } from '@chatloop/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { ContextOverflowError } from './context-overflow-error.js';
import { parseContextOverage, shrinkByOverage } from './shrink-by-overage.js';

const counter = createTokenCounter({ model: 'gpt-4o' });
const history = (): ChatMessage[] => [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'first' },
  ...Array.from(
    { length: 20 },
    (_, i): ChatMessage => ({
      role: i % 2 === 0 ? 'assistant' : 'user',
      content: `message ${i} ${'filler text that takes room '.repeat(20)}`,
    }),
  ),
  { role: 'user', content: 'last question' },
];

let server: TestServer | undefined;
let client: ChatClient | undefined;
afterEach(async () => {
  await client?.close();
  await server?.close();
});

describe('parseContextOverage', () => {
  it("reads OpenAI's and DeepSeek's wording", () => {
    expect(
      parseContextOverage(
        "This model's maximum context length is 128000 tokens. However, you requested 130500 tokens (129500 in the messages, 1000 in the completion). Please reduce the length of the messages or completion.",
      ),
    ).toEqual({ limitTokens: 128000, requestedTokens: 130500, completionTokens: 1000, overageTokens: 2500 });
    expect(
      parseContextOverage(
        new Error(
          "This model's maximum context length is 65536 tokens. However, your messages resulted in 70000 tokens.",
        ),
      ),
    ).toMatchObject({ overageTokens: 4464, completionTokens: undefined });
    expect(parseContextOverage('context too long')).toBeUndefined();
  });
});

describe('shrinkByOverage', () => {
  it('drops at least the overage (plus margin), oldest first, keeping what must be kept', () => {
    const messages = history();
    const output = shrinkByOverage(messages, 300, { model: 'gpt-4o' });
    const dropped = messages.filter((message) => !output.includes(message));
    const droppedTokens = dropped.reduce((sum, m) => sum + counter.countMessage(m), 0);
    expect(droppedTokens).toBeGreaterThanOrEqual(300 * 1.1 + 32);
    expect(output.slice(0, 2)).toEqual(messages.slice(0, 2));
    expect(output.at(-1)).toBe(messages.at(-1));
    expect(dropped[0]).toBe(messages[2]);
  });

  it('throws when the overage cannot be dropped', () => {
    expect(() => shrinkByOverage(history(), 1_000_000, { model: 'gpt-4o' })).toThrow(ContextOverflowError);
  });

  it("recovers from the server's context_length_exceeded: shrink once, retry, succeed", async () => {
    const messages = history();
    server = await startServer({ contextWindow: 1500 });
    client = createClient({ baseURL: server.url });
    const request = { model: 'echo', messages, max_tokens: 100 };
    const error = await client.chat(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContextLengthError);
    const shrunk = shrinkByOverage(messages, error, { model: 'gpt-4o' });
    const response = await client.chat({ ...request, messages: shrunk });
    expect(response.usage!.prompt_tokens + 100).toBeLessThanOrEqual(1500);
  });
});
