import type { ChatCompletion } from '@chatloop/protocol';

/** What the client knows about the HTTP exchange behind a result. */
export interface ResponseMeta {
  /** The server's request id (`x-request-id`, `request-id`, `apim-request-id`, ...), when it sent one. */
  readonly requestId: string | undefined;
  /** The HTTP status of the answer. */
  readonly status: number;
  /** Response headers: lowercase names, multi-values joined with `, `, credentials redacted. */
  readonly headers: Readonly<Record<string, string>>;
  /**
   * Milliseconds from sending the final attempt to the parsed body (`chat`), or to the first chunk
   * (`stream`: time to first chunk).
   */
  readonly latencyMs: number;
  /** Attempts made, the successful one included (1 without retries). */
  readonly attempts: number;
  /** Retries made (`attempts - 1`). */
  readonly retries: number;
  /** Milliseconds spent waiting between attempts (backoff, `retry-after`); 0 without retries. */
  readonly waitedMs: number;
}

/** A completion with its {@link ResponseMeta} under a non-enumerable `meta`, so JSON stays the wire's. */
export type ChatResponse = ChatCompletion & { readonly meta: ResponseMeta };

/** Header names that carry a request id, in order of preference. */
export const REQUEST_ID_HEADERS: readonly string[] = [
  'x-request-id',
  'request-id',
  'apim-request-id',
  'x-amzn-requestid',
  'x-groq-id',
  'cf-ray',
];

/** The request id among lowercase response `headers` ({@link REQUEST_ID_HEADERS}), if any. */
export function requestIdOf(headers: Readonly<Record<string, string | undefined>>): string | undefined {
  for (const name of REQUEST_ID_HEADERS) {
    const value = headers[name];
    if (value !== undefined && value !== '') return value;
  }
  return undefined;
}

/**
 * Attaches `meta` to `value` as a non-enumerable, read-only property and returns it typed as such.
 * `JSON.stringify(value)` is unchanged by it.
 */
export function withMeta<T extends object>(
  value: T,
  meta: ResponseMeta,
): T & { readonly meta: ResponseMeta } {
  Object.defineProperty(value, 'meta', {
    value: meta,
    enumerable: false,
    configurable: true,
    writable: false,
  });
  return value as T & { readonly meta: ResponseMeta };
}
