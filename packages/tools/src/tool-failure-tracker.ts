import type { ToolCallResult } from './execute-tool-calls.js';
import { ToolFailureLimitError } from './tool-errors.js';

/** Options of {@link createToolFailureTracker}. */
export interface ToolFailureTrackerOptions {
  /** Stop after this many identical failures (same tool, same error code, same explanation). Default 3. */
  maxIdenticalFailures?: number;
  /** Counts to start from (a `snapshot()` of a run being resumed). */
  initial?: Readonly<Record<string, number>>;
}

/** Defaults of {@link createToolFailureTracker}. */
export const TOOL_FAILURE_TRACKER_DEFAULTS = { maxIdenticalFailures: 3 } as const;

/** Counts identical tool failures across the steps of a run. */
export interface ToolFailureTracker {
  /**
   * Counts the failures of one batch of results; a success of a tool clears that tool's counts.
   * @throws ToolFailureLimitError when a failure has now been seen `maxIdenticalFailures` times.
   */
  record(results: readonly ToolCallResult[]): void;
  /** The counts as plain JSON (for run state). */
  snapshot(): Record<string, number>;
  /** Forgets every count. */
  reset(): void;
}

/**
 * Creates the tracker an agent loop uses to stop a model that keeps making the same failing call (after
 * K identical failures the run stops with a typed `ToolFailureLimitError` instead of looping).
 */
export function createToolFailureTracker(options: ToolFailureTrackerOptions = {}): ToolFailureTracker {
  const max = Math.max(1, options.maxIdenticalFailures ?? TOOL_FAILURE_TRACKER_DEFAULTS.maxIdenticalFailures);
  const counts = new Map<string, number>(Object.entries(options.initial ?? {}));
  return {
    record(results) {
      for (const result of results) {
        const prefix = `${result.name}\u0000`;
        if (result.ok) {
          for (const key of [...counts.keys()]) if (key.startsWith(prefix)) counts.delete(key);
          continue;
        }
        if (!result.error) continue;
        const key = `${prefix}${result.error.code}\u0000${result.content}`;
        const count = (counts.get(key) ?? 0) + 1;
        counts.set(key, count);
        if (count >= max) throw new ToolFailureLimitError(result.name, count, result.error);
      }
    },
    snapshot: () => Object.fromEntries(counts),
    reset: () => counts.clear(),
  };
}
