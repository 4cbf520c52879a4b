import { describe, expect, it } from 'vitest';
import {
  describeExpectedArguments,
  formatIssuePath,
  redactSecrets,
  summarizeThrown,
} from './describe-tool-failure.js';

describe('describe-tool-failure', () => {
  it('redacts credentials that commonly leak into error messages', () => {
    const text = [
      'key sk-proj-abcdefghijklmnop1234',
      'Authorization: Bearer abc.def.ghijklmnop',
      'https://user:hunter2@db.internal/x',
      'api_key=XYZ123456789',
      'password: "correct horse"',
      'token ghp_abcdefghijklmnopqrstuvwxyz0123',
    ].join(' | ');
    const redacted = redactSecrets(text);
    for (const secret of [
      'sk-proj-abcdefghijklmnop1234',
      'abc.def.ghijklmnop',
      'hunter2',
      'XYZ123456789',
      'correct',
      'ghp_abcdefghijklmnopqrstuvwxyz0123',
    ]) {
      expect(redacted).not.toContain(secret);
    }
    expect(redacted).toContain('api_key=[REDACTED]');
    expect(redactSecrets('the sentinel-value-42 leaked', ['sentinel-value-42'])).toBe(
      'the [REDACTED] leaked',
    );
  });

  it('summarises a thrown value on one line: name, message, no stack, bounded length', () => {
    const error = new RangeError('out of range\n    at foo (/app/x.js:1:1)');
    expect(summarizeThrown(error)).toBe('RangeError: out of range');
    expect(summarizeThrown('plain string')).toBe('Error: plain string');
    expect(summarizeThrown({ code: 42 })).toBe('Error: {"code":42}');
    expect(summarizeThrown(new Error('x'.repeat(2000))).length).toBeLessThan(520);
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(summarizeThrown(circular)).toBe('Error: [object Object]');
    expect(summarizeThrown(new Error('key sk-abcdefghijklmnop'))).toBe('Error: key [REDACTED]');
  });

  it('formats issue paths and sketches the expected arguments', () => {
    expect(formatIssuePath([])).toBe('(root)');
    expect(formatIssuePath(['items', 0, 'qty'])).toBe('items[0].qty');
    expect(
      describeExpectedArguments({
        type: 'object',
        properties: {
          city: { type: 'string' },
          unit: { enum: ['c', 'f'] },
          tags: { type: 'array', items: { type: 'string' } },
          at: { anyOf: [{ type: 'string' }, { type: 'null' }] },
        },
        required: ['city'],
      }),
    ).toBe('{ city: string, unit?: "c" | "f", tags?: string[], at?: string | null }');
  });
});
