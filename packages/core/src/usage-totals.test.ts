import { describe, expect, it } from 'vitest';
import { createUsageTotals, usageCountsOf } from './usage-totals.js';

describe('usageCountsOf', () => {
  it('reads OpenAI details and DeepSeek cache figures', () => {
    expect(
      usageCountsOf({
        prompt_tokens: 100,
        completion_tokens: 50,
        total_tokens: 150,
        prompt_tokens_details: { cached_tokens: 40 },
        completion_tokens_details: { reasoning_tokens: 20 },
      }),
    ).toMatchObject({
      requests: 1,
      promptTokens: 100,
      completionTokens: 50,
      totalTokens: 150,
      cachedTokens: 40,
      reasoningTokens: 20,
    });
    expect(
      usageCountsOf({
        prompt_tokens: 10,
        completion_tokens: 5,
        total_tokens: 15,
        prompt_cache_hit_tokens: 8,
        prompt_cache_miss_tokens: 2,
      }),
    ).toMatchObject({ cachedTokens: 8 });
  });
  it('derives a missing total and counts a missing report', () => {
    expect(usageCountsOf({ prompt_tokens: 3, completion_tokens: 4 } as never).totalTokens).toBe(7);
    expect(usageCountsOf(undefined)).toMatchObject({ requests: 1, requestsWithoutUsage: 1, totalTokens: 0 });
  });
});

describe('createUsageTotals', () => {
  it('totals by model and tag, snapshots copies, resets', () => {
    const totals = createUsageTotals();
    totals.add(
      { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 },
      { model: 'a', tags: ['t1', 't1'] },
    );
    totals.add(
      { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 },
      { model: 'b', tags: ['t1', 't2'] },
    );
    totals.add(null, { model: 'b' });
    expect(totals.requests).toBe(3);
    expect(totals.totalTokens).toBe(18);
    const snapshot = totals.snapshot();
    expect(snapshot.byModel.a).toMatchObject({ requests: 1, totalTokens: 12 });
    expect(snapshot.byModel.b).toMatchObject({ requests: 2, totalTokens: 6, requestsWithoutUsage: 1 });
    expect(snapshot.byTag.t1).toMatchObject({ requests: 2, totalTokens: 18 });
    expect(snapshot.byTag.t2).toMatchObject({ requests: 1, promptTokens: 5 });
    totals.add({ prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 }, { model: 'a' });
    expect(snapshot.byModel.a?.requests).toBe(1);
    totals.reset();
    expect(totals.snapshot()).toMatchObject({ requests: 0, totalTokens: 0, byModel: {}, byTag: {} });
  });
});
