import { describe, expect, it } from 'vitest';
import { billedTokens, costOf } from './cost.js';
import { getModel } from './model-registry.js';
import { UnknownModelError } from './unknown-model-error.js';

describe('costOf', () => {
  it('bills uncached input, cached input and output at their rates', () => {
    // gpt-4o: $2.50 input, $1.25 cached input, $10 output per 1M tokens.
    const cost = costOf(
      {
        prompt_tokens: 1_000_000,
        completion_tokens: 100_000,
        total_tokens: 1_100_000,
        prompt_tokens_details: { cached_tokens: 400_000 },
      },
      'gpt-4o',
    );
    expect(cost.inputUSD).toBeCloseTo(1.5, 10);
    expect(cost.cachedInputUSD).toBeCloseTo(0.5, 10);
    expect(cost.outputUSD).toBeCloseTo(1, 10);
    expect(cost.totalUSD).toBeCloseTo(3, 10);
  });

  it('bills reasoning tokens as output (they are part of completion_tokens)', () => {
    const usage = {
      prompt_tokens: 1000,
      completion_tokens: 5000,
      total_tokens: 6000,
      completion_tokens_details: { reasoning_tokens: 4500 },
    };
    expect(billedTokens(usage).reasoningTokens).toBe(4500);
    expect(costOf(usage, 'o3').outputUSD).toBeCloseTo((5000 * 8) / 1e6, 12);
  });

  it("reads DeepSeek's prompt_cache_hit_tokens", () => {
    const cost = costOf(
      {
        prompt_tokens: 2_000_000,
        completion_tokens: 0,
        total_tokens: 2_000_000,
        prompt_cache_hit_tokens: 1_000_000,
        prompt_cache_miss_tokens: 1_000_000,
      },
      'deepseek-v4-pro',
    );
    expect(cost.cachedInputUSD).toBeCloseTo(0.044, 10);
    expect(cost.inputUSD).toBeCloseTo(1.32, 10);
  });

  it('bills cached tokens at the input rate when the model has no discount, and accepts a ModelInfo', () => {
    const info = getModel('gpt-5-pro')!;
    const cost = costOf(
      {
        prompt_tokens: 1_000_000,
        completion_tokens: 0,
        total_tokens: 1_000_000,
        prompt_tokens_details: { cached_tokens: 1_000_000 },
      },
      info,
    );
    expect(cost.cachedInputUSD).toBeCloseTo(15, 10);
  });

  it('never reports an unknown cost as 0', () => {
    const usage = { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 };
    expect(() => costOf(usage, 'mystery-model')).toThrow(UnknownModelError);
    const { pricing: _, ...unpriced } = getModel('gpt-4o')!;
    expect(() => costOf(usage, unpriced)).toThrow(/mystery|gpt-4o/);
    try {
      costOf(usage, 'mystery-model');
    } catch (error) {
      expect(UnknownModelError.is(error)).toBe(true);
      expect((error as UnknownModelError).code).toBe('unknown_model');
    }
  });
});
