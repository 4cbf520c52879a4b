import { RepeatedToolFailureError } from './agent-errors.js';
import type { ToolResultRecord } from './run-state.js';

/** Default number of identical failing calls after which a run stops. */
export const DEFAULT_MAX_REPEATED_TOOL_FAILURES = 3;

/**
 * A short, stable signature of a failing call: tool name, arguments and failure, hashed (cyrb53) so a
 * state holding many signatures stays small.
 */
export function failureSignature(name: string, argumentsJson: string, failure: string): string {
  const text = `${name}\u0000${argumentsJson.trim()}\u0000${failure}`;
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return `${name}:${(4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36)}`;
}

/**
 * Records the failed results of a step in `counts` (in place) and returns the error to stop with when
 * one identical failing call reached `maxRepeats`, else `undefined`. Denied calls do not count: a human
 * said no, the tool did not fail.
 */
export function trackToolFailures(
  counts: Record<string, number>,
  results: readonly ToolResultRecord[],
  argumentsById: ReadonlyMap<string, string>,
  maxRepeats: number = DEFAULT_MAX_REPEATED_TOOL_FAILURES,
): RepeatedToolFailureError | undefined {
  let stop: RepeatedToolFailureError | undefined;
  for (const result of results) {
    if (result.ok || result.source !== 'executed') continue;
    const signature = failureSignature(
      result.name,
      argumentsById.get(result.toolCallId) ?? '',
      result.content,
    );
    const count = (counts[signature] ?? 0) + 1;
    counts[signature] = count;
    if (count >= maxRepeats && stop === undefined) {
      stop = new RepeatedToolFailureError(
        result.name,
        count,
        result.error?.message ?? result.content.slice(0, 200),
      );
    }
  }
  return stop;
}
