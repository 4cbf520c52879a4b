import type { ChatMessage } from '@chatloop/protocol';
import type { ContextManager, PrepareContext } from './context-manager.js';

/**
 * Runs managers in order, each on the previous one's output, e.g.
 * `composeManagers(elideToolResults(), summarize(), tokenBudget())`.
 */
export function composeManagers(...managers: ContextManager[]): ContextManager {
  return {
    name: `compose(${managers.map((manager) => manager.name).join(', ')})`,
    async prepare(messages: ChatMessage[], ctx: PrepareContext): Promise<ChatMessage[]> {
      let current = messages;
      for (const manager of managers) {
        ctx.signal?.throwIfAborted();
        current = await manager.prepare(current, ctx);
      }
      return current;
    },
  };
}
