import { describe, expect, it } from 'vitest';
import { isRunStateError } from './agent-errors.js';
import {
  cloneRunState,
  createRunState,
  parseRunState,
  RUN_STATE_SCHEMA_VERSION,
  serializeRunState,
} from './run-state.js';

const fresh = () =>
  createRunState({
    runId: 'run_1',
    agentName: 'helper',
    messages: [{ role: 'user', content: 'hi' }],
    now: 5,
  });

describe('run state', () => {
  it('starts at version 0, schema version 1, running, with zero usage', () => {
    const state = fresh();
    expect(RUN_STATE_SCHEMA_VERSION).toBe(1);
    expect(state).toMatchObject({ schemaVersion: 1, version: 0, status: 'running', steps: [], startedAt: 5 });
    expect(state.usage.totalTokens).toBe(0);
  });

  it('round-trips through JSON text unchanged', () => {
    const state = fresh();
    expect(parseRunState(serializeRunState(state))).toEqual(state);
    expect(cloneRunState(state)).toEqual(state);
    expect(parseRunState(JSON.parse(serializeRunState(state)))).toEqual(state);
  });

  it('refuses other schema versions, malformed JSON and missing fields with a typed error', () => {
    const other = { ...fresh(), schemaVersion: 2 };
    expect(() => parseRunState(JSON.stringify(other))).toThrow(/schema version 2/);
    expect(() => parseRunState('{not json')).toThrow(/not valid JSON/);
    const { messages: _m, ...noMessages } = fresh();
    expect(() => parseRunState(noMessages)).toThrow(/messages/);
    expect(() => parseRunState({ ...fresh(), status: 'weird' })).toThrow(/unknown status/);
    try {
      parseRunState('[]');
    } catch (error) {
      expect(isRunStateError(error)).toBe(true);
    }
  });

  it('drops __proto__ keys when parsing text', () => {
    const text = serializeRunState(fresh()).replace('{', '{"__proto__":{"polluted":true},');
    const state = parseRunState(text);
    expect(Object.getPrototypeOf(state)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
