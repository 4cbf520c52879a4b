import { describe, expect, it } from 'vitest';
import { locateJson, parseModelJson } from './parse-model-json.js';

describe('parseModelJson', () => {
  it('parses plain JSON without repair', () => {
    expect(parseModelJson('{"a": 1}')).toEqual({ ok: true, value: { a: 1 }, repaired: false });
  });

  it('repairs almost-JSON locally: single quotes, unquoted keys, trailing commas, a cut-off end', () => {
    expect(parseModelJson("{a: 'x', b: [1, 2,],}")).toEqual({
      ok: true,
      value: { a: 'x', b: [1, 2] },
      repaired: true,
    });
    expect(parseModelJson('{"name": "Ada", "tags": ["x"')).toEqual({
      ok: true,
      value: { name: 'Ada', tags: ['x'] },
      repaired: true,
    });
  });

  it('finds JSON in a fenced block or inside prose', () => {
    expect(locateJson('Sure!\n```json\n{"a": 1}\n```\nDone.')).toBe('{"a": 1}');
    expect(locateJson('Here it is: {"a": {"b": 2}} hope that helps')).toBe('{"a": {"b": 2}}');
    expect(parseModelJson('Here it is: [1, 2] ok').ok).toBe(true);
  });

  it('reports text that is not JSON, and empty output, without throwing', () => {
    expect(parseModelJson('')).toEqual({ ok: false, message: expect.stringContaining('empty') });
    const result = parseModelJson('{"a": 1} {"b": 2} trailing');
    expect(result.ok).toBe(false);
  });

  it('keeps __proto__ and constructor.prototype away from prototypes', () => {
    const result = parseModelJson(
      '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}}, "a": 1}',
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(Object.getPrototypeOf(result.value)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((result.value as Record<string, unknown>).a).toBe(1);
    expect(Object.hasOwn(result.value as object, '__proto__')).toBe(false);
  });
});
