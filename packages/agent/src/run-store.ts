import type { RunState } from './run-state.js';

/**
 * The port for durable run state (Redis implements it later): checkpoints with compare-and-swap, and a
 * journal of completed effects keyed by `<runId>/<step>/<effect>`. Every value is plain JSON.
 */
export interface RunStore {
  /** The last committed checkpoint of `runId`, or `undefined`. */
  load(runId: string): Promise<RunState | undefined>;
  /**
   * Stores `checkpoint` only if the stored version is `expectedVersion` (0 when none is stored);
   * `checkpoint.version` is the new version. Resolves `true` when stored, `false` when another writer
   * got there first (the caller must then stop advancing the run).
   */
  commit(runId: string, expectedVersion: number, checkpoint: RunState): Promise<boolean>;
  /** The journaled value of an effect, or `undefined`. */
  getJournal(key: string): Promise<unknown | undefined>;
  /** Journals the value of a completed effect. */
  putJournal(key: string, value: unknown): Promise<void>;
  /** Forgets a run's checkpoint and journal (e.g. once its result is delivered). */
  remove(runId: string): Promise<void>;
}

/**
 * The in-process {@link RunStore}. Values are kept as JSON text, so what it accepts is exactly what a
 * remote store would (functions or cycles fail at commit time, not on another machine).
 */
export function createMemoryRunStore(): RunStore {
  const checkpoints = new Map<string, { version: number; json: string }>();
  const journal = new Map<string, string>();
  return {
    async load(runId) {
      const stored = checkpoints.get(runId);
      return stored ? (JSON.parse(stored.json) as RunState) : undefined;
    },
    async commit(runId, expectedVersion, checkpoint) {
      const current = checkpoints.get(runId)?.version ?? 0;
      if (current !== expectedVersion) return false;
      checkpoints.set(runId, { version: checkpoint.version, json: JSON.stringify(checkpoint) });
      return true;
    },
    async getJournal(key) {
      const json = journal.get(key);
      return json === undefined ? undefined : JSON.parse(json);
    },
    async putJournal(key, value) {
      journal.set(key, JSON.stringify(value));
    },
    async remove(runId) {
      checkpoints.delete(runId);
      const prefix = `${runId}/`;
      for (const key of journal.keys()) if (key.startsWith(prefix)) journal.delete(key);
    },
  };
}
