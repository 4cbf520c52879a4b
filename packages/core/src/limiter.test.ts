import { describe, expect, it } from 'vitest';
import { createFakeClock, flush } from '../test/fake-clock.js';
import { createLimiter, type Permit } from './limiter.js';
import { isLimiterCapacityError, isQueueFullError, isQueueTimeoutError } from './limiter-errors.js';

function track(promise: Promise<Permit>) {
  const state: { permit?: Permit; error?: unknown } = {};
  promise.then(
    (permit) => {
      state.permit = permit;
    },
    (error: unknown) => {
      state.error = error;
    },
  );
  return state;
}

describe('createLimiter', () => {
  it('never holds more than `concurrency` permits', async () => {
    const limiter = createLimiter({ concurrency: 2 });
    const calls = Array.from({ length: 5 }, () => track(limiter.acquire({ scope: 'a' })));
    await flush();
    expect(calls.filter((call) => call.permit).length).toBe(2);
    expect(limiter.stats('a')).toMatchObject({ inFlight: 2, queued: 3 });
    await calls[0]?.permit?.release();
    await calls[0]?.permit?.release();
    await flush();
    expect(calls.filter((call) => call.permit).length).toBe(3);
    expect(limiter.stats('a')).toMatchObject({ inFlight: 2, queued: 2 });
    for (const call of calls) await call.permit?.release();
    await flush();
    for (const call of calls) await call.permit?.release();
    expect(limiter.stats('a')).toMatchObject({ inFlight: 0, queued: 0 });
  });

  it('keeps every window within requestsPerMinute', async () => {
    const clock = createFakeClock();
    const limiter = createLimiter({ requestsPerMinute: 3, now: clock.now, sleep: clock.sleep });
    const grants: number[] = [];
    const all = Array.from({ length: 8 }, () =>
      limiter.acquire({ scope: 'a' }).then(async (permit) => {
        grants.push(clock.now());
        await permit.release();
      }),
    );
    await clock.runAll();
    await Promise.all(all);
    expect(grants.length).toBe(8);
    const start = grants[0] as number;
    expect(grants.map((at) => at - start)).toEqual([0, 0, 0, 60_000, 60_000, 60_000, 120_000, 120_000]);
    for (const at of grants) {
      expect(grants.filter((other) => other >= at && other < at + 60_000).length).toBeLessThanOrEqual(3);
    }
  });

  it('charges tokens up front and frees them on settle', async () => {
    const clock = createFakeClock();
    const limiter = createLimiter({ tokensPerMinute: 100, now: clock.now, sleep: clock.sleep });
    const first = await limiter.acquire({ scope: 'a', tokens: 40 });
    const second = await limiter.acquire({ scope: 'a', tokens: 40 });
    const third = track(limiter.acquire({ scope: 'a', tokens: 40 }));
    await clock.advance(1000);
    expect(third.permit).toBeUndefined();
    expect(limiter.stats('a').tokensInWindow).toBe(80);
    await first.settle({ tokens: 10 });
    await clock.advance(0);
    expect(third.permit).toBeDefined();
    expect(limiter.stats('a').tokensInWindow).toBe(90);
    await second.settle({ tokens: 70 });
    expect(limiter.stats('a').tokensInWindow).toBe(120);
    const fourth = track(limiter.acquire({ scope: 'a', tokens: 5 }));
    await clock.advance(58_999);
    expect(fourth.permit).toBeUndefined();
    await clock.advance(1);
    expect(fourth.permit).toBeDefined();
    for (const permit of [first, second, third.permit, fourth.permit]) await permit?.release();
  });

  it('rejects a charge larger than the whole budget', async () => {
    const limiter = createLimiter({ tokensPerMinute: 100, requestsPerMinute: 1 });
    const error = await limiter.acquire({ scope: 'a', tokens: 101 }).catch((caught: unknown) => caught);
    expect(isLimiterCapacityError(error)).toBe(true);
    expect(error).toMatchObject({ budget: 'tokens', requested: 101, limit: 100 });
    await expect(limiter.acquire({ scope: 'a', requests: 2 })).rejects.toMatchObject({
      code: 'limiter_capacity',
    });
  });

  it('serves higher priority first', async () => {
    const limiter = createLimiter({ concurrency: 1 });
    const holder = await limiter.acquire({ scope: 'a' });
    const order: string[] = [];
    const low = limiter.acquire({ scope: 'a', priority: 0 }).then(async (permit) => {
      order.push('low');
      await permit.release();
    });
    const high = limiter.acquire({ scope: 'a', priority: 5 }).then(async (permit) => {
      order.push('high');
      await permit.release();
    });
    await flush();
    await holder.release();
    await Promise.all([low, high]);
    expect(order).toEqual(['high', 'low']);
  });

  it('serves higher priority first among calls waiting on the rate window too', async () => {
    const clock = createFakeClock();
    const limiter = createLimiter({ requestsPerMinute: 1, now: clock.now, sleep: clock.sleep });
    await limiter.acquire({ scope: 'a' });
    const order: string[] = [];
    const low = limiter.acquire({ scope: 'a' }).then(() => order.push('low'));
    await flush();
    const high = limiter.acquire({ scope: 'a', priority: 1 }).then(() => order.push('high'));
    await clock.runAll();
    await Promise.all([low, high]);
    expect(order).toEqual(['high', 'low']);
  });

  it('fails with QueueFullError past maxQueueSize', async () => {
    const limiter = createLimiter({ concurrency: 1, maxQueueSize: 2 });
    const holder = await limiter.acquire({ scope: 'a' });
    const waiting = [limiter.acquire({ scope: 'a' }), limiter.acquire({ scope: 'a' })];
    const error = await limiter.acquire({ scope: 'a' }).catch((caught: unknown) => caught);
    expect(isQueueFullError(error)).toBe(true);
    expect(error).toMatchObject({ scope: 'a', maxQueueSize: 2 });
    await holder.release();
    for (const permit of waiting) await (await permit).release();
  });

  it('fails with QueueTimeoutError past maxQueueWaitMs and leaves the queue', async () => {
    const clock = createFakeClock();
    const limiter = createLimiter({
      concurrency: 1,
      maxQueueWaitMs: 1000,
      now: clock.now,
      sleep: clock.sleep,
    });
    const holder = await limiter.acquire({ scope: 'a' });
    const waiting = track(limiter.acquire({ scope: 'a' }));
    await clock.advance(999);
    expect(waiting.error).toBeUndefined();
    await clock.advance(1);
    expect(isQueueTimeoutError(waiting.error)).toBe(true);
    expect(limiter.stats('a')).toMatchObject({ queued: 0, inFlight: 1 });
    await holder.release();
    expect(clock.pendingTimers).toBe(0);
  });

  it('a granted permit is not affected by the queue-wait deadline', async () => {
    const clock = createFakeClock();
    const limiter = createLimiter({ maxQueueWaitMs: 1000, now: clock.now, sleep: clock.sleep });
    const permit = await limiter.acquire({ scope: 'a' });
    expect(clock.pendingTimers).toBe(0);
    await clock.advance(5000);
    expect(limiter.stats('a').inFlight).toBe(1);
    await permit.release();
  });

  it('abort while queued for a slot or for the rate window rejects at once and frees the place', async () => {
    const clock = createFakeClock();
    const limiter = createLimiter({ concurrency: 1, now: clock.now, sleep: clock.sleep });
    const holder = await limiter.acquire({ scope: 'a' });
    const controller = new AbortController();
    const queued = track(limiter.acquire({ scope: 'a', signal: controller.signal }));
    const next = track(limiter.acquire({ scope: 'a' }));
    await flush();
    controller.abort(new Error('caller gave up'));
    await flush();
    expect(queued.error).toMatchObject({ message: 'caller gave up' });
    await holder.release();
    await flush();
    expect(next.permit).toBeDefined();
    await next.permit?.release();

    const rated = createLimiter({ requestsPerMinute: 1, now: clock.now, sleep: clock.sleep });
    await rated.acquire({ scope: 'b' });
    const inGate = new AbortController();
    const gated = track(rated.acquire({ scope: 'b', signal: inGate.signal }));
    await clock.advance(10);
    inGate.abort(new Error('stop'));
    await flush();
    expect(gated.error).toMatchObject({ message: 'stop' });
    expect(rated.stats('b')).toMatchObject({ queued: 0, requestsInWindow: 1 });
    await clock.runAll();
    expect(clock.pendingTimers).toBe(0);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const limiter = createLimiter();
    const controller = new AbortController();
    controller.abort(new Error('already'));
    await expect(limiter.acquire({ scope: 'a', signal: controller.signal })).rejects.toThrow('already');
  });

  it('pause holds every new permit of the scope until it ends, not other scopes', async () => {
    const clock = createFakeClock();
    const limiter = createLimiter({ now: clock.now, sleep: clock.sleep });
    const inFlight = await limiter.acquire({ scope: 'a' });
    await limiter.pause('a', 5000);
    await limiter.pause('a', 1000);
    expect(limiter.stats('a').pausedForMs).toBe(5000);
    const waiting = track(limiter.acquire({ scope: 'a' }));
    const other = track(limiter.acquire({ scope: 'b' }));
    await clock.advance(4999);
    expect(waiting.permit).toBeUndefined();
    expect(other.permit).toBeDefined();
    await clock.advance(1);
    expect(waiting.permit).toBeDefined();
    for (const permit of [inFlight, waiting.permit, other.permit]) await permit?.release();
  });

  it('a pause during a rate wait extends it', async () => {
    const clock = createFakeClock();
    const limiter = createLimiter({
      requestsPerMinute: 1,
      windowMs: 1000,
      now: clock.now,
      sleep: clock.sleep,
    });
    await limiter.acquire({ scope: 'a' });
    const waiting = track(limiter.acquire({ scope: 'a' }));
    await clock.advance(500);
    await limiter.pause('a', 2000);
    await clock.advance(600);
    expect(waiting.permit).toBeUndefined();
    await clock.advance(1400);
    expect(waiting.permit).toBeDefined();
  });

  it('applies per-scope budgets over the defaults', async () => {
    const limiter = createLimiter({ concurrency: 1, scopes: { wide: { concurrency: 3 } } });
    const wide = await Promise.all([1, 2, 3].map(() => limiter.acquire({ scope: 'wide' })));
    expect(limiter.stats('wide').inFlight).toBe(3);
    const narrow = await limiter.acquire({ scope: 'narrow' });
    const blocked = track(limiter.acquire({ scope: 'narrow' }));
    await flush();
    expect(blocked.permit).toBeUndefined();
    await narrow.release();
    await flush();
    expect(blocked.permit).toBeDefined();
    for (const permit of [...wide, blocked.permit]) await permit?.release();
  });

  it('validates its budgets', () => {
    expect(() => createLimiter({ concurrency: 0 })).toThrow(RangeError);
    expect(() => createLimiter({ requestsPerMinute: -1 })).toThrow(RangeError);
    expect(() => createLimiter({ windowMs: 0 })).toThrow(RangeError);
    expect(() => createLimiter({ scopes: { x: { tokensPerMinute: Number.NaN } } })).toThrow(RangeError);
  });

  it('with the real clock leaves no timer behind once waits end', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    const before = timers();
    const limiter = createLimiter({ requestsPerMinute: 1, windowMs: 60_000, maxQueueWaitMs: 60_000 });
    const first = await limiter.acquire({ scope: 'a' });
    const controller = new AbortController();
    const waiting = limiter
      .acquire({ scope: 'a', signal: controller.signal })
      .catch((error: unknown) => error);
    await flush();
    expect(timers()).toBeGreaterThan(before);
    controller.abort(new Error('done'));
    expect(await waiting).toMatchObject({ message: 'done' });
    await first.release();
    await flush();
    expect(timers()).toBeLessThanOrEqual(before);
  });
});
