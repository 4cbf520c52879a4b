import type { RunState, RunStore } from '@chatloop/agent';
import { createRunState } from '@chatloop/agent';
import { expect, it } from 'vitest';

/** The RunStore port's contract: the same tests run against every implementation. */
export function runStoreConformance(makeStore: () => RunStore): void {
  const state = (runId: string, version: number): RunState => ({
    ...createRunState({ runId, agentName: 'support', messages: [{ role: 'user', content: 'hi' }], now: 1 }),
    version,
  });
  let counter = 0;
  const runId = () => `run-${process.pid}-${++counter}-${Math.random().toString(36).slice(2)}`;

  it('loads nothing for an unknown run', async () => {
    expect(await makeStore().load(runId())).toBeUndefined();
  });

  it('commits version 1 over nothing, and returns the same plain data', async () => {
    const store = makeStore();
    const id = runId();
    expect(await store.commit(id, 0, state(id, 1))).toBe(true);
    expect(await store.load(id)).toEqual(state(id, 1));
  });

  it('refuses a commit whose expected version is stale (compare-and-swap)', async () => {
    const store = makeStore();
    const id = runId();
    expect(await store.commit(id, 0, state(id, 1))).toBe(true);
    expect(await store.commit(id, 0, state(id, 1))).toBe(false);
    expect(await store.commit(id, 1, state(id, 2))).toBe(true);
    expect(await store.commit(id, 1, state(id, 2))).toBe(false);
    expect((await store.load(id))?.version).toBe(2);
  });

  it('lets exactly one of many concurrent writers advance a version', async () => {
    const store = makeStore();
    const id = runId();
    await store.commit(id, 0, state(id, 1));
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => store.commit(id, 1, state(id, 2))));
    expect(outcomes.filter(Boolean)).toHaveLength(1);
  });

  it('journals effects by key', async () => {
    const store = makeStore();
    const id = runId();
    expect(await store.getJournal(`${id}/1/tool/call_1`)).toBeUndefined();
    await store.putJournal(`${id}/1/tool/call_1`, { ok: true, content: 'shipped' });
    await store.putJournal(`${id}/1/model`, { choices: [] });
    expect(await store.getJournal(`${id}/1/tool/call_1`)).toEqual({ ok: true, content: 'shipped' });
    expect(await store.getJournal(`${id}/1/model`)).toEqual({ choices: [] });
  });

  it('remove forgets the checkpoint and the journal of that run only', async () => {
    const store = makeStore();
    const id = runId();
    const other = runId();
    await store.commit(id, 0, state(id, 1));
    await store.putJournal(`${id}/1/model`, 1);
    await store.putJournal(`${other}/1/model`, 2);
    await store.remove(id);
    expect(await store.load(id)).toBeUndefined();
    expect(await store.getJournal(`${id}/1/model`)).toBeUndefined();
    expect(await store.getJournal(`${other}/1/model`)).toBe(2);
  });

  it('stores prototype-polluting keys as plain data', async () => {
    const store = makeStore();
    const id = runId();
    await store.putJournal(`${id}/1/tool/x`, JSON.parse('{"__proto__": {"polluted": true}, "a": 1}'));
    const value = (await store.getJournal(`${id}/1/tool/x`)) as Record<string, unknown>;
    expect(value.a).toBe(1);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
}
