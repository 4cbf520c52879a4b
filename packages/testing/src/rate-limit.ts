import { type ApiErrorResponse, apiError } from './api-error.js';

/** Rate-limit budgets of the test server, like an OpenAI organization's. */
export interface RateLimitOptions {
  /** Requests per window. Default: unlimited. */
  rpm?: number;
  /** Tokens (prompt + completion) per window. Default: unlimited. */
  tpm?: number;
  /** Window length in ms. Default 60000 (per minute); shorten it to keep tests fast. */
  windowMs?: number;
}

/** Defaults of {@link RateLimitOptions}. */
export const RATE_LIMIT_DEFAULTS = { windowMs: 60_000 } as const;

/** Formats a duration like OpenAI's `x-ratelimit-reset-*` headers: `20ms`, `1s`, `6m0s`, `1.5s`. */
export function formatResetDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.ceil(ms))}ms`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round(((ms % 60_000) / 1000) * 1000) / 1000;
  return minutes > 0 ? `${minutes}m${seconds}s` : `${seconds}s`;
}

/** The outcome of {@link RateLimiter.admit}: the `x-ratelimit-*` headers, and a 429 when over budget. */
export interface Admission {
  headers: Record<string, string>;
  rejection?: ApiErrorResponse;
}

/**
 * Fixed-window request and token budgets. A request is admitted when both budgets have room for one
 * more request and its prompt tokens; its completion tokens are added once known (`addTokens`).
 */
export class RateLimiter {
  readonly #rpm: number;
  readonly #tpm: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  #windowStart: number | undefined;
  #requests = 0;
  #tokens = 0;

  constructor(options: RateLimitOptions, now: () => number) {
    this.#rpm = options.rpm ?? Number.POSITIVE_INFINITY;
    this.#tpm = options.tpm ?? Number.POSITIVE_INFINITY;
    this.#windowMs = options.windowMs ?? RATE_LIMIT_DEFAULTS.windowMs;
    this.#now = now;
  }

  #roll(): number {
    const now = this.#now();
    if (this.#windowStart === undefined || now - this.#windowStart >= this.#windowMs) {
      this.#windowStart = now;
      this.#requests = 0;
      this.#tokens = 0;
    }
    return this.#windowStart + this.#windowMs - now;
  }

  #headers(resetMs: number): Record<string, string> {
    const headers: Record<string, string> = {};
    if (Number.isFinite(this.#rpm)) {
      headers['x-ratelimit-limit-requests'] = String(this.#rpm);
      headers['x-ratelimit-remaining-requests'] = String(Math.max(0, this.#rpm - this.#requests));
      headers['x-ratelimit-reset-requests'] = formatResetDuration(this.#requests === 0 ? 0 : resetMs);
    }
    if (Number.isFinite(this.#tpm)) {
      headers['x-ratelimit-limit-tokens'] = String(this.#tpm);
      headers['x-ratelimit-remaining-tokens'] = String(Math.max(0, this.#tpm - this.#tokens));
      headers['x-ratelimit-reset-tokens'] = formatResetDuration(this.#tokens === 0 ? 0 : resetMs);
    }
    return headers;
  }

  /** Admits a request of `promptTokens` for `model`, or answers the 429 OpenAI would. */
  admit(model: string, promptTokens: number): Admission {
    const resetMs = this.#roll();
    const overRequests = this.#requests + 1 > this.#rpm;
    const overTokens = !overRequests && this.#tokens + promptTokens > this.#tpm;
    if (!overRequests && !overTokens) {
      this.#requests += 1;
      this.#tokens += promptTokens;
      return { headers: this.#headers(resetMs) };
    }
    const headers = this.#headers(resetMs);
    const waitMs = Math.max(1, Math.ceil(resetMs));
    const seconds = waitMs / 1000;
    const budget = overRequests
      ? `requests per min (RPM): Limit ${this.#rpm}, Used ${this.#requests}, Requested 1`
      : `tokens per min (TPM): Limit ${this.#tpm}, Used ${this.#tokens}, Requested ${promptTokens}`;
    const rejection = apiError(
      429,
      `Rate limit reached for ${model} in organization org-chatloop on ${budget}. Please try again in ${seconds}s. Visit https://platform.openai.com/account/rate-limits to learn more.`,
      { type: overRequests ? 'requests' : 'tokens', code: 'rate_limit_exceeded' },
    );
    rejection.headers = {
      ...headers,
      'retry-after': String(Math.ceil(seconds)),
      'retry-after-ms': String(waitMs),
    };
    return { headers, rejection };
  }

  /** Adds tokens to the current window (the completion tokens of an admitted request). */
  addTokens(tokens: number): void {
    this.#roll();
    this.#tokens += tokens;
  }
}
