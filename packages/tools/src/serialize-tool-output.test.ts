import { describe, expect, it } from 'vitest';
import { NO_OUTPUT_TEXT, serializeToolOutput } from './serialize-tool-output.js';

describe('serializeToolOutput', () => {
  it('keeps strings as they are and writes other values as compact JSON', () => {
    expect(serializeToolOutput('plain text')).toEqual({ text: 'plain text', truncated: false, problems: [] });
    expect(serializeToolOutput({ a: [1, 'b', null, true], d: new Date('2026-01-01T00:00:00Z') }).text).toBe(
      '{"a":[1,"b",null,true],"d":"2026-01-01T00:00:00.000Z"}',
    );
    expect(serializeToolOutput(42).text).toBe('42');
    expect(serializeToolOutput(null).text).toBe('null');
  });

  it('follows JSON for undefined, functions, symbols and non-finite numbers', () => {
    expect(serializeToolOutput(undefined).text).toBe(NO_OUTPUT_TEXT);
    expect(serializeToolOutput({ a: undefined, f: () => 1, s: Symbol('x'), n: Number.NaN }).text).toBe(
      '{"n":null}',
    );
    expect(serializeToolOutput([undefined, () => 1, Number.POSITIVE_INFINITY]).text).toBe('[null,null,null]');
  });

  it('replaces BigInts, circular references and throwing getters instead of throwing', () => {
    const circular: Record<string, unknown> = { name: 'loop' };
    circular.self = circular;
    const shared = { x: 1 };
    const hostile = {
      get secret(): string {
        throw new Error('nope');
      },
    };
    const result = serializeToolOutput({ big: 2n ** 70n, circular, twice: [shared, shared], hostile });
    expect(JSON.parse(result.text)).toEqual({
      big: '1180591620717411303424',
      circular: { name: 'loop', self: '[Circular]' },
      twice: [{ x: 1 }, { x: 1 }],
      hostile: { secret: '[Unserializable: nope]' },
    });
    expect(result.problems).toEqual(expect.arrayContaining(['bigint', 'circular', 'unserializable']));
  });

  it('writes Maps, Sets and Errors readably (no stack)', () => {
    const text = serializeToolOutput({
      map: new Map([['k', 1]]),
      set: new Set([1, 2]),
      error: new TypeError('bad'),
    }).text;
    expect(JSON.parse(text)).toEqual({
      map: { k: 1 },
      set: [1, 2],
      error: { name: 'TypeError', message: 'bad' },
    });
  });

  it('caps a 50 MB string with a visible marker, never exceeding maxChars', () => {
    const huge = 'x'.repeat(50 * 1024 * 1024);
    const result = serializeToolOutput(huge, { maxChars: 1000 });
    expect(result.truncated).toBe(true);
    expect(result.text.length).toBeLessThanOrEqual(1000);
    expect(result.text).toMatch(/…\[truncated: output was 52428800 characters; showing the first \d+\]$/);
  });

  it('stops writing a huge object at the cap (memory bounded) and marks it', () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => ({
      id: i,
      name: `row ${i}`,
      blob: 'y'.repeat(200),
    }));
    const result = serializeToolOutput({ rows, tail: 'z'.repeat(1_000_000) }, { maxChars: 2000 });
    expect(result.truncated).toBe(true);
    expect(result.text.length).toBeLessThanOrEqual(2000);
    expect(result.text.startsWith('{"rows":[{"id":0,"name":"row 0"')).toBe(true);
    expect(result.text).toContain('…[truncated: output exceeded 2000 characters');
  });

  it('does not cut a surrogate pair in half', () => {
    const text = '😀'.repeat(5000);
    const result = serializeToolOutput(text, { maxChars: 500 });
    const head = result.text.slice(0, result.text.indexOf('\n…[truncated'));
    expect(head.length % 2).toBe(0);
    expect(head).toBe('😀'.repeat(head.length / 2));
  });

  it('writes a deep structure up to a depth limit', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 500; i++) deep = { d: deep };
    const result = serializeToolOutput(deep, { maxChars: 100_000 });
    expect(result.problems).toContain('too_deep');
    expect(() => JSON.parse(result.text)).not.toThrow();
  });
});
