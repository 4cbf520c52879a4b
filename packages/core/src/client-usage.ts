import type { Usage } from '@chatloop/protocol';

/** Token and request totals, as plain numbers. */
export interface UsageSnapshot {
  /** Answers that were counted (completed calls, and failed streams that had reported usage). */
  requests: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /** Prompt tokens served from the provider's cache (`cached_tokens`, DeepSeek `prompt_cache_hit_tokens`). */
  cachedTokens: number;
  /** Completion tokens spent on reasoning (`completion_tokens_details.reasoning_tokens`). */
  reasoningTokens: number;
}

/**
 * Running usage totals of a client: every completed `chat` and stream adds its reported usage exactly
 * once. Read the fields at any time, `snapshot()` for a copy, `reset()` to start again.
 */
export class ClientUsage implements UsageSnapshot {
  requests = 0;
  promptTokens = 0;
  completionTokens = 0;
  totalTokens = 0;
  cachedTokens = 0;
  reasoningTokens = 0;

  /** Counts one answer and adds its usage (if it reported one). */
  record(usage: Usage | null | undefined): void {
    this.requests++;
    if (usage === null || usage === undefined) return;
    this.promptTokens += finite(usage.prompt_tokens);
    this.completionTokens += finite(usage.completion_tokens);
    this.totalTokens += finite(usage.total_tokens);
    this.cachedTokens += finite(usage.prompt_tokens_details?.cached_tokens ?? usage.prompt_cache_hit_tokens);
    this.reasoningTokens += finite(usage.completion_tokens_details?.reasoning_tokens);
  }

  /** A plain copy of the totals. */
  snapshot(): UsageSnapshot {
    return {
      requests: this.requests,
      promptTokens: this.promptTokens,
      completionTokens: this.completionTokens,
      totalTokens: this.totalTokens,
      cachedTokens: this.cachedTokens,
      reasoningTokens: this.reasoningTokens,
    };
  }

  /** Sets every total back to 0. */
  reset(): void {
    this.requests = 0;
    this.promptTokens = 0;
    this.completionTokens = 0;
    this.totalTokens = 0;
    this.cachedTokens = 0;
    this.reasoningTokens = 0;
  }
}

function finite(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
