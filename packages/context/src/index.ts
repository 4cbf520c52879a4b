export { composeManagers } from './compose-managers.js';
export type { ContextBudgetOptions } from './context-budget.js';
export { CONTEXT_BUDGET_DEFAULTS, messageBudget } from './context-budget.js';
export type {
  ContextEvent,
  ContextManager,
  CounterFactory,
  PrepareContext,
  PreparedContext,
} from './context-manager.js';
export { prepareContext } from './context-manager.js';
export { ContextOverflowError, isContextOverflowError } from './context-overflow-error.js';
export type { ElideToolResultsOptions } from './elide-tool-results.js';
export { ELIDE_DEFAULTS, elideToolResults } from './elide-tool-results.js';
export type { Selection, SelectOptions } from './select-messages.js';
export { selectMessages } from './select-messages.js';
export type { ContextOverage, ShrinkByOverageOptions } from './shrink-by-overage.js';
export { parseContextOverage, SHRINK_DEFAULTS, shrinkByOverage } from './shrink-by-overage.js';
export type { SlidingWindowOptions } from './sliding-window.js';
export { slidingWindow } from './sliding-window.js';
export type { SummarizeOptions } from './summarize.js';
export { SUMMARIZE_DEFAULTS, summarize } from './summarize.js';
export type { TokenBudgetOptions } from './token-budget.js';
export { tokenBudget } from './token-budget.js';
export type { TranscriptUnit } from './transcript-units.js';
export { repairTranscript, splitUnits } from './transcript-units.js';
