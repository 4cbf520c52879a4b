export type { ChatStreamSource } from './chat-stream.js';
export { ChatStream } from './chat-stream.js';
export type { ChatClient, ClientOptions, RequestOptions } from './client.js';
export { CLIENT_DEFAULTS, createClient } from './client.js';
export type { UsageSnapshot } from './client-usage.js';
export { ClientUsage } from './client-usage.js';
export type { ErrorResponse } from './error-from-response.js';
export { ERROR_SNIPPET_CHARS, errorFromResponse } from './error-from-response.js';
export type {
  APIErrorOptions,
  ClientErrorOptions,
  RateLimitErrorOptions,
  StreamInterruptedErrorOptions,
  TimeoutErrorOptions,
  TimeoutKind,
} from './errors.js';
export {
  AbortError,
  APIConnectionError,
  APIError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  ContextLengthError,
  InsufficientQuotaError,
  InternalServerError,
  isAbortError,
  isAPIConnectionError,
  isAPIError,
  isAuthenticationError,
  isBadRequestError,
  isConflictError,
  isContextLengthError,
  isInsufficientQuotaError,
  isInternalServerError,
  isNotFoundError,
  isPermissionDeniedError,
  isRateLimitError,
  isStreamInterruptedError,
  isTimeoutError,
  isUnprocessableEntityError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  StreamInterruptedError,
  TimeoutError,
  UnprocessableEntityError,
} from './errors.js';
export type { EventBus, MemoryEventBusOptions, SubscribeOptions } from './event-bus.js';
export { createMemoryEventBus, isRunFinishedEvent } from './event-bus.js';
export type { FetchFunction } from './fetch-transport.js';
export { createFetchTransport } from './fetch-transport.js';
export type { HttpSendConfig } from './http-send.js';
export { createHttpSend } from './http-send.js';
export type {
  InProcessLimiter,
  InProcessLimiterOptions,
  Limiter,
  LimiterAcquireOptions,
  LimiterLimits,
  LimiterScopeStats,
  Permit,
} from './limiter.js';
export { createLimiter, DEFAULT_LIMITER_LIMITS } from './limiter.js';
export {
  isLimiterCapacityError,
  isQueueFullError,
  isQueueTimeoutError,
  LimiterCapacityError,
  QueueFullError,
  QueueTimeoutError,
} from './limiter-errors.js';
export type { LimiterMiddlewareOptions, LimiterPauseEvent } from './limiter-middleware.js';
export { createLimiterMiddleware } from './limiter-middleware.js';
export { CREDENTIAL_HEADERS, REDACTED, redactHeaders, redactSecrets } from './redact.js';
export type { ChatResponse, ResponseMeta } from './response-meta.js';
export { REQUEST_ID_HEADERS, requestIdOf, withMeta } from './response-meta.js';
export type { RetryMiddlewareOptions } from './retry-middleware.js';
export { createRetryMiddleware } from './retry-middleware.js';
export type {
  MemoryRunQueueOptions,
  RunJob,
  RunJobContext,
  RunOutcome,
  RunQueue,
  RunWorker,
  WorkOptions,
} from './run-queue.js';
export {
  createMemoryRunQueue,
  MEMORY_RUN_QUEUE_DEFAULTS,
  RunFailedError,
  RunWaitTimeoutError,
} from './run-queue.js';
export type {
  ChatSendResult,
  SendFunction,
  SendMiddleware,
  SendRequest,
  SendResult,
  StreamSendResult,
} from './send.js';
export type {
  Transport,
  TransportBody,
  TransportRequest,
  TransportResponse,
  TransportSignal,
} from './transport.js';
export { toAbortSignal } from './transport.js';
export type { UndiciTransportOptions } from './undici-transport.js';
export { createUndiciTransport, UNDICI_TRANSPORT_DEFAULTS } from './undici-transport.js';
export type { LedgerTotals, LedgerUsage, UsageLedger } from './usage-ledger.js';
export { createMemoryUsageLedger, emptyLedgerTotals } from './usage-ledger.js';
