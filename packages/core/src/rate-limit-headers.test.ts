import { describe, expect, it } from 'vitest';
import {
  parseRateLimitHeaders,
  parseResetMs,
  parseRetryAfterMs,
  pauseFromRateLimitHeaders,
  readHeader,
} from './rate-limit-headers.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');

describe('readHeader', () => {
  it('reads records case-insensitively, arrays and Headers objects', () => {
    expect(readHeader({ 'Retry-After': '3' }, 'retry-after')).toBe('3');
    expect(readHeader({ 'retry-after': ['4', '5'] }, 'Retry-After')).toBe('4');
    expect(readHeader(new Headers({ 'retry-after': '6' }), 'retry-after')).toBe('6');
    expect(readHeader(undefined, 'retry-after')).toBeUndefined();
    expect(readHeader({}, 'retry-after')).toBeUndefined();
  });
});

describe('parseResetMs', () => {
  it.each([
    ['20ms', 20],
    ['1s', 1000],
    ['6m0s', 360_000],
    ['1h2m3.5s', 3_723_500],
    ['0.5s', 500],
    ['2', 2000],
    ['1.5', 1500],
  ])('%s is %d ms', (value, expected) => {
    expect(parseResetMs(value, NOW)).toBe(expected);
  });

  it('reads epoch seconds and dates relative to now', () => {
    expect(parseResetMs(String(NOW / 1000 + 7), NOW)).toBe(7000);
    expect(parseResetMs(new Date(NOW + 9000).toUTCString(), NOW)).toBe(9000);
    expect(parseResetMs(new Date(NOW - 9000).toISOString(), NOW)).toBe(0);
  });

  it('gives undefined for garbage', () => {
    expect(parseResetMs('soon', NOW)).toBeUndefined();
    expect(parseResetMs('', NOW)).toBeUndefined();
    expect(parseResetMs(undefined, NOW)).toBeUndefined();
  });
});

describe('parseRetryAfterMs', () => {
  it('prefers retry-after-ms', () => {
    expect(parseRetryAfterMs({ 'retry-after-ms': '1234.2', 'retry-after': '9' }, NOW)).toBe(1235);
  });
  it('reads retry-after seconds and HTTP dates', () => {
    expect(parseRetryAfterMs({ 'retry-after': '3' }, NOW)).toBe(3000);
    expect(parseRetryAfterMs({ 'retry-after': new Date(NOW + 5000).toUTCString() }, NOW)).toBe(5000);
  });
  it('ignores unreadable values', () => {
    expect(parseRetryAfterMs({ 'retry-after': 'later' }, NOW)).toBeUndefined();
    expect(parseRetryAfterMs({ 'retry-after-ms': 'x' }, NOW)).toBeUndefined();
    expect(parseRetryAfterMs({}, NOW)).toBeUndefined();
  });
});

describe('parseRateLimitHeaders / pauseFromRateLimitHeaders', () => {
  const headers = {
    'x-ratelimit-limit-requests': '5000',
    'x-ratelimit-limit-tokens': '160000',
    'x-ratelimit-remaining-requests': '4999',
    'x-ratelimit-remaining-tokens': '159976',
    'x-ratelimit-reset-requests': '12ms',
    'x-ratelimit-reset-tokens': '9ms',
  };

  it('reads the OpenAI set', () => {
    expect(parseRateLimitHeaders(headers, NOW)).toEqual({
      limitRequests: 5000,
      limitTokens: 160000,
      remainingRequests: 4999,
      remainingTokens: 159976,
      resetRequestsMs: 12,
      resetTokensMs: 9,
    });
  });

  it('pauses only when a budget is spent, until its reset', () => {
    expect(pauseFromRateLimitHeaders(headers, NOW)).toBeUndefined();
    expect(pauseFromRateLimitHeaders({ ...headers, 'x-ratelimit-remaining-requests': '0' }, NOW)).toBe(12);
    expect(
      pauseFromRateLimitHeaders(
        {
          ...headers,
          'x-ratelimit-remaining-requests': '0',
          'x-ratelimit-remaining-tokens': '0',
          'x-ratelimit-reset-tokens': '6m0s',
        },
        NOW,
      ),
    ).toBe(360_000);
  });

  it('ignores Azure "-1" unknown values', () => {
    expect(
      pauseFromRateLimitHeaders(
        { 'x-ratelimit-remaining-tokens': '-1', 'x-ratelimit-reset-tokens': '0' },
        NOW,
      ),
    ).toBeUndefined();
  });
});
