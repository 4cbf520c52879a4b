import type { ChatMessage } from '@chatloop/protocol';
import { describe, expect, it } from 'vitest';
import { composeManagers } from './compose-managers.js';
import { prepareContext } from './context-manager.js';
import { slidingWindow } from './sliding-window.js';
import { tokenBudget } from './token-budget.js';

const messages: ChatMessage[] = [
  { role: 'system', content: 's' },
  { role: 'user', content: 'task' },
  { role: 'assistant', content: 'a1' },
  { role: 'user', content: 'u2' },
  {
    role: 'assistant',
    content: null,
    tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }],
  },
  { role: 'tool', tool_call_id: 'c', content: 'r' },
  { role: 'assistant', content: 'a3' },
  { role: 'user', content: 'u4' },
];

describe('slidingWindow', () => {
  it('keeps the last N messages besides system messages and the first user message, groups whole', async () => {
    const { messages: output, events } = await prepareContext(slidingWindow({ maxMessages: 4 }), messages, {
      model: 'gpt-4o',
    });
    // 4 non-system messages: task, then a3 and u4; the tool group (2 messages) would make 5, so it goes whole.
    expect(output).toEqual([messages[0], messages[1], messages[6], messages[7]]);
    expect(events).toEqual([
      expect.objectContaining({ type: 'dropped', reason: 'window', messages: messages.slice(2, 6) }),
    ]);
  });

  it('can let the first user message go', async () => {
    const output = await slidingWindow({ maxMessages: 1, keepFirstUserMessage: false }).prepare(messages, {
      model: 'gpt-4o',
    });
    expect(output).toEqual([messages[0], messages[7]]);
  });
});

describe('composeManagers', () => {
  it('runs managers in order and names the chain', async () => {
    const manager = composeManagers(slidingWindow({ maxMessages: 6 }), tokenBudget());
    expect(manager.name).toBe('compose(slidingWindow, tokenBudget)');
    expect(await manager.prepare(messages, { model: 'gpt-4o' })).toEqual([
      messages[0],
      messages[1],
      ...messages.slice(3),
    ]);
  });

  it('stops when the signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(
      composeManagers(tokenBudget()).prepare(messages, { model: 'gpt-4o', signal: controller.signal }),
    ).rejects.toThrow('stop');
  });
});
