import { ChatloopError, errorGuard, type Usage } from '@chatloop/protocol';
import { costOf } from './cost.js';
import type { ModelInfo } from './model-info.js';
import { defaultModelRegistry, type ModelRegistry } from './model-registry.js';

/** Thrown by {@link Budget.check} once spending passed a cap. */
export class BudgetExceededError extends ChatloopError {
  /** Which cap was passed. */
  readonly limit: 'tokens' | 'cost';
  /** Tokens spent so far. */
  readonly spentTokens: number;
  /** USD spent so far. */
  readonly spentUSD: number;

  constructor(limit: 'tokens' | 'cost', spentTokens: number, spentUSD: number, cap: number) {
    super(
      'budget_exceeded',
      limit === 'tokens'
        ? `Token budget exceeded: ${spentTokens} tokens spent, cap ${cap}.`
        : `Cost budget exceeded: $${spentUSD.toFixed(6)} spent, cap $${cap}.`,
    );
    this.limit = limit;
    this.spentTokens = spentTokens;
    this.spentUSD = spentUSD;
  }
}

/** True for a {@link BudgetExceededError} from any copy of the package. */
export const isBudgetExceededError = errorGuard<BudgetExceededError>('budget_exceeded');

/** Options of {@link createBudget}. */
export interface BudgetOptions {
  /** Cap on total tokens (prompt + completion). */
  maxTokens?: number;
  /** Cap on spend in USD. */
  maxCostUSD?: number;
  registry?: ModelRegistry;
}

/** What is left of a budget; a field is `undefined` when that cap is not set. */
export interface BudgetRemaining {
  tokens: number | undefined;
  costUSD: number | undefined;
}

/** A spending cap for a run or a client. */
export interface Budget {
  /**
   * Records one response's usage.
   *
   * @throws UnknownModelError when a cost cap is set and the model has no known price (its cost cannot
   *   be counted, and counting it as 0 would let spending pass the cap unseen).
   */
  add(usage: Usage, model: string | ModelInfo): void;
  /** Tokens and USD left under each cap (may be negative once exceeded). */
  remaining(): BudgetRemaining;
  /** @throws BudgetExceededError once a cap has been passed. */
  check(): void;
  /** True once a cap has been passed. */
  readonly exceeded: boolean;
  /** Totals so far. */
  readonly spent: { tokens: number; costUSD: number; requests: number };
}

/** Creates a {@link Budget}. Caps are inclusive: spending exactly the cap is allowed. */
export function createBudget(options: BudgetOptions = {}): Budget {
  const registry = options.registry ?? defaultModelRegistry;
  const spent = { tokens: 0, costUSD: 0, requests: 0 };
  const overTokens = () => options.maxTokens !== undefined && spent.tokens > options.maxTokens;
  const overCost = () => options.maxCostUSD !== undefined && spent.costUSD > options.maxCostUSD;

  return {
    add(usage, model) {
      const cost = options.maxCostUSD !== undefined ? costOf(usage, model, registry).totalUSD : undefined;
      spent.tokens += (usage.prompt_tokens ?? 0) + (usage.completion_tokens ?? 0);
      if (cost !== undefined) spent.costUSD += cost;
      spent.requests += 1;
    },
    remaining: () => ({
      tokens: options.maxTokens === undefined ? undefined : options.maxTokens - spent.tokens,
      costUSD: options.maxCostUSD === undefined ? undefined : options.maxCostUSD - spent.costUSD,
    }),
    check() {
      if (overTokens())
        throw new BudgetExceededError('tokens', spent.tokens, spent.costUSD, options.maxTokens!);
      if (overCost()) throw new BudgetExceededError('cost', spent.tokens, spent.costUSD, options.maxCostUSD!);
    },
    get exceeded() {
      return overTokens() || overCost();
    },
    get spent() {
      return { ...spent };
    },
  };
}
