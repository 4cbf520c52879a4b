import type { ChatCompletionRequest } from '@chatloop/protocol';
import { defaultModelRegistry, type ModelRegistry } from './model-registry.js';
import { createTokenCounter, type TokenCounter } from './token-counter.js';
import type { TokenEstimator } from './token-estimator.js';

/** Options of {@link estimateCost}. */
export interface EstimateCostOptions {
  registry?: ModelRegistry;
  estimator?: TokenEstimator;
  /** A counter for `request.model` to reuse. */
  counter?: TokenCounter;
}

/** What a request will cost, before it is sent. */
export interface CostEstimate {
  model: string;
  /** The prompt tokens (exact where the tokenizer is public). */
  promptTokens: number;
  /** True when `promptTokens` is an estimate. */
  estimated: boolean;
  /** Output tokens the request may produce: 0 to its output limit (times `n`). */
  outputTokens: { min: number; max: number };
  /**
   * The cost range in USD: `minUSD` bills the prompt alone (no cache hit, no output), `maxUSD` adds the
   * full output limit. `undefined` when the model's price is unknown (never reported as 0).
   */
  cost: { minUSD: number; maxUSD: number } | undefined;
}

/**
 * Estimates a request's cost before sending: the prompt counted exactly where the tokenizer is known, and
 * the output as a range up to `max_completion_tokens` / `max_tokens` (else the model's limit), capped by
 * the room the window leaves.
 */
export function estimateCost(
  request: ChatCompletionRequest,
  options: EstimateCostOptions = {},
): CostEstimate {
  const registry = options.registry ?? defaultModelRegistry;
  const info = registry.get(request.model);
  const counter =
    options.counter ??
    createTokenCounter({
      model: request.model,
      registry,
      ...(options.estimator ? { estimator: options.estimator } : {}),
    });
  const { tokens, estimated } = counter.countChat(request.messages, request.tools);
  const requested = request.max_completion_tokens ?? request.max_tokens ?? undefined;
  let maxOutput = requested ?? info?.maxOutputTokens ?? 0;
  if (info) maxOutput = Math.max(0, Math.min(maxOutput, info.maxOutputTokens, info.contextWindow - tokens));
  maxOutput *= Math.max(1, request.n ?? 1);
  const pricing = info?.pricing;
  const inputUSD = pricing ? (tokens * pricing.inputPerMTok) / 1e6 : 0;
  return {
    model: request.model,
    promptTokens: tokens,
    estimated,
    outputTokens: { min: 0, max: maxOutput },
    cost: pricing
      ? { minUSD: inputUSD, maxUSD: inputUSD + (maxOutput * pricing.outputPerMTok) / 1e6 }
      : undefined,
  };
}
