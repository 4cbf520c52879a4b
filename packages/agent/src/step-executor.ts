import type { RunStore } from './run-store.js';

/**
 * The effect seam of the loop: every model call and every tool execution runs through `run(key, fn)`.
 * The key names the effect (`<runId>/<step>/model`, `<runId>/<step>/tool/<toolCallId>`, see
 * {@link journalKey}); `fn` performs it and resolves to plain JSON data. A durable executor journals the
 * value under the key and, on a resumed run, returns the journaled value instead of calling `fn` again.
 */
export interface StepExecutor {
  run<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

/** The default executor: runs every effect directly, journaling nothing. */
export const directExecutor: StepExecutor = {
  run<T>(_key: string, fn: () => Promise<T>): Promise<T> {
    return fn();
  },
};

/**
 * The journal key of one effect of a run: `effect` is `model` for the step's model call and
 * `tool/<toolCallId>` for a tool call.
 */
export function journalKey(runId: string, step: number, effect: string): string {
  return `${runId}/${step}/${effect}`;
}

/**
 * An executor that journals each effect's value in `store` under its key, and returns the journaled
 * value without running the effect again when the key is already there. With it, a run resumed from its
 * last checkpoint never repeats a model call or a tool whose result was journaled.
 */
export function createJournalingExecutor(store: RunStore): StepExecutor {
  return {
    async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
      const journaled = await store.getJournal(key);
      if (journaled !== undefined) return journaled as T;
      const value = await fn();
      await store.putJournal(key, value);
      return value;
    },
  };
}
