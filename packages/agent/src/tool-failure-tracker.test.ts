import { describe, expect, it } from 'vitest';
import { isRepeatedToolFailureError } from './agent-errors.js';
import type { ToolResultRecord } from './run-state.js';
import { failureSignature, trackToolFailures } from './tool-failure-tracker.js';

const failed = (id: string, content = 'Invalid arguments: city is required'): ToolResultRecord => ({
  toolCallId: id,
  name: 'weather',
  ok: false,
  content,
  durationMs: 0,
  source: 'executed',
  error: { code: 'tool_arguments', message: content },
});

describe('trackToolFailures', () => {
  it('stops on the Nth identical failure with a typed error naming the tool', () => {
    const counts: Record<string, number> = {};
    const args = new Map([
      ['a', '{}'],
      ['b', '{}'],
      ['c', '{}'],
    ]);
    expect(trackToolFailures(counts, [failed('a')], args, 3)).toBeUndefined();
    expect(trackToolFailures(counts, [failed('b')], args, 3)).toBeUndefined();
    const error = trackToolFailures(counts, [failed('c')], args, 3);
    expect(isRepeatedToolFailureError(error)).toBe(true);
    expect(error?.toolName).toBe('weather');
    expect(error?.message).toMatch(/3 times in a row/);
  });

  it('does not count different arguments, successes or denials as repeats', () => {
    const counts: Record<string, number> = {};
    const args = new Map([
      ['a', '{"city":1}'],
      ['b', '{"city":2}'],
    ]);
    expect(trackToolFailures(counts, [failed('a'), failed('b')], args, 2)).toBeUndefined();
    expect(
      trackToolFailures(
        counts,
        [
          { ...failed('a'), ok: true },
          { ...failed('b'), source: 'denied' },
        ],
        args,
        2,
      ),
    ).toBeUndefined();
  });

  it('signatures are short and stable', () => {
    const long = 'x'.repeat(100_000);
    expect(failureSignature('t', long, 'e')).toBe(failureSignature('t', long, 'e'));
    expect(failureSignature('t', long, 'e').length).toBeLessThan(20);
    expect(failureSignature('t', '{}', 'e')).not.toBe(failureSignature('t', '{}', 'f'));
  });
});
