import { describe, expect, it } from 'vitest';
import { firstDifference } from './first-difference.js';

describe('firstDifference', () => {
  it('is undefined for deeply equal values', () => {
    expect(firstDifference({ a: [1, { b: null }] }, { a: [1, { b: null }] })).toBeUndefined();
  });

  it('names the path of the first difference', () => {
    expect(firstDifference({ a: [1, { b: 'x' }] }, { a: [1, { b: 'y' }] })).toBe(
      '$.a.1.b: got "x", expected "y"',
    );
    expect(firstDifference({ a: 1 }, { a: 1, c: null })).toBe('$.c: got undefined, expected null');
  });
});
