import { describe, expect, it } from 'vitest';
import { parseToolArguments } from './parse-tool-arguments.js';

describe('parseToolArguments', () => {
  it('parses valid JSON without repairs', () => {
    expect(parseToolArguments('{"a":1}')).toEqual({ ok: true, value: { a: 1 }, repairs: [] });
  });

  it.each([
    ['empty text', '', {}, ['empty_as_object']],
    ['whitespace', '  \n', {}, ['empty_as_object']],
    ['null', 'null', {}, ['null_as_object']],
    ['a code fence', '```json\n{"a":1}\n```', { a: 1 }, ['code_fence_removed']],
    [
      'trailing commas',
      '{"a":[1,2,],"b":{"c":1,},}',
      { a: [1, 2], b: { c: 1 } },
      ['trailing_commas_removed'],
    ],
    ['double encoding', JSON.stringify('{"a":1}'), { a: 1 }, ['double_encoded']],
    ['a duplicated object', '{"a":1}{"a":1}', { a: 1 }, ['duplicate_object_removed']],
  ])('repairs %s', (_label, text, value, repairs) => {
    expect(parseToolArguments(text)).toEqual({ ok: true, value, repairs });
  });

  it.each([
    ['truncated JSON (a half-streamed call)', '{"city": "Par'],
    ['two different objects', '{"a":1}{"a":2}'],
    ['single quotes', "{'a': 1}"],
    ['prose', 'Sure! Here are the arguments.'],
  ])('does not guess at %s', (_label, text) => {
    expect(parseToolArguments(text).ok).toBe(false);
  });

  it('keeps commas inside strings', () => {
    expect(parseToolArguments('{"a":"x,}",}')).toEqual({
      ok: true,
      value: { a: 'x,}' },
      repairs: ['trailing_commas_removed'],
    });
  });

  it('never lets __proto__, constructor or prototype keys reach a prototype', () => {
    const payloads = [
      '{"__proto__":{"polluted":true}}',
      '{"a":{"__proto__":{"polluted":true}}}',
      '{"constructor":{"prototype":{"polluted":true}}}',
      '[{"__proto__":{"polluted":true}}]',
      '```json\n{"__proto__":{"polluted":true},}\n```',
      JSON.stringify('{"__proto__":{"polluted":true}}'),
    ];
    for (const payload of payloads) {
      const parsed = parseToolArguments(payload);
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) continue;
      const value = parsed.value as Record<string, unknown>;
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.prototype).not.toHaveProperty('polluted');
      expect(Object.getPrototypeOf(value)).toBe(Array.isArray(value) ? Array.prototype : Object.prototype);
      expect(JSON.stringify(value)).not.toContain('polluted');
    }
  });
});
