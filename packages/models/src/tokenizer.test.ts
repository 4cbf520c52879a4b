import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { costOf, countTokens, getModel } from './index.js';

const loaded = () =>
  Object.keys(createRequire(import.meta.url).cache).filter((path) => path.includes('gpt-tokenizer'));

describe('tokenizer loading', () => {
  it('loads no rank table until the first count, then only the encoding used', () => {
    expect(getModel('gpt-4o')?.id).toBe('gpt-4o');
    costOf({ prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 }, 'gpt-4o');
    expect(loaded()).toEqual([]);
    expect(countTokens('hello world', 'gpt-4o')).toBe(2);
    expect(loaded().some((path) => path.includes('o200k_base'))).toBe(true);
    expect(loaded().some((path) => path.includes('cl100k_base'))).toBe(false);
  });
});
