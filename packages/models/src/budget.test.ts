import { describe, expect, it } from 'vitest';
import { BudgetExceededError, createBudget, isBudgetExceededError } from './budget.js';
import { UnknownModelError } from './unknown-model-error.js';

const usage = (prompt: number, completion: number) => ({
  prompt_tokens: prompt,
  completion_tokens: completion,
  total_tokens: prompt + completion,
});

describe('createBudget', () => {
  it('caps tokens inclusively', () => {
    const budget = createBudget({ maxTokens: 100 });
    budget.add(usage(60, 40), 'gpt-4o');
    expect(budget.exceeded).toBe(false);
    expect(() => budget.check()).not.toThrow();
    expect(budget.remaining()).toEqual({ tokens: 0, costUSD: undefined });
    budget.add(usage(1, 0), 'anything');
    expect(budget.exceeded).toBe(true);
    expect(() => budget.check()).toThrow(BudgetExceededError);
  });

  it('caps spend in USD', () => {
    const budget = createBudget({ maxCostUSD: 0.01 });
    budget.add(usage(1000, 500), 'gpt-4o'); // 0.0025 + 0.005
    expect(budget.remaining().costUSD).toBeCloseTo(0.0025, 10);
    budget.add(usage(2000, 0), 'gpt-4o');
    let thrown: unknown;
    try {
      budget.check();
    } catch (error) {
      thrown = error;
    }
    expect(isBudgetExceededError(thrown)).toBe(true);
    expect(thrown).toMatchObject({ code: 'budget_exceeded', limit: 'cost', spentTokens: 3500 });
    expect(budget.spent).toMatchObject({ tokens: 3500, requests: 2 });
  });

  it('refuses to count an unpriced model against a cost cap', () => {
    const budget = createBudget({ maxCostUSD: 1 });
    expect(() => budget.add(usage(1, 1), 'mystery')).toThrow(UnknownModelError);
    expect(budget.spent.requests).toBe(0);
  });
});
