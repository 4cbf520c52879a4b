import { describe, expect, it } from 'vitest';
import { addUsage, emptyUsageTotals, mergeUsageTotals } from './usage-totals.js';

describe('usage totals', () => {
  it('adds wire usage, cached and reasoning details, and counts unpriced calls', () => {
    const totals = emptyUsageTotals();
    addUsage(
      totals,
      {
        prompt_tokens: 10,
        completion_tokens: 5,
        total_tokens: 15,
        prompt_tokens_details: { cached_tokens: 4 },
        completion_tokens_details: { reasoning_tokens: 2 },
      },
      0.5,
    );
    addUsage(
      totals,
      { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2, prompt_cache_hit_tokens: 1 },
      undefined,
    );
    addUsage(totals, null, undefined);
    expect(totals).toEqual({
      requests: 3,
      promptTokens: 11,
      completionTokens: 6,
      totalTokens: 17,
      cachedTokens: 5,
      reasoningTokens: 2,
      costUSD: 0.5,
      unpricedRequests: 2,
    });
    const sum = emptyUsageTotals();
    mergeUsageTotals(sum, totals);
    mergeUsageTotals(sum, totals);
    expect(sum.totalTokens).toBe(34);
    expect(sum.costUSD).toBe(1);
  });
});
