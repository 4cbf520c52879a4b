import { createTokenCounter, getModel, type TokenCounter, UnknownModelError } from '@chatloop/models';
import type { CounterFactory, PrepareContext } from './context-manager.js';

/** Defaults of the budget computation shared by the managers. */
export const CONTEXT_BUDGET_DEFAULTS = {
  /** Output room kept when `ctx.maxOutputTokens` is not set (capped by the model's output limit). */
  reservedOutputTokens: 4096,
  /** Fraction of the window kept free for counting error. */
  safetyMargin: 0,
} as const;

/** Options that decide a manager's token budget. */
export interface ContextBudgetOptions {
  /** A fixed budget for the prompt (messages + tools + framing); wins over the window computation. */
  maxPromptTokens?: number;
  /** Fraction of the window kept free for counting error. Default {@link CONTEXT_BUDGET_DEFAULTS.safetyMargin}. */
  safetyMargin?: number;
  /** The counter per model. Default: `@chatloop/models` counters (one per model, cached incrementally). */
  counter?: CounterFactory;
}

/** Makes a per-model counter cache, so a manager's counts stay incremental from turn to turn. */
export function counterCache(factory: CounterFactory | undefined): CounterFactory {
  const counters = new Map<string, TokenCounter>();
  return (model) => {
    let counter = counters.get(model);
    if (!counter) {
      counter = factory ? factory(model) : createTokenCounter({ model });
      counters.set(model, counter);
    }
    return counter;
  };
}

/**
 * The tokens available for messages: the window, less the output room, the safety margin, the tool
 * definitions and the reply priming.
 *
 * @throws UnknownModelError when the model's window is unknown and `ctx.contextWindow` is not set.
 */
export function messageBudget(
  ctx: PrepareContext,
  counter: TokenCounter,
  options: ContextBudgetOptions,
): number {
  const fixed = counter.countChat([], ctx.tools).tokens;
  if (options.maxPromptTokens !== undefined) return options.maxPromptTokens - fixed;
  const info = getModel(ctx.model);
  const window = ctx.contextWindow ?? info?.contextWindow;
  if (window === undefined) throw new UnknownModelError(ctx.model);
  const output =
    ctx.maxOutputTokens ??
    Math.min(CONTEXT_BUDGET_DEFAULTS.reservedOutputTokens, info?.maxOutputTokens ?? Number.POSITIVE_INFINITY);
  const margin = options.safetyMargin ?? CONTEXT_BUDGET_DEFAULTS.safetyMargin;
  return Math.floor((window - output) * (1 - margin)) - fixed;
}
