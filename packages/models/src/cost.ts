import type { Usage } from '@chatloop/protocol';
import type { ModelInfo } from './model-info.js';
import { defaultModelRegistry, type ModelRegistry } from './model-registry.js';
import { UnknownModelError } from './unknown-model-error.js';

/** A cost in USD, split by what was billed. */
export interface Cost {
  /** Uncached input tokens at the input rate. */
  inputUSD: number;
  /** Cached input tokens at the cached rate (the input rate when the model has no discount). */
  cachedInputUSD: number;
  /** Output tokens, reasoning tokens included, at the output rate. */
  outputUSD: number;
  totalUSD: number;
}

/** Token counts of one usage, normalized across OpenAI's and DeepSeek's fields. */
export interface BilledTokens {
  /** All prompt tokens, cached ones included. */
  promptTokens: number;
  /** Prompt tokens served from the cache. */
  cachedTokens: number;
  /** Completion tokens (reasoning included, as OpenAI and DeepSeek report them). */
  completionTokens: number;
  reasoningTokens: number;
}

/** Reads the billed figures of a usage object (`cached_tokens` or DeepSeek's `prompt_cache_hit_tokens`). */
export function billedTokens(usage: Usage): BilledTokens {
  const promptTokens = usage.prompt_tokens ?? 0;
  const cached = usage.prompt_tokens_details?.cached_tokens ?? usage.prompt_cache_hit_tokens ?? 0;
  return {
    promptTokens,
    cachedTokens: Math.min(cached, promptTokens),
    completionTokens: usage.completion_tokens ?? 0,
    reasoningTokens: usage.completion_tokens_details?.reasoning_tokens ?? 0,
  };
}

/** The model info for `model`, or throws {@link UnknownModelError} when it has no known price. */
export function resolvePricedModel(model: string | ModelInfo, registry: ModelRegistry): ModelInfo {
  const info = typeof model === 'string' ? registry.get(model) : model;
  if (!info?.pricing) throw new UnknownModelError(typeof model === 'string' ? model : model.id);
  return info;
}

/**
 * What a completed request cost: uncached input at the input rate, cached input at the cached rate, and
 * output (reasoning tokens included, since providers count them in `completion_tokens`) at the output
 * rate.
 *
 * @throws UnknownModelError when the model or its price is unknown: an unknown cost is never reported as 0.
 */
export function costOf(
  usage: Usage,
  model: string | ModelInfo,
  registry: ModelRegistry = defaultModelRegistry,
): Cost {
  const pricing = resolvePricedModel(model, registry).pricing!;
  const billed = billedTokens(usage);
  const inputUSD = ((billed.promptTokens - billed.cachedTokens) * pricing.inputPerMTok) / 1e6;
  const cachedInputUSD = (billed.cachedTokens * (pricing.cachedInputPerMTok ?? pricing.inputPerMTok)) / 1e6;
  const outputUSD = (billed.completionTokens * pricing.outputPerMTok) / 1e6;
  return { inputUSD, cachedInputUSD, outputUSD, totalUSD: inputUSD + cachedInputUSD + outputUSD };
}
