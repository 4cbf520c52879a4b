import { describe, expect, it } from 'vitest';
import { isPrefixObject, parsePartialObject } from './parse-partial-object.js';

const final = {
  name: 'Ada Lovelace',
  born: 1815,
  tags: ['math', 'poetry'],
  alive: false,
  spouse: null,
  address: { city: 'London' },
};
const text = JSON.stringify(final, null, 1);

describe('parsePartialObject', () => {
  it('turns every prefix of the JSON into a value that is a prefix of the final one, and of the next', () => {
    let previous: unknown;
    for (let cut = 0; cut <= text.length; cut++) {
      const partial = parsePartialObject(text.slice(0, cut));
      if (partial === undefined) continue;
      expect(isPrefixObject(partial, final), `cut ${cut}: ${JSON.stringify(partial)}`).toBe(true);
      if (previous !== undefined) expect(isPrefixObject(previous, partial), `cut ${cut}`).toBe(true);
      previous = partial;
    }
    expect(parsePartialObject(text)).toEqual(final);
  });

  it('never shows a number or literal before it is complete', () => {
    expect(parsePartialObject('{"born": 18')).toEqual({});
    expect(parsePartialObject('{"alive": tr')).toEqual({});
    expect(parsePartialObject('{"born": 1815,')).toEqual({ born: 1815 });
  });

  it('reads past a fence and prose, and returns undefined before any JSON', () => {
    expect(parsePartialObject('Sure, here:\n```json\n{"a": "x')).toEqual({ a: 'x' });
    expect(parsePartialObject('Sure, here')).toBeUndefined();
    expect(parsePartialObject('')).toBeUndefined();
  });

  it('drops __proto__ keys so partials are plain objects', () => {
    const partial = parsePartialObject('{"__proto__": {"polluted": true}, "a": 1,') as Record<
      string,
      unknown
    >;
    expect(Object.getPrototypeOf(partial)).toBe(Object.prototype);
    expect(partial.polluted).toBeUndefined();
    expect(partial).toEqual({ a: 1 });
  });
});

describe('isPrefixObject', () => {
  it('tells prefixes from other values', () => {
    expect(isPrefixObject({ a: 'Ad' }, { a: 'Ada', b: 1 })).toBe(true);
    expect(isPrefixObject({ a: 'Ax' }, { a: 'Ada' })).toBe(false);
    expect(isPrefixObject([1, 2, 3], [1, 2])).toBe(false);
    expect(isPrefixObject({ c: 1 }, { a: 1 })).toBe(false);
    expect(isPrefixObject(12, 123)).toBe(false);
  });
});
