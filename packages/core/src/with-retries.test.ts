import { describe, expect, it } from 'vitest';
import { createFakeClock } from '../test/fake-clock.js';
import { ConnectionFailure, HttpFailure } from '../test/http-failure.js';
import { type RetryEvent, retryStatsOf, withRetries } from './with-retries.js';

function scripted(outcomes: Array<Error | string>) {
  let calls = 0;
  const run = async () => {
    const outcome = outcomes[Math.min(calls, outcomes.length - 1)];
    calls++;
    if (outcome instanceof Error) throw outcome;
    return outcome as string;
  };
  return { run, calls: () => calls };
}

describe('withRetries', () => {
  it('returns at once on success with one attempt', async () => {
    const clock = createFakeClock();
    const result = await withRetries(async () => 'ok', { now: clock.now, sleep: clock.sleep });
    expect(result).toEqual({ value: 'ok', attempts: 1, retries: 0, retryWaitMs: 0 });
  });

  it('retries 5xx then succeeds, reporting attempts and waits', async () => {
    const clock = createFakeClock();
    const script = scripted([new HttpFailure(503), new ConnectionFailure(), 'ok']);
    const events: RetryEvent[] = [];
    const promise = withRetries(script.run, {
      now: clock.now,
      sleep: clock.sleep,
      random: () => 0.5,
      onRetry: (event) => events.push(event),
    });
    await clock.runAll();
    await expect(promise).resolves.toEqual({ value: 'ok', attempts: 3, retries: 2, retryWaitMs: 250 + 500 });
    expect(clock.sleeps).toEqual([250, 500]);
    expect(events.map((event) => [event.attempt, event.reason])).toEqual([
      [1, 'HTTP 503'],
      [2, 'api_connection'],
    ]);
  });

  it('honours retry-after from the server', async () => {
    const clock = createFakeClock();
    const script = scripted([new HttpFailure(429, { 'retry-after': '3' }), 'ok']);
    const promise = withRetries(script.run, { now: clock.now, sleep: clock.sleep });
    await clock.runAll();
    await expect(promise).resolves.toMatchObject({ attempts: 2, retryWaitMs: 3000 });
    expect(clock.sleeps).toEqual([3000]);
  });

  it('gives up after maxRetries with the last error carrying the figures', async () => {
    const clock = createFakeClock();
    const script = scripted([new HttpFailure(500)]);
    const promise = withRetries(script.run, {
      now: clock.now,
      sleep: clock.sleep,
      random: () => 0,
      retry: { maxRetries: 3 },
    });
    const settled = promise.catch((error: unknown) => error);
    await clock.runAll();
    const error = await settled;
    expect(error).toBeInstanceOf(HttpFailure);
    expect(retryStatsOf(error)).toEqual({ attempts: 4, retries: 3, retryWaitMs: 0 });
    expect((error as { attempts: number }).attempts).toBe(4);
    expect(script.calls()).toBe(4);
  });

  it('never retries a 400', async () => {
    const script = scripted([new HttpFailure(400), 'ok']);
    await expect(withRetries(script.run)).rejects.toMatchObject({ status: 400, attempts: 1, retries: 0 });
    expect(script.calls()).toBe(1);
  });

  it('fails at once when the server asks for more than the cap', async () => {
    const clock = createFakeClock();
    const script = scripted([new HttpFailure(429, { 'retry-after': '3600' }), 'ok']);
    await expect(withRetries(script.run, { now: clock.now, sleep: clock.sleep })).rejects.toMatchObject({
      status: 429,
    });
    expect(clock.sleeps).toEqual([]);
    expect(script.calls()).toBe(1);
  });

  it('abort during a backoff wait rejects at once with the abort error, no further attempt', async () => {
    const clock = createFakeClock();
    const controller = new AbortController();
    const script = scripted([new HttpFailure(503), 'ok']);
    const abortError = new Error('aborted by caller');
    const promise = withRetries(script.run, {
      now: clock.now,
      sleep: clock.sleep,
      signal: controller.signal,
      abortError: () => abortError,
      retry: { initialDelayMs: 60_000, maxDelayMs: 60_000, jitter: 'none' },
    });
    const settled = promise.catch((error: unknown) => error);
    await clock.advance(10);
    expect(clock.pendingTimers).toBe(1);
    controller.abort();
    expect(await settled).toBe(abortError);
    expect(clock.pendingTimers).toBe(0);
    expect(script.calls()).toBe(1);
    expect(retryStatsOf(abortError)).toMatchObject({ attempts: 1, retries: 0 });
  });

  it('does not start when already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('gone'));
    const script = scripted(['ok']);
    await expect(withRetries(script.run, { signal: controller.signal })).rejects.toThrow('gone');
    expect(script.calls()).toBe(0);
  });

  it('does not retry an attempt that failed because the caller aborted', async () => {
    const controller = new AbortController();
    const script = scripted([new ConnectionFailure(), 'ok']);
    const run = async () => {
      controller.abort();
      return script.run();
    };
    await expect(withRetries(run, { signal: controller.signal })).rejects.toBeInstanceOf(ConnectionFailure);
    expect(script.calls()).toBe(1);
  });

  it('an observer that throws does not change the outcome', async () => {
    const clock = createFakeClock();
    const script = scripted([new HttpFailure(502), 'ok']);
    const promise = withRetries(script.run, {
      now: clock.now,
      sleep: clock.sleep,
      onRetry: () => {
        throw new Error('observer bug');
      },
    });
    await clock.runAll();
    await expect(promise).resolves.toMatchObject({ value: 'ok', attempts: 2 });
  });

  it('the default sleep leaves no timer behind after an abort', async () => {
    const before = process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    const controller = new AbortController();
    const script = scripted([new HttpFailure(503), 'ok']);
    const promise = withRetries(script.run, {
      signal: controller.signal,
      retry: { initialDelayMs: 60_000, maxDelayMs: 60_000, jitter: 'none' },
    });
    const settled = promise.catch((error: unknown) => error);
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort(new Error('stop'));
    expect(await settled).toMatchObject({ message: 'stop' });
    expect(process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length).toBeLessThanOrEqual(
      before,
    );
  });
});
