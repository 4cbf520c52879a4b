import type { ChatMessage } from '@chatloop/protocol';
import { counterCache } from './context-budget.js';
import type { ContextManager, CounterFactory, PrepareContext } from './context-manager.js';
import { createIncrementalSelector, type IncrementalSelector } from './incremental-selector.js';

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
 * follow it with {@link tokenBudget} when the window matters. Incremental like `tokenBudget`; its
 * `dropped` events report what each call newly left out.
 */
export function slidingWindow(options: SlidingWindowOptions): ContextManager {
  const counterFor = counterCache(options.counter);
  const selectors = new Map<string, IncrementalSelector>();
  const name = 'slidingWindow';
  return {
    name,
    async prepare(messages: ChatMessage[], ctx: PrepareContext): Promise<ChatMessage[]> {
      let selector = selectors.get(ctx.model);
      if (!selector) {
        selector = createIncrementalSelector({
          counter: counterFor(ctx.model),
          keepFirstUserMessage: options.keepFirstUserMessage ?? true,
        });
        selectors.set(ctx.model, selector);
      }
      const selection = selector.select(messages, { maxMessages: options.maxMessages }, ctx.isPinned);
      if (selection.newlyDropped.length > 0) {
        ctx.onEvent?.({
          type: 'dropped',
          manager: name,
          messages: selection.newlyDropped,
          tokens: selection.newlyDroppedTokens,
          reason: 'window',
        });
      }
      return selection.kept;
    },
  };
}
