import type { ChatMessage } from '@chatloop/protocol';
import { describe, expect, it } from 'vitest';
import { createTokenCounter } from './token-counter.js';
import { createTokenEstimator } from './token-estimator.js';

// A stand-in for a provider whose tokenizer is not public: its "billed" prompt tokens are the cl100k_base
// count of the request (a genuinely different vocabulary from the o200k_base base count), plus a fixed
// 2 % of template overhead, so the estimator must learn a ratio that no constant in the code knows.
const provider = createTokenCounter({ model: 'gpt-4' });
const billed = (messages: ChatMessage[]) => Math.round(provider.countChat(messages).tokens * 1.02);

const WORDS =
  'the model returns tool calls and text while the agent loop runs tools with arguments in JSON'.split(' ');
function conversation(seed: number): ChatMessage[] {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state;
  };
  const messages: ChatMessage[] = [{ role: 'system', content: 'You are a careful assistant.' }];
  const turns = 2 + (next() % 6);
  for (let t = 0; t < turns; t++) {
    const words = Array.from({ length: 10 + (next() % 80) }, () => WORDS[next() % WORDS.length]);
    const code = next() % 3 === 0 ? `\nconst x${t} = { id: ${next() % 1000}, ok: true };` : '';
    messages.push({ role: t % 2 === 0 ? 'user' : 'assistant', content: words.join(' ') + code });
  }
  return messages;
}

describe('createTokenEstimator', () => {
  it('converges: after 20 reported usages its error on held-out requests is within 3 %', () => {
    const model = 'deepseek-v4-pro';
    const estimator = createTokenEstimator();
    const counter = createTokenCounter({ model, estimator });
    const base = createTokenCounter({ model: 'gpt-4o' });
    const heldOut = Array.from({ length: 30 }, (_, i) => conversation(10_000 + i));
    const heldOutError = () => {
      let total = 0;
      for (const messages of heldOut) {
        const actual = billed(messages);
        total += Math.abs(counter.countChat(messages).tokens - actual) / actual;
      }
      return total / heldOut.length;
    };

    const before = heldOutError();
    for (let i = 0; i < 20; i++) {
      const messages = conversation(i + 1);
      estimator.observe(model, base.countChat(messages).tokens, billed(messages));
    }
    const after = heldOutError();

    expect(after).toBeLessThan(0.03);
    expect(after).toBeLessThan(before);
    const accuracy = estimator.accuracy(model);
    expect(accuracy.samples).toBe(20);
    expect(accuracy.meanAbsoluteError).toBeGreaterThan(0);
    expect(accuracy.lastError).toBeDefined();
    expect(Math.abs(accuracy.lastError!)).toBeLessThan(0.03);
  });

  it('reports its out-of-sample error and follows a provider whose ratio changes', () => {
    const estimator = createTokenEstimator({ initialRatio: 1, window: 10 });
    expect(estimator.accuracy('m')).toEqual({
      samples: 0,
      ratio: 1,
      meanAbsoluteError: undefined,
      lastError: undefined,
    });
    estimator.observe('m', 100, 150);
    // The first estimate (100 at ratio 1) was a third too low.
    expect(estimator.accuracy('m').lastError).toBeCloseTo(-1 / 3, 5);
    expect(estimator.ratio('m')).toBeCloseTo(1.5, 5);
    for (let i = 0; i < 60; i++) estimator.observe('m', 100, 120);
    expect(estimator.ratio('m')).toBeCloseTo(1.2, 2);
    expect(estimator.estimate('m', 1000)).toBe(Math.ceil(1000 * estimator.ratio('m')));
    expect(estimator.ratio('other')).toBe(1);
  });

  it('ignores empty or nonsensical observations', () => {
    const estimator = createTokenEstimator({ initialRatio: 1 });
    estimator.observe('m', 0, 10);
    estimator.observe('m', 10, 0);
    estimator.observe('m', Number.NaN, 10);
    expect(estimator.accuracy('m').samples).toBe(0);
  });
});
