import { STATUS_CODES } from 'node:http';
import { isApiErrorBody, safeJsonParse } from '@chatloop/protocol';
import {
  APIError,
  type APIErrorOptions,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  ContextLengthError,
  InsufficientQuotaError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  UnprocessableEntityError,
} from './errors.js';
import { parseRetryAfterMs } from './rate-limit-headers.js';
import { redactSecrets } from './redact.js';
import { requestIdOf } from './response-meta.js';

/** An HTTP error answer, as read by the client. */
export interface ErrorResponse {
  /** The HTTP status (>= 400). */
  status: number;
  /** Lowercase response headers, credentials already redacted. */
  headers: Readonly<Record<string, string>>;
  /** The body text, whatever it is. */
  bodyText: string;
  /** Strings that must not appear in the error (the API key); replaced by `[redacted]`. */
  secrets: readonly string[];
  /** Wall clock in epoch milliseconds, for `retry-after` HTTP dates. Default `Date.now`. */
  now?: () => number;
}

/** Longest body snippet an error message quotes, in characters. */
export const ERROR_SNIPPET_CHARS = 200;

const contextLengthWording =
  /context[ _-]?length|context window|context size|maximum context|prompt is too long|input is too long|too many tokens|reduce the length of the (?:messages|prompt)|exceeds the maximum number of tokens/i;

/**
 * Turns an HTTP error answer into the typed {@link APIError} subclass for its status: 400 (or a
 * context-length 400/413 as {@link ContextLengthError}), 401, 403, 404, 409, 422, 429
 * ({@link InsufficientQuotaError} for `insufficient_quota`), 5xx. A body that is not an OpenAI-style
 * error (HTML from a gateway, plain text, `{"detail": ...}`) still gives a clear message with a short,
 * key-free snippet.
 */
export function errorFromResponse(response: ErrorResponse): APIError {
  const { status, headers } = response;
  const text = redactSecrets(response.bodyText, response.secrets);
  const requestId = requestIdOf(headers);
  let parsed: unknown;
  try {
    parsed = text.length === 0 ? undefined : safeJsonParse(text);
  } catch {
    parsed = undefined;
  }
  const options: APIErrorOptions = { status, headers, requestId };
  let detail: string;
  if (isApiErrorBody(parsed)) {
    const error = parsed.error;
    detail = error.message;
    options.apiCode = error.code === null || error.code === undefined ? undefined : String(error.code);
    options.type = typeof error.type === 'string' ? error.type : undefined;
    options.param = typeof error.param === 'string' ? error.param : undefined;
    options.body = parsed;
  } else if (parsed !== undefined && typeof parsed === 'object' && parsed !== null) {
    detail = looseMessage(parsed) ?? `the error body had no message: ${snippet(text)}`;
    options.body = parsed;
  } else {
    const type = headers['content-type'];
    detail =
      text.length === 0
        ? 'the server sent no error body'
        : `the server answered with a non-JSON body${type === undefined ? '' : ` (${type})`}: ${snippet(text)}`;
    options.body = text.length === 0 ? undefined : snippet(text);
  }
  const message =
    `${status} ${STATUS_CODES[status] ?? 'Error'}: ${detail}` +
    (requestId === undefined ? '' : ` (request id ${requestId})`);

  if (
    options.apiCode === 'context_length_exceeded' ||
    ((status === 400 || status === 413) && contextLengthWording.test(detail))
  ) {
    return new ContextLengthError(message, options);
  }
  if (options.apiCode === 'insufficient_quota' || options.type === 'insufficient_quota') {
    return new InsufficientQuotaError(message, options);
  }
  switch (status) {
    case 400:
      return new BadRequestError(message, options);
    case 401:
      return new AuthenticationError(message, options);
    case 403:
      return new PermissionDeniedError(message, options);
    case 404:
      return new NotFoundError(message, options);
    case 409:
      return new ConflictError(message, options);
    case 422:
      return new UnprocessableEntityError(message, options);
    case 429:
      return new RateLimitError(message, {
        ...options,
        retryAfterMs: parseRetryAfterMs(headers, (response.now ?? Date.now)()),
      });
    default:
      return status >= 500 ? new InternalServerError(message, options) : new APIError(message, options);
  }
}

/** A single-line, bounded quote of a body. */
function snippet(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(line.length > ERROR_SNIPPET_CHARS ? `${line.slice(0, ERROR_SNIPPET_CHARS)}…` : line);
}

/** The message of non-OpenAI error shapes: `{error: "..."}` (Ollama), `{detail}` (FastAPI), `{message}`. */
function looseMessage(body: object): string | undefined {
  const record = body as Record<string, unknown>;
  for (const key of ['error', 'detail', 'message']) {
    const value = record[key];
    if (typeof value === 'string' && value !== '') return value;
    if (
      typeof value === 'object' &&
      value !== null &&
      typeof (value as { message?: unknown }).message === 'string'
    ) {
      return (value as { message: string }).message;
    }
  }
  return undefined;
}
