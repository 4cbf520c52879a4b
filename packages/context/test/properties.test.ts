import { createTokenCounter } from '@chatloop/models';
import type { ChatMessage, FunctionTool } from '@chatloop/protocol';
import { validateRequest } from '@chatloop/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { composeManagers } from '../src/compose-managers.js';
import { isContextOverflowError } from '../src/context-overflow-error.js';
import { elideToolResults } from '../src/elide-tool-results.js';
import { slidingWindow } from '../src/sliding-window.js';
import { tokenBudget } from '../src/token-budget.js';
import { conversation } from './conversations.js';

const tools: FunctionTool[] = [
  {
    type: 'function',
    function: {
      name: 'lookup',
      description: 'Look up a value.',
      parameters: { type: 'object', properties: { n: { type: 'number' } } },
    },
  },
];
const counter = createTokenCounter({ model: 'gpt-4o' });

function accepted(messages: ChatMessage[], profile: 'openai' | 'deepseek'): boolean {
  const result = validateRequest(
    { model: 'm', messages, tools },
    { profile, modelInfo: () => ({ contextWindow: 10_000_000, thinking: true }) },
  );
  if (!result.ok) throw new Error(JSON.stringify(result.error.body));
  return true;
}

function checkInvariants(input: ChatMessage[], output: ChatMessage[], pinned: Set<ChatMessage>) {
  for (const message of input) {
    if (message.role === 'system' || message.role === 'developer' || pinned.has(message)) {
      expect(output).toContain(message);
    }
  }
  const lastUser = input.findLast((message) => message.role === 'user');
  expect(output).toContain(lastUser);
  expect(output).toContain(input.find((message) => message.role === 'user'));
  expect(accepted(output, 'openai')).toBe(true);
  expect(accepted(output, 'deepseek')).toBe(true);
}

describe('context managers on random conversations', () => {
  it('elision + token budget: fits the budget by the same counter, keeps what must be kept, stays valid', async () => {
    await fc.assert(
      fc.asyncProperty(
        conversation,
        fc.integer({ min: 100, max: 6000 }),
        async ({ messages, pinned }, budget) => {
          const manager = composeManagers(
            elideToolResults({ minChars: 100 }),
            tokenBudget({ maxPromptTokens: budget }),
          );
          const ctx = { model: 'gpt-4o', tools, isPinned: (message: ChatMessage) => pinned.has(message) };
          try {
            const output = await manager.prepare(messages, ctx);
            expect(counter.countChat(output, tools).tokens).toBeLessThanOrEqual(budget);
            checkInvariants(messages, output, pinned);
          } catch (error) {
            if (!isContextOverflowError(error)) throw error;
            // Only when what must be kept alone is over the budget.
            expect(error.requiredTokens).toBeGreaterThan(error.availableTokens);
          }
        },
      ),
      { numRuns: 80 },
    );
  });

  it('turn after turn with one manager instance (incremental state): fits, keeps, stays valid', async () => {
    await fc.assert(
      fc.asyncProperty(
        conversation,
        fc.integer({ min: 800, max: 6000 }),
        async ({ messages, pinned }, budget) => {
          const manager = composeManagers(
            elideToolResults({ minChars: 100, keepRecentGroups: 1 }),
            tokenBudget({ maxPromptTokens: budget }),
          );
          const ctx = { model: 'gpt-4o', tools, isPinned: (message: ChatMessage) => pinned.has(message) };
          const history: ChatMessage[] = [];
          for (const message of messages) {
            history.push(message);
            if (messages[history.length]?.role === 'tool') continue;
            try {
              const output = await manager.prepare(history, ctx);
              expect(counter.countChat(output, tools).tokens).toBeLessThanOrEqual(budget);
              for (const kept of history) {
                if (kept.role === 'system' || kept.role === 'developer' || pinned.has(kept))
                  expect(output).toContain(kept);
              }
              const lastUser = history.findLast((m) => m.role === 'user');
              if (lastUser) expect(output).toContain(lastUser);
              expect(accepted(output, 'openai')).toBe(true);
              expect(accepted(output, 'deepseek')).toBe(true);
            } catch (error) {
              if (!isContextOverflowError(error)) throw error;
              expect(error.requiredTokens).toBeGreaterThan(error.availableTokens);
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('sliding window: keeps at most N droppable messages, groups whole, valid for both profiles', async () => {
    await fc.assert(
      fc.asyncProperty(
        conversation,
        fc.integer({ min: 1, max: 30 }),
        async ({ messages, pinned }, maxMessages) => {
          const ctx = { model: 'gpt-4o', isPinned: (message: ChatMessage) => pinned.has(message) };
          const output = await slidingWindow({ maxMessages }).prepare(messages, ctx);
          checkInvariants(messages, output, pinned);
          // Output keeps the input's order.
          let cursor = 0;
          for (const message of output) {
            cursor = messages.indexOf(message, cursor);
            expect(cursor).toBeGreaterThanOrEqual(0);
          }
        },
      ),
      { numRuns: 80 },
    );
  });
});
