import type { Usage } from '@chatloop/protocol';

/** Token and cost totals of a run (or of a run and every nested agent run it made). */
export interface UsageTotals {
  /** Model calls that returned usage (failed attempts the server billed are counted by the client). */
  requests: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /** Prompt tokens served from the provider's cache (OpenAI `cached_tokens`, DeepSeek `prompt_cache_hit_tokens`). */
  cachedTokens: number;
  /** Completion tokens spent on reasoning, when the provider reports them. */
  reasoningTokens: number;
  /** Cost in USD of the calls whose model has known pricing. */
  costUSD: number;
  /** Calls whose model had no known pricing, so `costUSD` leaves them out. */
  unpricedRequests: number;
}

/** Fresh, all-zero totals. */
export function emptyUsageTotals(): UsageTotals {
  return {
    requests: 0,
    promptTokens: 0,
    completionTokens: 0,
    totalTokens: 0,
    cachedTokens: 0,
    reasoningTokens: 0,
    costUSD: 0,
    unpricedRequests: 0,
  };
}

/**
 * Adds one completion's wire `usage` to `totals` in place. `costUSD` is the call's cost, or `undefined`
 * when the model's pricing is unknown (counted in `unpricedRequests`).
 */
export function addUsage(
  totals: UsageTotals,
  usage: Usage | null | undefined,
  costUSD: number | undefined,
): void {
  totals.requests += 1;
  if (costUSD === undefined) totals.unpricedRequests += 1;
  else totals.costUSD += costUSD;
  if (!usage) return;
  totals.promptTokens += usage.prompt_tokens ?? 0;
  totals.completionTokens += usage.completion_tokens ?? 0;
  totals.totalTokens += usage.total_tokens ?? (usage.prompt_tokens ?? 0) + (usage.completion_tokens ?? 0);
  totals.cachedTokens += usage.prompt_tokens_details?.cached_tokens ?? usage.prompt_cache_hit_tokens ?? 0;
  totals.reasoningTokens += usage.completion_tokens_details?.reasoning_tokens ?? 0;
}

/** Adds `other` (e.g. a nested agent's totals) into `totals` in place. */
export function mergeUsageTotals(totals: UsageTotals, other: UsageTotals): void {
  totals.requests += other.requests;
  totals.promptTokens += other.promptTokens;
  totals.completionTokens += other.completionTokens;
  totals.totalTokens += other.totalTokens;
  totals.cachedTokens += other.cachedTokens;
  totals.reasoningTokens += other.reasoningTokens;
  totals.costUSD += other.costUSD;
  totals.unpricedRequests += other.unpricedRequests;
}
