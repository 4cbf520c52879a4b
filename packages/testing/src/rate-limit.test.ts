import { describe, expect, it } from 'vitest';
import { formatResetDuration, RateLimiter } from './rate-limit.js';

describe('formatResetDuration', () => {
  it('writes durations like OpenAI', () => {
    expect(formatResetDuration(20)).toBe('20ms');
    expect(formatResetDuration(1000)).toBe('1s');
    expect(formatResetDuration(1500)).toBe('1.5s');
    expect(formatResetDuration(360_000)).toBe('6m0s');
  });
});

describe('RateLimiter', () => {
  it('admits up to rpm requests per window, then answers 429 with retry-after until the window rolls', () => {
    let now = 1_000;
    const limiter = new RateLimiter({ rpm: 2 }, () => now);
    expect(limiter.admit('m', 1).headers).toMatchObject({
      'x-ratelimit-limit-requests': '2',
      'x-ratelimit-remaining-requests': '1',
      'x-ratelimit-reset-requests': '1m0s',
    });
    expect(limiter.admit('m', 1).rejection).toBeUndefined();
    now += 45_000;
    const over = limiter.admit('gpt-4o', 1);
    expect(over.rejection?.status).toBe(429);
    expect(over.rejection?.headers).toMatchObject({
      'retry-after': '15',
      'retry-after-ms': '15000',
      'x-ratelimit-remaining-requests': '0',
    });
    expect(over.rejection?.body.error).toEqual({
      message:
        'Rate limit reached for gpt-4o in organization org-chatloop on requests per min (RPM): Limit 2, Used 2, Requested 1. Please try again in 15s. Visit https://platform.openai.com/account/rate-limits to learn more.',
      type: 'requests',
      param: null,
      code: 'rate_limit_exceeded',
    });
    now += 15_000;
    expect(limiter.admit('m', 1).rejection).toBeUndefined();
  });

  it('counts prompt and completion tokens against tpm', () => {
    const now = 0;
    const limiter = new RateLimiter({ tpm: 100, windowMs: 1000 }, () => now);
    expect(limiter.admit('m', 60).headers['x-ratelimit-remaining-tokens']).toBe('40');
    limiter.addTokens(30);
    const over = limiter.admit('m', 20);
    expect(over.rejection?.body.error).toMatchObject({ type: 'tokens', code: 'rate_limit_exceeded' });
    expect(over.rejection?.body.error.message).toContain('Limit 100, Used 90, Requested 20');
    expect(over.rejection?.headers?.['retry-after-ms']).toBe('1000');
  });

  it('sends no headers for budgets that are not set', () => {
    const limiter = new RateLimiter({}, () => 0);
    expect(limiter.admit('m', 10)).toEqual({ headers: {} });
  });
});
