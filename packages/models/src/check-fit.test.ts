import type { ChatMessage } from '@chatloop/protocol';
import { describe, expect, it } from 'vitest';
import { checkFit } from './check-fit.js';
import { countChatTokens } from './count-tokens.js';
import { createModelRegistry } from './model-registry.js';
import { UnknownModelError } from './unknown-model-error.js';

const registry = createModelRegistry();
registry.register({
  id: 'tiny',
  provider: 'test',
  contextWindow: 100,
  maxOutputTokens: 50,
  capabilities: {
    tools: true,
    parallelToolCalls: true,
    jsonSchema: true,
    vision: false,
    reasoning: false,
    streaming: true,
  },
  tokenizer: 'o200k_base',
});

describe('checkFit', () => {
  it('adds messages, tools and reserved output, and says by how much it overflows', () => {
    const messages: ChatMessage[] = [{ role: 'user', content: 'word '.repeat(40) }];
    const prompt = countChatTokens(messages, { model: 'tiny', registry });
    const fits = checkFit(messages, { model: 'tiny', registry, maxOutputTokens: 100 - prompt });
    expect(fits).toMatchObject({
      fits: true,
      promptTokens: prompt,
      remainingTokens: 0,
      overflowTokens: 0,
      contextWindow: 100,
    });
    const over = checkFit(messages, { model: 'tiny', registry, maxOutputTokens: 100 - prompt + 7 });
    expect(over).toMatchObject({ fits: false, overflowTokens: 7, remainingTokens: -7 });
  });

  it('reserves the model limit (capped at 4096) when no output room is named', () => {
    expect(
      checkFit([{ role: 'user', content: 'hi' }], { model: 'tiny', registry }).reservedOutputTokens,
    ).toBe(50);
    expect(checkFit([{ role: 'user', content: 'hi' }], { model: 'gpt-4o' }).reservedOutputTokens).toBe(4096);
  });

  it('counts tool definitions', () => {
    const tools = [
      {
        type: 'function' as const,
        function: { name: 'lookup', description: 'Look a word up in the dictionary.' },
      },
    ];
    const without = checkFit([{ role: 'user', content: 'hi' }], { model: 'gpt-4o' }).promptTokens;
    expect(
      checkFit([{ role: 'user', content: 'hi' }], { model: 'gpt-4o', tools }).promptTokens,
    ).toBeGreaterThan(without + 10);
  });

  it('throws for an unknown model unless a window is given', () => {
    expect(() => checkFit([], { model: 'mystery' })).toThrow(UnknownModelError);
    expect(checkFit([], { model: 'mystery', contextWindow: 10, maxOutputTokens: 5 }).fits).toBe(true);
  });
});
