import type { PrepareContext } from './context-manager.js';
import type { Selection } from './select-messages.js';

/** Reports what a selection left out through `ctx.onEvent`. */
export function reportSelection(
  ctx: PrepareContext,
  manager: string,
  selection: Selection,
  reason: 'budget' | 'window' | 'overage',
): void {
  if (!ctx.onEvent) return;
  if (selection.invalid.length > 0) {
    ctx.onEvent({
      type: 'dropped',
      manager,
      messages: selection.invalid,
      tokens: selection.invalidTokens,
      reason: 'invalid',
    });
  }
  if (selection.dropped.length > 0) {
    ctx.onEvent({
      type: 'dropped',
      manager,
      messages: selection.dropped,
      tokens: selection.droppedTokens,
      reason,
    });
  }
}
