import { ChatloopError } from '@chatloop/protocol';
import { describe, expect, it } from 'vitest';
import { ConnectionFailure, HttpFailure } from '../test/http-failure.js';
import {
  backoffDelayMs,
  classifyFailure,
  DEFAULT_RETRY_OPTIONS,
  planRetry,
  resolveRetryOptions,
  serverRetryAfterMs,
} from './retry-policy.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const plan = (error: unknown, retriesSoFar = 0, overrides = {}, random = () => 0.5) =>
  planRetry(error, {
    retriesSoFar,
    elapsedMs: 0,
    options: resolveRetryOptions(overrides),
    nowMs: NOW,
    random,
  });

describe('resolveRetryOptions', () => {
  it('layers over the defaults, later wins, undefined ignored', () => {
    expect(resolveRetryOptions()).toEqual(DEFAULT_RETRY_OPTIONS);
    expect(resolveRetryOptions({ maxRetries: 5 }, { maxRetries: undefined, maxDelayMs: 100 })).toMatchObject({
      maxRetries: 5,
      maxDelayMs: 100,
      initialDelayMs: 500,
    });
    expect(resolveRetryOptions({ maxRetries: 5 }, { maxRetries: 0 }).maxRetries).toBe(0);
  });
  it('rejects negative and non-finite numbers', () => {
    expect(() => resolveRetryOptions({ maxRetries: -1 })).toThrow(RangeError);
    expect(() => resolveRetryOptions({ maxDelayMs: Number.NaN })).toThrow(RangeError);
  });
});

describe('backoffDelayMs', () => {
  const options = resolveRetryOptions({ jitter: 'none' });
  it('doubles from 0.5 s and caps at 8 s', () => {
    expect([1, 2, 3, 4, 5, 6, 40].map((retry) => backoffDelayMs(retry, options, () => 0))).toEqual([
      500, 1000, 2000, 4000, 8000, 8000, 8000,
    ]);
  });
  it('full jitter spans [0, ceiling]; equal jitter [ceiling/2, ceiling]', () => {
    const full = resolveRetryOptions({ jitter: 'full' });
    expect(backoffDelayMs(3, full, () => 0)).toBe(0);
    expect(backoffDelayMs(3, full, () => 0.999999)).toBe(2000);
    expect(backoffDelayMs(3, full, () => 0.25)).toBe(500);
    const equal = resolveRetryOptions({ jitter: 'equal' });
    expect(backoffDelayMs(3, equal, () => 0)).toBe(1000);
    expect(backoffDelayMs(3, equal, () => 0.5)).toBe(1500);
  });
});

describe('classifyFailure', () => {
  it.each([408, 409, 429, 500, 502, 503, 504, 529])('retries HTTP %d', (status) => {
    expect(classifyFailure(new HttpFailure(status), NOW).retryable).toBe(true);
  });
  it.each([400, 401, 403, 404, 422])('never retries HTTP %d', (status) => {
    expect(classifyFailure(new HttpFailure(status), NOW).retryable).toBe(false);
  });
  it('retries connection errors and timeouts', () => {
    expect(classifyFailure(new ConnectionFailure(), NOW).retryable).toBe(true);
    expect(classifyFailure(new ChatloopError('timeout', 'slow'), NOW).retryable).toBe(true);
  });
  it('lets x-should-retry override the status', () => {
    expect(classifyFailure(new HttpFailure(400, { 'x-should-retry': 'true' }), NOW).retryable).toBe(true);
    expect(classifyFailure(new HttpFailure(503, { 'X-Should-Retry': 'false' }), NOW).retryable).toBe(false);
  });
  it('never retries insufficient_quota, aborts, interrupted streams, unknown errors', () => {
    expect(
      classifyFailure(new HttpFailure(429, { 'x-should-retry': 'true' }, 'insufficient_quota'), NOW),
    ).toEqual({
      retryable: false,
      reason: 'insufficient_quota',
    });
    expect(classifyFailure(new ChatloopError('aborted', 'x'), NOW).retryable).toBe(false);
    expect(classifyFailure(new ChatloopError('stream_interrupted', 'x'), NOW).retryable).toBe(false);
    expect(classifyFailure(new DOMException('x', 'AbortError'), NOW).retryable).toBe(false);
    expect(classifyFailure(new TypeError('bug'), NOW).retryable).toBe(false);
    expect(classifyFailure('boom', NOW).retryable).toBe(false);
  });
  it('carries the server-requested wait', () => {
    expect(classifyFailure(new HttpFailure(429, { 'retry-after': '2' }), NOW).retryAfterMs).toBe(2000);
    const withField = Object.assign(new HttpFailure(429), { retryAfterMs: 750 });
    expect(classifyFailure(withField, NOW).retryAfterMs).toBe(750);
  });
});

describe('serverRetryAfterMs', () => {
  it('falls back to the spent x-ratelimit budget on a 429 only', () => {
    const headers = {
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': '3s',
      'x-ratelimit-remaining-tokens': '10',
      'x-ratelimit-reset-tokens': '20s',
    };
    expect(serverRetryAfterMs(headers, 429, NOW)).toBe(3000);
    expect(serverRetryAfterMs(headers, 503, NOW)).toBeUndefined();
    expect(serverRetryAfterMs({ 'x-ratelimit-reset-tokens': '20s' }, 429, NOW)).toBe(20_000);
    expect(serverRetryAfterMs({}, 429, NOW)).toBeUndefined();
  });
});

describe('planRetry', () => {
  it('backs off with jitter when the server gives no wait', () => {
    expect(plan(new HttpFailure(503), 0)).toEqual({
      retry: true,
      delayMs: 250,
      serverRequested: false,
      reason: 'HTTP 503',
    });
    expect(plan(new HttpFailure(503), 1)).toMatchObject({ retry: true, delayMs: 500 });
  });
  it('takes the server word: retry-after-ms, retry-after seconds, HTTP date', () => {
    expect(plan(new HttpFailure(429, { 'retry-after-ms': '1500' }))).toMatchObject({
      delayMs: 1500,
      serverRequested: true,
    });
    expect(plan(new HttpFailure(429, { 'retry-after': '2' }))).toMatchObject({
      delayMs: 2000,
      serverRequested: true,
    });
    expect(plan(new HttpFailure(429, { 'retry-after': new Date(NOW + 4000).toUTCString() }))).toMatchObject({
      delayMs: 4000,
    });
  });
  it('fails at once past the cap', () => {
    expect(plan(new HttpFailure(429, { 'retry-after': '3600' }))).toMatchObject({
      retry: false,
      retryAfterMs: 3_600_000,
    });
    expect(plan(new HttpFailure(429, { 'retry-after': '30' }), 0, { maxRetryAfterMs: 10_000 })).toMatchObject(
      {
        retry: false,
        retryAfterMs: 30_000,
      },
    );
  });
  it('stops after maxRetries', () => {
    expect(plan(new HttpFailure(500), 2).retry).toBe(false);
    expect(plan(new HttpFailure(500), 0, { maxRetries: 0 }).retry).toBe(false);
  });
  it('does not wait past the overall deadline', () => {
    const result = planRetry(new HttpFailure(429, { 'retry-after': '2' }), {
      retriesSoFar: 0,
      elapsedMs: 9_000,
      options: resolveRetryOptions({ deadlineMs: 10_000 }),
      nowMs: NOW,
      random: () => 0,
    });
    expect(result.retry).toBe(false);
  });
  it('never retries what is not retryable', () => {
    expect(plan(new HttpFailure(401))).toEqual({ retry: false, reason: 'HTTP 401' });
  });
});
