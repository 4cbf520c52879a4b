import { createTokenCounter } from '@chatloop/models';
import type { ChatMessage } from '@chatloop/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { conversation } from '../test/conversations.js';
import { createIncrementalSelector } from './incremental-selector.js';
import { selectMessages } from './select-messages.js';

const counter = createTokenCounter({ model: 'gpt-4o' });

describe('createIncrementalSelector', () => {
  // The from-scratch selection may take back a message it dropped on an earlier, tighter turn (when the
  // last user message it protected is no longer the last); the incremental one never does. So at every
  // turn it keeps a subset of the reference, meets the limits whenever the reference does, and has left
  // out every message the reference leaves out.
  it('matches the from-scratch selection at every turn of a growing conversation, never taking a message back', () => {
    fc.assert(
      fc.property(
        conversation,
        fc.integer({ min: 200, max: 3000 }),
        fc.option(fc.integer({ min: 2, max: 20 }), { nil: undefined }),
        fc.boolean(),
        ({ messages, pinned }, maxTokens, maxMessages, keepFirstUserMessage) => {
          const selector = createIncrementalSelector({ counter, keepFirstUserMessage });
          const isPinned = (message: ChatMessage) => pinned.has(message);
          const history: ChatMessage[] = [];
          const everDropped = new Set<ChatMessage>();
          for (const message of messages) {
            history.push(message);
            // Agents call between complete groups: skip turns that end inside a tool-call group.
            const next = messages[history.length];
            if (next?.role === 'tool') continue;
            const limits = maxMessages === undefined ? { maxTokens } : { maxMessages };
            const incremental = selector.select(history, limits, isPinned);
            const reference = selectMessages(history, { counter, ...limits, keepFirstUserMessage, isPinned });
            const kept = new Set(reference.kept);
            for (const message of incremental.kept) expect(kept.has(message)).toBe(true);
            if (reference.satisfied) expect(incremental.satisfied).toBe(true);
            if (incremental.satisfied && maxMessages === undefined) {
              expect(
                incremental.kept.reduce((sum, m) => sum + counter.countMessage(m), 0),
              ).toBeLessThanOrEqual(maxTokens);
            }
            for (const message of history) {
              if (message.role === 'system' || message.role === 'developer' || pinned.has(message)) {
                expect(incremental.kept).toContain(message);
              }
            }
            const lastUser = history.findLast((message) => message.role === 'user');
            if (lastUser) expect(incremental.kept).toContain(lastUser);
            for (const dropped of incremental.newlyDropped) {
              expect(everDropped.has(dropped)).toBe(false);
              everDropped.add(dropped);
            }
            for (const dropped of reference.dropped) expect(everDropped.has(dropped)).toBe(true);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('equals the from-scratch selection on an agent run (one task, then tool-call groups)', () => {
    const selector = createIncrementalSelector({ counter, keepFirstUserMessage: true });
    const history: ChatMessage[] = [
      { role: 'system', content: 'agent' },
      { role: 'user', content: 'task' },
    ];
    for (let i = 0; i < 300; i++) {
      const id = `c${i}`;
      history.push(
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id, type: 'function', function: { name: 'f', arguments: `{"i":${i}}` } }],
        },
        { role: 'tool', tool_call_id: id, content: `result ${i} ${'data '.repeat(i % 30)}` },
      );
      const reference = selectMessages(history, { counter, maxTokens: 1500, keepFirstUserMessage: true });
      expect(selector.select(history, { maxTokens: 1500 }, undefined).kept).toEqual(reference.kept);
    }
  });

  it('starts over when the history is edited rather than appended to', () => {
    const selector = createIncrementalSelector({ counter, keepFirstUserMessage: true });
    const long = (i: number): ChatMessage => ({
      role: 'assistant',
      content: `answer ${i} ${'padding '.repeat(50)}`,
    });
    const history: ChatMessage[] = [
      { role: 'user', content: 'task' },
      long(1),
      long(2),
      long(3),
      { role: 'user', content: 'q' },
    ];
    const budget = history.reduce((sum, m) => sum + counter.countMessage(m), 0) - 10;
    expect(selector.select(history, { maxTokens: budget }, undefined).kept).not.toContain(history[1]);
    const edited = [history[0]!, long(9), history[4]!];
    expect(selector.select(edited, { maxTokens: budget }, undefined).kept).toEqual(edited);
  });
});
