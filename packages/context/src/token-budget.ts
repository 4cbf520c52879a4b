import type { ChatMessage } from '@chatloop/protocol';
import { type ContextBudgetOptions, counterCache, messageBudget } from './context-budget.js';
import type { ContextManager, PrepareContext } from './context-manager.js';
import { ContextOverflowError } from './context-overflow-error.js';
import { reportSelection } from './report-selection.js';
import { selectMessages } from './select-messages.js';

/** Options of {@link tokenBudget}. */
export interface TokenBudgetOptions extends ContextBudgetOptions {
  /** Keep the first user message (often the task). Default `true`. */
  keepFirstUserMessage?: boolean;
}

/**
 * Drops the oldest messages (whole tool-call groups) until the prompt fits the model's window less the
 * output room. Keeps system, developer and pinned messages, the first user message (by default), the last
 * user message and the newest tool-call group.
 *
 * @throws ContextOverflowError when the messages it must keep do not fit.
 * @throws UnknownModelError when the model's window is unknown (set `ctx.contextWindow` or `maxPromptTokens`).
 */
export function tokenBudget(options: TokenBudgetOptions = {}): ContextManager {
  const counterFor = counterCache(options.counter);
  const name = 'tokenBudget';
  return {
    name,
    async prepare(messages: ChatMessage[], ctx: PrepareContext): Promise<ChatMessage[]> {
      const counter = counterFor(ctx.model);
      const budget = messageBudget(ctx, counter, options);
      const selection = selectMessages(messages, {
        counter,
        maxTokens: budget,
        keepFirstUserMessage: options.keepFirstUserMessage ?? true,
        isPinned: ctx.isPinned,
      });
      if (!selection.satisfied) throw new ContextOverflowError(selection.keptTokens, budget);
      reportSelection(ctx, name, selection, 'budget');
      return selection.kept;
    },
  };
}
