import type { ChatMessage, FunctionTool } from '@chatloop/protocol';
import { defaultModelRegistry, type ModelRegistry } from './model-registry.js';
import { createTokenCounter, type TokenCounter } from './token-counter.js';
import type { TokenEstimator } from './token-estimator.js';
import { UnknownModelError } from './unknown-model-error.js';

/** Defaults of {@link checkFit}. */
export const CHECK_FIT_DEFAULTS = {
  /**
   * Output room kept when the caller names none (capped by the model's `maxOutputTokens`). Reserving a
   * model's whole output limit would make nothing fit on models whose limit equals their window.
   */
  reservedOutputTokens: 4096,
} as const;

/** Options of {@link checkFit}. */
export interface CheckFitOptions {
  model: string;
  tools?: readonly FunctionTool[];
  /** Output room to keep; default {@link CHECK_FIT_DEFAULTS.reservedOutputTokens}, capped by the model's limit. */
  maxOutputTokens?: number;
  /** Overrides the registry's window (e.g. a self-hosted server started with a smaller one). */
  contextWindow?: number;
  registry?: ModelRegistry;
  estimator?: TokenEstimator;
  /** A counter to reuse (its incremental cache makes repeated checks cheap). */
  counter?: TokenCounter;
}

/** The verdict of {@link checkFit}. */
export interface FitCheck {
  /** True when prompt plus reserved output fit the window. */
  fits: boolean;
  promptTokens: number;
  /** True when `promptTokens` is an estimate (no public tokenizer, or images of unknown size). */
  estimated: boolean;
  reservedOutputTokens: number;
  contextWindow: number;
  /** Tokens left after prompt and reserved output (negative when it does not fit). */
  remainingTokens: number;
  /** How many tokens must go for the request to fit (0 when it fits). */
  overflowTokens: number;
}

/**
 * Checks before sending whether messages + tool definitions + the output room fit the model's window.
 *
 * @throws UnknownModelError when the model is unknown and no `contextWindow` is given.
 */
export function checkFit(messages: readonly ChatMessage[], options: CheckFitOptions): FitCheck {
  const registry = options.registry ?? defaultModelRegistry;
  const info = registry.get(options.model);
  const contextWindow = options.contextWindow ?? info?.contextWindow;
  if (contextWindow === undefined) throw new UnknownModelError(options.model);
  const counter =
    options.counter ??
    createTokenCounter({
      model: options.model,
      registry,
      ...(options.estimator ? { estimator: options.estimator } : {}),
    });
  const { tokens, estimated } = counter.countChat(messages, options.tools);
  const reservedOutputTokens =
    options.maxOutputTokens ??
    Math.min(CHECK_FIT_DEFAULTS.reservedOutputTokens, info?.maxOutputTokens ?? Number.POSITIVE_INFINITY);
  const remainingTokens = contextWindow - tokens - reservedOutputTokens;
  return {
    fits: remainingTokens >= 0,
    promptTokens: tokens,
    estimated,
    reservedOutputTokens,
    contextWindow,
    remainingTokens,
    overflowTokens: Math.max(0, -remainingTokens),
  };
}
