import { describe, expect, it } from 'vitest';
import { safeJsonParse } from './safe-json-parse.js';

describe('safeJsonParse', () => {
  it('parses ordinary JSON like JSON.parse', () => {
    expect(safeJsonParse('{"a":[1,"x",null,true],"b":{"c":1.5}}')).toEqual({
      a: [1, 'x', null, true],
      b: { c: 1.5 },
    });
  });

  it('strips __proto__ and constructor.prototype keys at any depth', () => {
    const parsed = safeJsonParse(
      '{"a":1,"__proto__":{"polluted":true},"nested":{"constructor":{"prototype":{"polluted":true}}}}',
    ) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(['a', 'nested']);
    expect(Object.hasOwn(parsed, '__proto__')).toBe(false);
    expect(parsed.nested).toEqual({});
    const merged = Object.assign({}, parsed);
    expect((merged as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('throws SyntaxError on invalid JSON', () => {
    expect(() => safeJsonParse('{"a":')).toThrow(SyntaxError);
  });

  it('strips keys spelled with unicode escapes, which the plain fast path never sees', () => {
    const parsed = safeJsonParse('{"a":1,"\\u005f_proto__":{"polluted":true},"b":"\\u00e9"}') as Record<
      string,
      unknown
    >;
    expect(Object.keys(parsed)).toEqual(['a', 'b']);
    expect(parsed.b).toBe('é');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('takes the fast path for text without those keys or escapes, with the same result', () => {
    expect(safeJsonParse('{"choices":[{"delta":{"content":"héllo 🌍"}}]}')).toEqual({
      choices: [{ delta: { content: 'héllo 🌍' } }],
    });
    // A harmless `constructor` key (no prototype under it) is kept, as secure-json-parse keeps it.
    expect(safeJsonParse('{"constructor":{"name":"x"}}')).toEqual({ constructor: { name: 'x' } });
  });

  it('keeps ordinary text that merely mentions proto, parsed through the careful path', () => {
    expect(safeJsonParse('{"content":"a prototype of __proto__"}')).toEqual({
      content: 'a prototype of __proto__',
    });
  });
});
