import { createTokenCounter } from '@chatloop/models';
import type { ChatMessage } from '@chatloop/protocol';
import { describe, expect, it } from 'vitest';
import { type ContextEvent, prepareContext } from './context-manager.js';
import { ContextOverflowError } from './context-overflow-error.js';
import { tokenBudget } from './token-budget.js';

const counter = createTokenCounter({ model: 'gpt-4o' });
const call = (id: string) => ({
  id,
  type: 'function' as const,
  function: { name: 'search', arguments: '{"q":"x"}' },
});
const long = (label: string) => `${label} ${'lorem ipsum dolor sit amet '.repeat(20)}`;

function history(): ChatMessage[] {
  return [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: long('first task') },
    { role: 'assistant', content: long('old answer') },
    { role: 'user', content: long('old question') },
    { role: 'assistant', content: null, tool_calls: [call('a'), call('b')] },
    { role: 'tool', tool_call_id: 'a', content: long('result a') },
    { role: 'tool', tool_call_id: 'b', content: long('result b') },
    { role: 'assistant', content: long('middle answer') },
    { role: 'user', content: long('latest question') },
  ];
}

describe('tokenBudget', () => {
  it('returns the history untouched when it fits', async () => {
    const messages = history();
    expect(await tokenBudget().prepare(messages, { model: 'gpt-4o' })).toEqual(messages);
  });

  it('drops the oldest messages first, tool-call groups whole, and reports them', async () => {
    const messages = history();
    const keep = [0, 1, 7, 8].map((i) => messages[i]!);
    const budget = counter.countChat(keep).tokens + 5;
    const { messages: output, events } = await prepareContext(
      tokenBudget({ maxPromptTokens: budget }),
      messages,
      {
        model: 'gpt-4o',
      },
    );
    expect(output).toEqual(keep);
    const dropped = events.filter(
      (event): event is Extract<ContextEvent, { type: 'dropped' }> => event.type === 'dropped',
    );
    expect(dropped).toHaveLength(1);
    expect(dropped[0]!.messages).toEqual(messages.slice(2, 7));
    expect(dropped[0]!.tokens).toBe(
      messages.slice(2, 7).reduce((sum, m) => sum + counter.countMessage(m), 0),
    );
  });

  it('keeps pinned messages and, unless told otherwise, the first user message', async () => {
    const messages = history();
    const budget = counter.countChat([messages[0]!, messages[2]!, messages[8]!]).tokens;
    const pinned = await tokenBudget({ maxPromptTokens: budget, keepFirstUserMessage: false }).prepare(
      messages,
      {
        model: 'gpt-4o',
        isPinned: (message) => message === messages[2],
      },
    );
    expect(pinned).toEqual([messages[0], messages[2], messages[8]]);
  });

  it('budgets the window less the output room and the tool definitions', async () => {
    const messages = history();
    const tools = [
      { type: 'function' as const, function: { name: 'search', description: 'Search the web.' } },
    ];
    const full = counter.countChat(messages, tools).tokens;
    const output = await tokenBudget().prepare(messages, {
      model: 'gpt-4o',
      tools,
      contextWindow: full + 100,
      maxOutputTokens: 101,
    });
    expect(output.length).toBeLessThan(messages.length);
    expect(counter.countChat(output, tools).tokens).toBeLessThanOrEqual(full - 1);
  });

  it('throws a typed error when what must be kept does not fit', async () => {
    await expect(
      tokenBudget({ maxPromptTokens: 50 }).prepare(history(), { model: 'gpt-4o' }),
    ).rejects.toBeInstanceOf(ContextOverflowError);
    await expect(tokenBudget().prepare(history(), { model: 'unknown-model' })).rejects.toMatchObject({
      code: 'unknown_model',
    });
  });

  it('drops invalid leftovers (orphan tool results, unanswered calls)', async () => {
    const messages: ChatMessage[] = [
      { role: 'tool', tool_call_id: 'gone', content: 'orphan' },
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: null, tool_calls: [call('x')] },
      { role: 'user', content: 'still there?' },
    ];
    expect(await tokenBudget().prepare(messages, { model: 'gpt-4o' })).toEqual([messages[1], messages[3]]);
  });
});
