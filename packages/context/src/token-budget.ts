import type { ChatMessage } from '@chatloop/protocol';
import { type ContextBudgetOptions, counterCache, messageBudget } from './context-budget.js';
import type { ContextManager, PrepareContext } from './context-manager.js';
import { ContextOverflowError } from './context-overflow-error.js';
import { createIncrementalSelector, type IncrementalSelector } from './incremental-selector.js';

/** Options of {@link tokenBudget}. */
export interface TokenBudgetOptions extends ContextBudgetOptions {
  /** Keep the first user message (often the task). Default `true`. */
  keepFirstUserMessage?: boolean;
}

/**
 * Drops the oldest messages (whole tool-call groups) until the prompt fits the model's window less the
 * output room and the tool definitions. Keeps system, developer and pinned messages, the first user
 * message (by default), the last user message and the newest tool-call group.
 *
 * Incremental: when the history only grew since the previous call, a turn costs in proportion to the new
 * messages (one instance per conversation gets this; a shared instance stays correct, just slower). Its
 * `dropped` events report what each call newly left out.
 *
 * @throws ContextOverflowError when the messages it must keep do not fit.
 * @throws UnknownModelError when the model's window is unknown (set `ctx.contextWindow` or `maxPromptTokens`).
 */
export function tokenBudget(options: TokenBudgetOptions = {}): ContextManager {
  const counterFor = counterCache(options.counter);
  const selectors = new Map<string, IncrementalSelector>();
  const name = 'tokenBudget';
  return {
    name,
    async prepare(messages: ChatMessage[], ctx: PrepareContext): Promise<ChatMessage[]> {
      const counter = counterFor(ctx.model);
      const budget = messageBudget(ctx, counter, options);
      let selector = selectors.get(ctx.model);
      if (!selector) {
        selector = createIncrementalSelector({
          counter,
          keepFirstUserMessage: options.keepFirstUserMessage ?? true,
        });
        selectors.set(ctx.model, selector);
      }
      const selection = selector.select(messages, { maxTokens: budget }, ctx.isPinned);
      if (selection.newlyDropped.length > 0) {
        ctx.onEvent?.({
          type: 'dropped',
          manager: name,
          messages: selection.newlyDropped,
          tokens: selection.newlyDroppedTokens,
          reason: 'budget',
        });
      }
      if (!selection.satisfied) throw new ContextOverflowError(selection.keptTokens, budget);
      return selection.kept;
    },
  };
}
