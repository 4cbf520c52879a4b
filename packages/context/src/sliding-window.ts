import { createTokenCounter } from '@chatloop/models';
import type { ChatMessage } from '@chatloop/protocol';
import { counterCache } from './context-budget.js';
import type { ContextManager, CounterFactory, PrepareContext } from './context-manager.js';
import { reportSelection } from './report-selection.js';
import { selectMessages } from './select-messages.js';

/** Options of {@link slidingWindow}. */
export interface SlidingWindowOptions {
  /** Keep at most this many messages besides system and developer messages. */
  maxMessages: number;
  /** Keep the first user message (often the task). Default `true`. */
  keepFirstUserMessage?: boolean;
  /** The counter for the token figures of the report. Default `@chatloop/models`. */
  counter?: CounterFactory;
}

/**
 * Keeps the last `maxMessages` messages, dropping whole tool-call groups oldest first; system, developer
 * and pinned messages, the first user message (by default), the last user message and the newest group
 * are always kept (so the result may exceed `maxMessages` when they alone do). It does not look at tokens:
 * follow it with {@link tokenBudget} when the window matters.
 */
export function slidingWindow(options: SlidingWindowOptions): ContextManager {
  const counterFor = counterCache(options.counter ?? ((model) => createTokenCounter({ model })));
  const name = 'slidingWindow';
  return {
    name,
    async prepare(messages: ChatMessage[], ctx: PrepareContext): Promise<ChatMessage[]> {
      const selection = selectMessages(messages, {
        counter: counterFor(ctx.model),
        maxMessages: options.maxMessages,
        keepFirstUserMessage: options.keepFirstUserMessage ?? true,
        isPinned: ctx.isPinned,
      });
      reportSelection(ctx, name, selection, 'window');
      return selection.kept;
    },
  };
}
