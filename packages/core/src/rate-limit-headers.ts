/**
 * Headers as the client exposes them: a plain record (names in any case) or a `Headers`-like object.
 */
export type HeaderSource =
  | Readonly<Record<string, string | readonly string[] | undefined>>
  | { get(name: string): string | null };

/** What a response's rate-limit headers say, in milliseconds from the moment they were read. */
export interface RateLimitInfo {
  /** `x-ratelimit-limit-requests`. */
  limitRequests?: number;
  /** `x-ratelimit-limit-tokens`. */
  limitTokens?: number;
  /** `x-ratelimit-remaining-requests`. */
  remainingRequests?: number;
  /** `x-ratelimit-remaining-tokens`. */
  remainingTokens?: number;
  /** `x-ratelimit-reset-requests`, as milliseconds until the request budget refills. */
  resetRequestsMs?: number;
  /** `x-ratelimit-reset-tokens`, as milliseconds until the token budget refills. */
  resetTokensMs?: number;
}

/** Reads one header, whatever the shape and case of `headers`. Arrays give their first value. */
export function readHeader(headers: HeaderSource | undefined, name: string): string | undefined {
  if (headers === undefined) return undefined;
  if (typeof (headers as { get?: unknown }).get === 'function') {
    const value = (headers as { get(name: string): string | null }).get(name);
    return value ?? undefined;
  }
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  const lower = name.toLowerCase();
  let value = record[lower];
  if (value === undefined) {
    for (const key of Object.keys(record)) {
      if (key.toLowerCase() === lower) {
        value = record[key];
        break;
      }
    }
  }
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : value[0];
}

const DURATION_PART = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
const DURATION_WHOLE = /^(?:\d+(?:\.\d+)?(?:ms|h|m|s))+$/;

/**
 * Parses a reset value as providers send it, into milliseconds from `nowMs`: a Go-style duration
 * (`20ms`, `1s`, `6m0s`, `1h2m3.5s`, as OpenAI and Groq send), a bare number of seconds, an epoch
 * timestamp in seconds (values above 10^9), or an HTTP/ISO date. Returns `undefined` when unreadable;
 * never negative.
 */
export function parseResetMs(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (DURATION_WHOLE.test(text)) {
    let total = 0;
    for (const match of text.matchAll(DURATION_PART)) {
      const amount = Number(match[1]);
      const unit = match[2];
      total +=
        unit === 'ms'
          ? amount
          : unit === 's'
            ? amount * 1000
            : unit === 'm'
              ? amount * 60_000
              : amount * 3_600_000;
    }
    return Math.max(0, Math.ceil(total));
  }
  if (/^\d+(?:\.\d+)?$/.test(text)) {
    const seconds = Number(text);
    if (seconds > 1e9) return Math.max(0, Math.ceil(seconds * 1000 - nowMs));
    return Math.max(0, Math.ceil(seconds * 1000));
  }
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

function readNumber(headers: HeaderSource | undefined, name: string): number | undefined {
  const raw = readHeader(headers, name);
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  return Number.isFinite(value) ? value : undefined;
}

/** Reads the `x-ratelimit-*` headers OpenAI, Groq, Azure, OpenRouter and Together send. */
export function parseRateLimitHeaders(headers: HeaderSource | undefined, nowMs: number): RateLimitInfo {
  const info: RateLimitInfo = {};
  const limitRequests = readNumber(headers, 'x-ratelimit-limit-requests');
  const limitTokens = readNumber(headers, 'x-ratelimit-limit-tokens');
  const remainingRequests = readNumber(headers, 'x-ratelimit-remaining-requests');
  const remainingTokens = readNumber(headers, 'x-ratelimit-remaining-tokens');
  const resetRequestsMs = parseResetMs(readHeader(headers, 'x-ratelimit-reset-requests'), nowMs);
  const resetTokensMs = parseResetMs(readHeader(headers, 'x-ratelimit-reset-tokens'), nowMs);
  if (limitRequests !== undefined) info.limitRequests = limitRequests;
  if (limitTokens !== undefined) info.limitTokens = limitTokens;
  if (remainingRequests !== undefined) info.remainingRequests = remainingRequests;
  if (remainingTokens !== undefined) info.remainingTokens = remainingTokens;
  if (resetRequestsMs !== undefined) info.resetRequestsMs = resetRequestsMs;
  if (resetTokensMs !== undefined) info.resetTokensMs = resetTokensMs;
  return info;
}

/**
 * How long a scope should pause after a response with these headers: until the reset of each budget
 * the server says is spent (`remaining` 0 or below; a negative `-1` "unknown" as Azure sometimes sends
 * is ignored). `undefined` when no budget is spent.
 */
export function pauseFromRateLimitHeaders(
  headers: HeaderSource | undefined,
  nowMs: number,
): number | undefined {
  const info = parseRateLimitHeaders(headers, nowMs);
  let pauseMs: number | undefined;
  if (info.remainingRequests === 0 && info.resetRequestsMs !== undefined) pauseMs = info.resetRequestsMs;
  if (info.remainingTokens === 0 && info.resetTokensMs !== undefined) {
    pauseMs = Math.max(pauseMs ?? 0, info.resetTokensMs);
  }
  return pauseMs !== undefined && pauseMs > 0 ? pauseMs : undefined;
}

/**
 * The wait a server asks for, in milliseconds: `retry-after-ms` (OpenAI and Azure), else `retry-after`
 * in seconds or as an HTTP date. `undefined` when neither header is there or readable.
 */
export function parseRetryAfterMs(headers: HeaderSource | undefined, nowMs: number): number | undefined {
  const ms = readHeader(headers, 'retry-after-ms');
  if (ms !== undefined && /^\s*\d+(?:\.\d+)?\s*$/.test(ms)) return Math.ceil(Number(ms));
  const after = readHeader(headers, 'retry-after');
  if (after === undefined) return undefined;
  const text = after.trim();
  if (/^\d+(?:\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}
