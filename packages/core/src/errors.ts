import { ChatloopError, type ChatloopErrorOptions, errorGuard } from '@chatloop/protocol';

/** Options of every error the client throws: the cause, and how many attempts were made. */
export interface ClientErrorOptions extends ChatloopErrorOptions {
  /** Attempts made before this error was thrown (1 when there was no retry). Default 1. */
  attempts?: number;
}

/** Options of an {@link APIError}: what the server answered. */
export interface APIErrorOptions extends ClientErrorOptions {
  /** The HTTP status of the response. */
  status: number;
  /** The provider's `error.code` (e.g. `rate_limit_exceeded`), when the body had one. */
  apiCode?: string | undefined;
  /** The provider's `error.type` (e.g. `invalid_request_error`). */
  type?: string | undefined;
  /** The provider's `error.param`: the request field at fault, when named. */
  param?: string | undefined;
  /** The request id the server gave (`x-request-id` and equivalents). */
  requestId?: string | undefined;
  /** The response headers, lowercase names (credentials redacted). */
  headers?: Readonly<Record<string, string>>;
  /** The parsed error body (key-redacted), or the body's text snippet when it was not JSON. */
  body?: unknown;
}

/**
 * The server answered with an HTTP error status. `code` is chatloop's stable code (e.g. `rate_limit`);
 * the provider's own `error.code` is in `apiCode`. Subclasses exist per status; an unlisted status
 * (e.g. 408, 413) is a plain `APIError`.
 */
export class APIError extends ChatloopError {
  /** The HTTP status. */
  readonly status: number;
  /** The provider's `error.code`, when given. */
  readonly apiCode: string | undefined;
  /** The provider's `error.type`, when given. */
  readonly type: string | undefined;
  /** The provider's `error.param`, when given. */
  readonly param: string | undefined;
  /** The server's request id, when given. */
  readonly requestId: string | undefined;
  /** Response headers (lowercase names, credentials redacted). */
  readonly headers: Readonly<Record<string, string>>;
  /** The parsed error body, or a short snippet of a non-JSON body. */
  readonly body: unknown;
  /** Attempts made in all (set by the retry layer; 1 without retries). */
  attempts: number;

  constructor(message: string, options: APIErrorOptions, code = 'api_error') {
    super(code, message, options);
    this.status = options.status;
    this.apiCode = options.apiCode;
    this.type = options.type;
    this.param = options.param;
    this.requestId = options.requestId;
    this.headers = options.headers ?? {};
    this.body = options.body;
    this.attempts = options.attempts ?? 1;
  }

  /** The serializable view: the base fields plus status, provider code/type/param, request id, attempts. */
  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      status: this.status,
      apiCode: this.apiCode,
      type: this.type,
      param: this.param,
      requestId: this.requestId,
      attempts: this.attempts,
    };
  }
}

/** 400: the request was malformed or rejected (not retried). */
export class BadRequestError extends APIError {
  constructor(message: string, options: APIErrorOptions, code = 'bad_request') {
    super(message, options, code);
  }
}

/**
 * The prompt does not fit the model's context window: a 400 (or 413) whose `error.code` is
 * `context_length_exceeded` or whose message uses the wording providers use ("maximum context length",
 * "context window", "prompt is too long", ...). Recover by shortening the conversation or by a model
 * with a larger window.
 */
export class ContextLengthError extends BadRequestError {
  constructor(message: string, options: APIErrorOptions) {
    super(message, options, 'context_length_exceeded');
  }
}

/** 401: the API key is missing, wrong or revoked. */
export class AuthenticationError extends APIError {
  constructor(message: string, options: APIErrorOptions) {
    super(message, options, 'authentication');
  }
}

/** 403: the key may not use this model, region or feature. */
export class PermissionDeniedError extends APIError {
  constructor(message: string, options: APIErrorOptions) {
    super(message, options, 'permission_denied');
  }
}

/** 404: unknown model, deployment or path (check `baseURL` and `model`). */
export class NotFoundError extends APIError {
  constructor(message: string, options: APIErrorOptions) {
    super(message, options, 'not_found');
  }
}

/** 409: a conflicting request (retryable by policy). */
export class ConflictError extends APIError {
  constructor(message: string, options: APIErrorOptions) {
    super(message, options, 'conflict');
  }
}

/** 422: the request was well-formed JSON but semantically invalid. */
export class UnprocessableEntityError extends APIError {
  constructor(message: string, options: APIErrorOptions) {
    super(message, options, 'unprocessable_entity');
  }
}

/** Options of a {@link RateLimitError}. */
export interface RateLimitErrorOptions extends APIErrorOptions {
  /** How long the server asked to wait, in milliseconds (`retry-after-ms` / `retry-after`), if it said. */
  retryAfterMs?: number | undefined;
}

/** 429: a rate limit was hit; wait `retryAfterMs` (when the server said) and try again. */
export class RateLimitError extends APIError {
  /** The wait the server asked for, in milliseconds, when it said. */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: RateLimitErrorOptions) {
    super(message, options, 'rate_limit');
    this.retryAfterMs = options.retryAfterMs;
  }

  /** The serializable view, with `retryAfterMs`. */
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), retryAfterMs: this.retryAfterMs };
  }
}

/**
 * 429 with `insufficient_quota`: the account is out of credit. Not a rate limit: waiting cannot help,
 * so it is never retried.
 */
