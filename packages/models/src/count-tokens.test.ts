import { getEncoding } from 'js-tiktoken';
import { describe, expect, it } from 'vitest';
import { TEXT_CORPUS } from '../test/corpus.js';
import { countTokens } from './count-tokens.js';
import { createModelRegistry } from './model-registry.js';
import { getEncoder } from './tokenizer.js';

// js-tiktoken (a port of OpenAI's tiktoken) is the reference; special tokens are encoded as plain text,
// as the API does with user content.
const oracle = {
  o200k_base: getEncoding('o200k_base'),
  cl100k_base: getEncoding('cl100k_base'),
};

function randomText(seed: number, length: number): string {
  let state = seed;
  const alphabet = 'abc xyz 012 \n\t.,;{}[]()éü中文日本語😀 ';
  let text = '';
  for (let i = 0; i < length; i++) {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    text += alphabet[state % alphabet.length];
  }
  return text;
}

describe('countTokens', () => {
  for (const encoding of ['o200k_base', 'cl100k_base'] as const) {
    it(`equals the reference tokenizer on the corpus (${encoding})`, () => {
      const corpus = [
        ...TEXT_CORPUS,
        ...Array.from({ length: 20 }, (_, i) => randomText(i + 1, 50 + i * 37)),
      ];
      for (const text of corpus) {
        expect(getEncoder(encoding).countTokens(text), JSON.stringify(text.slice(0, 40))).toBe(
          oracle[encoding].encode(text, [], []).length,
        );
        expect(getEncoder(encoding).encode(text)).toEqual(oracle[encoding].encode(text, [], []));
      }
    });
  }

  it('picks the encoding by model: o200k_base for current OpenAI models, cl100k_base for gpt-4/3.5', () => {
    const text = 'お誕生日おめでとう and some English 😀';
    const o200k = oracle.o200k_base.encode(text, [], []).length;
    const cl100k = oracle.cl100k_base.encode(text, [], []).length;
    expect(o200k).not.toBe(cl100k);
    for (const model of [
      'gpt-4o',
      'gpt-4.1-mini',
      'gpt-5',
      'gpt-5.5-2026-04-23',
      'o3',
      'o4-mini',
      'gpt-4o-mini-search-preview',
    ]) {
      expect(countTokens(text, model), model).toBe(o200k);
    }
    for (const model of ['gpt-4', 'gpt-4-0613', 'gpt-3.5-turbo', 'gpt-4-turbo']) {
      expect(countTokens(text, model), model).toBe(cl100k);
    }
    expect(countTokens(text)).toBe(o200k);
  });

  it('estimates for models without a public tokenizer, never below the o200k count', () => {
    const text = 'DeepSeek has its own tokenizer. '.repeat(10);
    const base = oracle.o200k_base.encode(text, [], []).length;
    const estimate = countTokens(text, 'deepseek-v4-pro');
    expect(estimate).toBeGreaterThanOrEqual(base);
    expect(estimate).toBe(Math.ceil(base * 1.1));
  });

  it('counts with a registry given by the caller', () => {
    const registry = createModelRegistry({ models: [] });
    expect(registry.tokenizerFor('my-model')).toBe('estimate');
    expect(countTokens('hello world', 'gpt-4o', registry)).toBe(2);
  });
});
