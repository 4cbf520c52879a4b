import { describe, expect, it } from 'vitest';
import { countChatTokens } from './count-tokens.js';
import { estimateCost } from './estimate-cost.js';
import { formatTokenReport, tokenReport } from './token-report.js';

const messages = [{ role: 'user' as const, content: 'Summarize the plot of Hamlet in one sentence.' }];

describe('estimateCost', () => {
  it('prices the prompt exactly and the output as a range up to the requested limit', () => {
    const prompt = countChatTokens(messages, { model: 'gpt-4o' });
    const estimate = estimateCost({ model: 'gpt-4o', messages, max_completion_tokens: 1000 });
    expect(estimate).toMatchObject({
      promptTokens: prompt,
      estimated: false,
      outputTokens: { min: 0, max: 1000 },
    });
    expect(estimate.cost!.minUSD).toBeCloseTo((prompt * 2.5) / 1e6, 12);
    expect(estimate.cost!.maxUSD).toBeCloseTo((prompt * 2.5 + 1000 * 10) / 1e6, 12);
  });

  it('uses the model output limit when none is requested, times n', () => {
    expect(estimateCost({ model: 'gpt-4o', messages }).outputTokens.max).toBe(16_384);
    expect(estimateCost({ model: 'gpt-4o', messages, max_tokens: 100, n: 3 }).outputTokens.max).toBe(300);
  });

  it('reports the cost of an unknown model as unknown', () => {
    const estimate = estimateCost({ model: 'mystery', messages, max_tokens: 10 });
    expect(estimate.cost).toBeUndefined();
    expect(estimate.promptTokens).toBeGreaterThan(0);
    expect(estimate.estimated).toBe(true);
  });
});

describe('tokenReport', () => {
  it('reports counts, fit and cost, and formats them', () => {
    const report = tokenReport({ model: 'gpt-4o-2024-08-06', messages, max_tokens: 200 });
    expect(report.fit?.fits).toBe(true);
    expect(report.info?.id).toBe('gpt-4o');
    const text = formatTokenReport(report);
    expect(text).toContain('gpt-4o-2024-08-06 (openai, gpt-4o)');
    expect(text).toContain(`${report.promptTokens} tokens (exact, o200k_base)`);
    expect(text).toContain('fits,');
    expect(text).toMatch(/cost +\$0\.0000\d+ to \$0\.00\d+ \(0 to 200 output tokens\)/);
  });

  it('says when a request does not fit and when a model is unknown', () => {
    const huge = [{ role: 'user' as const, content: 'lorem ipsum '.repeat(70_000) }];
    expect(formatTokenReport(tokenReport({ model: 'gpt-4o', messages: huge }))).toContain('does NOT fit');
    const unknown = formatTokenReport(tokenReport({ model: 'mystery', messages }));
    expect(unknown).toContain('unknown model');
    expect(unknown).toContain('cost     unknown');
  });
});