export class InsufficientQuotaError extends APIError {
  constructor(message: string, options: APIErrorOptions) {
    super(message, options, 'insufficient_quota');
  }
}

/** 5xx: the server (or a gateway before it) failed. Retryable by policy. */
export class InternalServerError extends APIError {
  constructor(message: string, options: APIErrorOptions) {
    super(message, options, 'internal_server');
  }
}

/** No HTTP response arrived: refused connection, DNS failure, reset socket. Retryable by policy. */
export class APIConnectionError extends ChatloopError {
  /** Attempts made in all. */
  attempts: number;

  constructor(message: string, options: ClientErrorOptions = {}) {
    super('api_connection', message, options);
    this.attempts = options.attempts ?? 1;
  }
}

/** Which deadline a {@link TimeoutError} reports. */
export type TimeoutKind = 'total' | 'idle';

/** Options of a {@link TimeoutError}. */
export interface TimeoutErrorOptions extends ClientErrorOptions {
  /** `total`: the whole request's deadline; `idle`: the longest silence allowed between stream reads. */
  kind: TimeoutKind;
  /** The deadline that passed, in milliseconds. */
  timeoutMs: number;
}

/** A deadline passed: the whole request (`kind: 'total'`) or the silence between stream reads (`idle`). */
export class TimeoutError extends ChatloopError {
  /** Which deadline passed. */
  readonly kind: TimeoutKind;
  /** The deadline, in milliseconds. */
  readonly timeoutMs: number;
  /** Attempts made in all. */
  attempts: number;

  constructor(message: string, options: TimeoutErrorOptions) {
    super('timeout', message, options);
    this.kind = options.kind;
    this.timeoutMs = options.timeoutMs;
    this.attempts = options.attempts ?? 1;
  }

  /** The serializable view, with the kind and the deadline. */
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), kind: this.kind, timeoutMs: this.timeoutMs, attempts: this.attempts };
  }
}

/** The caller aborted (an `AbortSignal`, `ChatStream.abort()`, or breaking out of a stream loop). */
export class AbortError extends ChatloopError {
  constructor(message = 'The request was aborted.', options: ChatloopErrorOptions = {}) {
    super('aborted', message, options);
  }
}

/** Options of a {@link StreamInterruptedError}. */
export interface StreamInterruptedErrorOptions extends ClientErrorOptions {
  /** The content text that reached the caller before the interruption. */
  partialText: string;
}

/**
 * A stream broke after chunks had reached the caller, so it cannot be retried silently. `partialText`
 * holds the content received; the `cause` tells what broke.
 */
export class StreamInterruptedError extends ChatloopError {
  /** Content text received before the interruption. */
  readonly partialText: string;
  /** Attempts made in all. */
  attempts: number;

  constructor(message: string, options: StreamInterruptedErrorOptions) {
    super('stream_interrupted', message, options);
    this.partialText = options.partialText;
    this.attempts = options.attempts ?? 1;
  }
}

/** True for any HTTP error answer ({@link APIError} and its subclasses). */
export const isAPIError = errorGuard<APIError>(
  'api_error',
  'bad_request',
  'context_length_exceeded',
  'authentication',
  'permission_denied',
  'not_found',
  'conflict',
  'unprocessable_entity',
  'rate_limit',
  'insufficient_quota',
  'internal_server',
);
/** True for a 400 {@link BadRequestError}, including {@link ContextLengthError}. */
export const isBadRequestError = errorGuard<BadRequestError>('bad_request', 'context_length_exceeded');
/** True for a {@link ContextLengthError}. */
export const isContextLengthError = errorGuard<ContextLengthError>('context_length_exceeded');
/** True for a 401 {@link AuthenticationError}. */
export const isAuthenticationError = errorGuard<AuthenticationError>('authentication');
/** True for a 403 {@link PermissionDeniedError}. */
export const isPermissionDeniedError = errorGuard<PermissionDeniedError>('permission_denied');
/** True for a 404 {@link NotFoundError}. */
export const isNotFoundError = errorGuard<NotFoundError>('not_found');
/** True for a 409 {@link ConflictError}. */
export const isConflictError = errorGuard<ConflictError>('conflict');
/** True for a 422 {@link UnprocessableEntityError}. */
export const isUnprocessableEntityError = errorGuard<UnprocessableEntityError>('unprocessable_entity');
/** True for a 429 {@link RateLimitError} (not for {@link InsufficientQuotaError}). */
export const isRateLimitError = errorGuard<RateLimitError>('rate_limit');
/** True for an {@link InsufficientQuotaError}. */
export const isInsufficientQuotaError = errorGuard<InsufficientQuotaError>('insufficient_quota');
/** True for a 5xx {@link InternalServerError}. */
export const isInternalServerError = errorGuard<InternalServerError>('internal_server');
/** True for an {@link APIConnectionError}. */
export const isAPIConnectionError = errorGuard<APIConnectionError>('api_connection');
/** True for a {@link TimeoutError}. */
export const isTimeoutError = errorGuard<TimeoutError>('timeout');
/** True for an {@link AbortError}. */
export const isAbortError = errorGuard<AbortError>('aborted');
/** True for a {@link StreamInterruptedError}. */
export const isStreamInterruptedError = errorGuard<StreamInterruptedError>('stream_interrupted');
