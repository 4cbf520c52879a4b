import { describe, expect, it } from 'vitest';
import { createCircuitBreaker } from './circuit-breaker.js';

function clock() {
  let time = 1000;
  return { now: () => time, advance: (ms: number) => (time += ms) };
}

describe('createCircuitBreaker', () => {
  it('opens after failureThreshold consecutive failures', () => {
    const c = clock();
    const breaker = createCircuitBreaker({ failureThreshold: 3, cooldownMs: 10_000, now: c.now });
    breaker.onFailure();
    breaker.onFailure();
    breaker.onSuccess();
    breaker.onFailure();
    breaker.onFailure();
    expect(breaker.state).toBe('closed');
    expect(breaker.tryAcquire()).toBe(true);
    breaker.onFailure();
    expect(breaker.state).toBe('open');
    expect(breaker.tryAcquire()).toBe(false);
    expect(breaker.snapshot()).toEqual({ state: 'open', consecutiveFailures: 3, retryAt: 11_000 });
  });

  it('half-opens after the cool-down with one trial, closing on success', () => {
    const c = clock();
    const breaker = createCircuitBreaker({ failureThreshold: 1, cooldownMs: 10_000, now: c.now });
    breaker.onFailure();
    c.advance(9_999);
    expect(breaker.tryAcquire()).toBe(false);
    c.advance(1);
    expect(breaker.state).toBe('half-open');
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.tryAcquire()).toBe(false);
    breaker.onSuccess();
    expect(breaker.state).toBe('closed');
    expect(breaker.tryAcquire()).toBe(true);
  });

  it('reopens when the trial fails, for a fresh cool-down', () => {
    const c = clock();
    const breaker = createCircuitBreaker({ failureThreshold: 2, cooldownMs: 100, now: c.now });
    breaker.onFailure();
    breaker.onFailure();
    c.advance(100);
    expect(breaker.tryAcquire()).toBe(true);
    breaker.onFailure();
    expect(breaker.state).toBe('open');
    c.advance(99);
    expect(breaker.tryAcquire()).toBe(false);
    c.advance(1);
    expect(breaker.tryAcquire()).toBe(true);
  });

  it('onNeutral gives a trial place back', () => {
    const c = clock();
    const breaker = createCircuitBreaker({ failureThreshold: 1, cooldownMs: 0, now: c.now });
    breaker.onFailure();
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.tryAcquire()).toBe(false);
    breaker.onNeutral();
    expect(breaker.tryAcquire()).toBe(true);
  });

  it('validates options', () => {
    expect(() => createCircuitBreaker({ failureThreshold: 0 })).toThrow(RangeError);
    expect(() => createCircuitBreaker({ halfOpenMaxCalls: 0 })).toThrow(RangeError);
    expect(() => createCircuitBreaker({ cooldownMs: -1 })).toThrow(RangeError);
  });
});
