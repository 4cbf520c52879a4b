import type { EventBus, RunQueue, UsageLedger } from '@chatloop/core';
import { expect, it } from 'vitest';

const unique = (label: string) => `${label}-${process.pid}-${Math.random().toString(36).slice(2)}`;

/** The UsageLedger port's contract, for every implementation. */
export function usageLedgerConformance(makeLedger: () => UsageLedger): void {
  it('sums usage and cost exactly across many concurrent adds', async () => {
    const ledgers = [makeLedger(), makeLedger(), makeLedger(), makeLedger()];
    const scope = unique('key');
    await Promise.all(
      ledgers.flatMap((ledger) =>
        Array.from({ length: 100 }, () =>
          ledger.add(scope, {
            requests: 1,
            promptTokens: 30,
            completionTokens: 12,
            totalTokens: 42,
            costUSD: 0.000_123,
          }),
        ),
      ),
    );
    expect(await (ledgers[0] as UsageLedger).get(scope)).toEqual({
      requests: 400,
      promptTokens: 12_000,
      completionTokens: 4_800,
      totalTokens: 16_800,
      cachedTokens: 0,
      reasoningTokens: 0,
      costUSD: 0.0492,
    });
  });

  it('returns the new totals from add, zero for an unknown scope, and forgets on reset', async () => {
    const ledger = makeLedger();
    const scope = unique('key');
    expect((await ledger.get(scope)).totalTokens).toBe(0);
    const after = await ledger.add(scope, { totalTokens: 5, costUSD: 0.5 });
    expect(after.totalTokens).toBe(5);
    expect(after.costUSD).toBe(0.5);
    await ledger.reset(scope);
    expect((await ledger.get(scope)).costUSD).toBe(0);
  });
}

/**
 * The EventBus port's contract. `makePair()` gives a publisher and a subscriber that share the bus (two
 * connections for a remote implementation, like two processes).
 */
export function eventBusConformance(makePair: () => { publisher: EventBus; subscriber: EventBus }): void {
  it('delivers a run’s events in order to a live subscriber, ending at run_finished', async () => {
    const { publisher, subscriber } = makePair();
    const runId = unique('run');
    const received: unknown[] = [];
    const reading = (async () => {
      for await (const event of subscriber.subscribe(runId)) received.push(event);
    })();
    for (let i = 0; i < 50; i++) await publisher.publish(runId, { type: 'text_delta', delta: String(i) });
    await publisher.publish(runId, { type: 'run_finished' });
    await publisher.publish(runId, { type: 'text_delta', delta: 'after the end' });
    await reading;
    expect(received).toHaveLength(51);
    expect(received.slice(0, 50).map((event) => (event as { delta: string }).delta)).toEqual(
      Array.from({ length: 50 }, (_, i) => String(i)),
    );
    expect(received[50]).toEqual({ type: 'run_finished' });
  });

  it('replays a finished run to a late subscriber', async () => {
    const { publisher, subscriber } = makePair();
    const runId = unique('run');
    await publisher.publish(runId, { type: 'run_started' });
    await publisher.publish(runId, { type: 'run_finished' });
    const received: unknown[] = [];
    for await (const event of subscriber.subscribe(runId)) received.push(event);
    expect(received.map((event) => (event as { type: string }).type)).toEqual([
      'run_started',
      'run_finished',
    ]);
  });

  it('with from "now", skips what was published before subscribing', async () => {
    const { publisher, subscriber } = makePair();
    const runId = unique('run');
    await publisher.publish(runId, { type: 'old' });
    const controller = new AbortController();
    const received: unknown[] = [];
    const reading = (async () => {
      for await (const event of subscriber.subscribe(runId, { from: 'now', signal: controller.signal }))
        received.push(event);
    })();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await publisher.publish(runId, { type: 'run_finished' });
    await reading;
    expect(received).toEqual([{ type: 'run_finished' }]);
  });

  it('ends a subscription quietly on abort', async () => {
    const { publisher, subscriber } = makePair();
    const runId = unique('run');
    const controller = new AbortController();
    const received: unknown[] = [];
    const reading = (async () => {
      for await (const event of subscriber.subscribe(runId, { signal: controller.signal }))
        received.push(event);
    })();
    await publisher.publish(runId, { type: 'step_started' });
    for (let i = 0; i < 200 && received.length === 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    await reading;
    expect(received).toEqual([{ type: 'step_started' }]);
  });
}

/** The RunQueue port's contract. `makeQueue` gives a fresh, empty queue; the suite closes it. */
export function runQueueConformance(
  makeQueue: (options: { attempts: number }) => RunQueue<{ n: number }, { doubled: number }>,
): void {
  it('processes each submitted run once; a second submit of the same id is a no-op', async () => {
    const queue = makeQueue({ attempts: 3 });
    try {
      const seen: string[] = [];
      queue.work(
        async (job) => {
          seen.push(job.runId);
          return { doubled: job.input.n * 2 };
        },
        { concurrency: 4 },
      );
      expect(await queue.submit({ runId: 'r1', agent: 'doubler', input: { n: 1 } })).toBe(true);
      expect(await queue.submit({ runId: 'r1', agent: 'doubler', input: { n: 100 } })).toBe(false);
      for (let i = 2; i <= 20; i++) await queue.submit({ runId: `r${i}`, agent: 'doubler', input: { n: i } });
      for (let i = 1; i <= 20; i++) expect(await queue.waitFor(`r${i}`)).toEqual({ doubled: i * 2 });
      expect(seen.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `r${i + 1}`).sort());
      expect(await queue.outcome('r7')).toEqual({ state: 'completed', result: { doubled: 14 } });
      expect(await queue.submit({ runId: 'r7', agent: 'doubler', input: { n: 7 } })).toBe(false);
    } finally {
      await queue.close();
    }
  });

  it('retries a failing run with the attempt number, and fails for good with a typed error', async () => {
    const queue = makeQueue({ attempts: 2 });
    try {
      const attempts: Record<string, number[]> = {};
      queue.work(async (job, { attempt }) => {
        const seen = attempts[job.runId] ?? [];
        seen.push(attempt);
        attempts[job.runId] = seen;
        if (job.runId === 'flaky' && attempt === 1) throw new Error('transient');
        if (job.runId === 'broken') throw new Error('always broken');
        return { doubled: 0 };
      });
      await queue.submit({ runId: 'flaky', agent: 'a', input: { n: 0 } });
      expect(await queue.waitFor('flaky')).toEqual({ doubled: 0 });
      expect(attempts.flaky).toEqual([1, 2]);
      await queue.submit({ runId: 'broken', agent: 'a', input: { n: 0 } });
      await expect(queue.waitFor('broken')).rejects.toMatchObject({
        code: 'run_failed',
        reason: 'always broken',
      });
      expect(attempts.broken).toEqual([1, 2]);
      expect(await queue.outcome('broken')).toEqual({ state: 'failed', reason: 'always broken' });
    } finally {
      await queue.close();
    }
  });

  it('runs submitted before any worker wait for one; a worker closes after its runs finish', async () => {
    const queue = makeQueue({ attempts: 1 });
    try {
      for (let i = 0; i < 5; i++) await queue.submit({ runId: `early-${i}`, agent: 'a', input: { n: i } });
      expect(await queue.outcome('early-0')).toEqual({ state: 'pending' });
      const worker = queue.work(async (job) => ({ doubled: job.input.n * 2 }), { concurrency: 2 });
      for (let i = 0; i < 5; i++) expect(await queue.waitFor(`early-${i}`)).toEqual({ doubled: i * 2 });
      await worker.close();
    } finally {
      await queue.close();
    }
  });
}
