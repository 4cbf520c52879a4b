import { describe, expect, it } from 'vitest';
import { createRunState } from './run-state.js';
import { createMemoryRunStore } from './run-store.js';
import { createJournalingExecutor, directExecutor, journalKey } from './step-executor.js';

const state = (version: number) => ({
  ...createRunState({ runId: 'r', agentName: 'a', messages: [], now: 0 }),
  version,
});

describe('createMemoryRunStore', () => {
  it('commits only when the stored version is the expected one (compare and swap)', async () => {
    const store = createMemoryRunStore();
    expect(await store.load('r')).toBeUndefined();
    expect(await store.commit('r', 0, state(1))).toBe(true);
    expect(await store.commit('r', 0, state(1))).toBe(false);
    expect(await store.commit('r', 1, state(2))).toBe(true);
    expect((await store.load('r'))?.version).toBe(2);
  });

  it('lets exactly one of two concurrent writers advance a version', async () => {
    const store = createMemoryRunStore();
    await store.commit('r', 0, state(1));
    const outcomes = await Promise.all([store.commit('r', 1, state(2)), store.commit('r', 1, state(2))]);
    expect(outcomes.filter(Boolean)).toHaveLength(1);
  });

  it('returns copies, never the stored object', async () => {
    const store = createMemoryRunStore();
    const s = state(1);
    await store.commit('r', 0, s);
    s.messages.push({ role: 'user', content: 'later' });
    expect((await store.load('r'))?.messages).toEqual([]);
  });

  it('journals values by key and forgets a run on remove', async () => {
    const store = createMemoryRunStore();
    await store.putJournal(journalKey('r', 0, 'model'), { a: 1 });
    await store.putJournal(journalKey('r2', 0, 'model'), 2);
    expect(await store.getJournal('r/0/model')).toEqual({ a: 1 });
    await store.commit('r', 0, state(1));
    await store.remove('r');
    expect(await store.getJournal('r/0/model')).toBeUndefined();
    expect(await store.load('r')).toBeUndefined();
    expect(await store.getJournal('r2/0/model')).toBe(2);
  });

  it('rejects values that are not plain JSON at commit time', async () => {
    const store = createMemoryRunStore();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(store.putJournal('k', cyclic)).rejects.toThrow();
  });
});

describe('executors', () => {
  it('the direct executor runs every effect', async () => {
    let calls = 0;
    const fn = async () => ++calls;
    await directExecutor.run('k', fn);
    await directExecutor.run('k', fn);
    expect(calls).toBe(2);
  });

  it('the journaling executor never repeats a journaled effect', async () => {
    const store = createMemoryRunStore();
    const executor = createJournalingExecutor(store);
    let calls = 0;
    const fn = async () => ({ n: ++calls });
    expect(await executor.run('r/0/tool/a', fn)).toEqual({ n: 1 });
    expect(await createJournalingExecutor(store).run('r/0/tool/a', fn)).toEqual({ n: 1 });
    expect(await executor.run('r/0/tool/b', fn)).toEqual({ n: 2 });
    expect(calls).toBe(2);
  });

  it('does not journal a failed effect', async () => {
    const store = createMemoryRunStore();
    const executor = createJournalingExecutor(store);
    await expect(executor.run('k', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await store.getJournal('k')).toBeUndefined();
  });
});
