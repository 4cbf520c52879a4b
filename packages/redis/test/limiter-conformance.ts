import type { Limiter, LimiterLimits } from '@chatloop/core';
import { expect, it } from 'vitest';

/** Settles to 'blocked' if `promise` has not settled within `ms`. */
async function stillBlocked(promise: Promise<unknown>, ms = 60): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    promise.then(
      () => 'settled',
      () => 'settled',
    ),
    new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve('blocked'), ms);
    }),
  ]);
  clearTimeout(timer);
  return outcome === 'blocked';
}

/**
 * The Limiter port's contract, run against every implementation: `makeLimiter(limits)` builds a limiter
 * whose default budgets are `limits` (a short window so tests stay fast).
 */
export function limiterConformance(makeLimiter: (limits: LimiterLimits) => Promise<Limiter>): void {
  let counter = 0;
  const scope = () => `conformance-${process.pid}-${++counter}-${Math.random().toString(36).slice(2)}`;

  it('admits the requests budget of a window, then blocks until the window moves', async () => {
    const limiter = await makeLimiter({ requestsPerMinute: 3, windowMs: 300 });
    const name = scope();
    for (let i = 0; i < 3; i++) await limiter.acquire({ scope: name });
    const fourth = limiter.acquire({ scope: name });
    expect(await stillBlocked(fourth)).toBe(true);
    const permit = await fourth;
    expect(permit.scope).toBe(name);
  });

  it('charges estimated tokens, and settle replaces them with the real usage', async () => {
    const limiter = await makeLimiter({ tokensPerMinute: 100, windowMs: 60_000 });
    const name = scope();
    const first = await limiter.acquire({ scope: name, tokens: 60 });
    expect(first.tokens).toBe(60);
    const second = limiter.acquire({ scope: name, tokens: 60 });
    expect(await stillBlocked(second)).toBe(true);
    await first.settle({ tokens: 10 });
    const granted = await second;
    expect(granted.tokens).toBe(60);
  });

  it('refuses a charge no window could ever admit with LimiterCapacityError', async () => {
    const limiter = await makeLimiter({ tokensPerMinute: 100 });
    await expect(limiter.acquire({ scope: scope(), tokens: 500 })).rejects.toMatchObject({
      code: 'limiter_capacity',
    });
  });

  it('holds concurrency until a permit is released; release is idempotent', async () => {
    const limiter = await makeLimiter({ concurrency: 2 });
    const name = scope();
    const a = await limiter.acquire({ scope: name });
    await limiter.acquire({ scope: name });
    const third = limiter.acquire({ scope: name });
    expect(await stillBlocked(third)).toBe(true);
    await a.release();
    await a.release();
    await third;
    const fourth = limiter.acquire({ scope: name });
    expect(await stillBlocked(fourth)).toBe(true);
    await (await third).release();
    await fourth;
  });

  it('pause stops every new call on the scope for its duration', async () => {
    const limiter = await makeLimiter({});
    const name = scope();
    await limiter.pause(name, 250);
    const started = performance.now();
    await limiter.acquire({ scope: name });
    expect(performance.now() - started).toBeGreaterThanOrEqual(150);
    await limiter.acquire({ scope: scope() });
  });

  it('aborting a waiting call rejects at once with the signal’s reason', async () => {
    const limiter = await makeLimiter({});
    const name = scope();
    await limiter.pause(name, 10_000);
    const controller = new AbortController();
    const pending = limiter.acquire({ scope: name, signal: controller.signal });
    const reason = new Error('caller gave up');
    setTimeout(() => controller.abort(reason), 20);
    await expect(pending).rejects.toBe(reason);
  });

  it('gives up after maxQueueWaitMs with QueueTimeoutError', async () => {
    const limiter = await makeLimiter({ maxQueueWaitMs: 80 });
    const name = scope();
    await limiter.pause(name, 10_000);
    await expect(limiter.acquire({ scope: name })).rejects.toMatchObject({ code: 'queue_timeout' });
  });
}
