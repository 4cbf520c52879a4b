export type { BlockedAddressErrorOptions } from './blocked-address-error.js';
export { BlockedAddressError, isBlockedAddressError } from './blocked-address-error.js';
export type { ChatStreamSource } from './chat-stream.js';
export { ChatStream } from './chat-stream.js';
export type {
  CircuitBreaker,
  CircuitBreakerOptions,
  CircuitBreakerSnapshot,
  CircuitState,
} from './circuit-breaker.js';
export { createCircuitBreaker, DEFAULT_CIRCUIT_BREAKER_OPTIONS } from './circuit-breaker.js';
export type { ChatClient, ClientOptions, RequestOptions } from './client.js';
export { CLIENT_DEFAULTS, createClient } from './client.js';
export type { ResilienceEvent, ResilienceOptions, ResolvedConnection } from './client-resilience.js';
export { resilienceMiddleware, resolveConnection } from './client-resilience.js';
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
export { estimateRequestTokens, TOKEN_ESTIMATE_DEFAULTS } from './estimate-request-tokens.js';
export type { EventBus, MemoryEventBusOptions, SubscribeOptions } from './event-bus.js';
export { createMemoryEventBus, isRunFinishedEvent } from './event-bus.js';
export type { FetchFunction } from './fetch-transport.js';
export { createFetchTransport } from './fetch-transport.js';
export type { HttpSendConfig } from './http-send.js';
export { createHttpSend, MAX_ERROR_BODY_BYTES } from './http-send.js';
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
export type { AddressKind, BlockedAddressKind } from './network-address.js';
export { classifyAddress } from './network-address.js';
export type { RewriteEvent } from './provider-middleware.js';
export { createProviderMiddleware } from './provider-middleware.js';
export { AZURE_DEFAULT_API_VERSION } from './providers/azure.js';
export { DEEPSEEK_MODEL_ALIASES, isDeepSeekThinking } from './providers/deepseek.js';
export type {
  AuthStyle,
  ProviderCapabilities,
  ProviderEndpoint,
  ProviderName,
  ProviderOptions,
  ProviderPreset,
  RewriteChange,
  RewriteResult,
} from './providers/provider-preset.js';
export { getProviderPreset, isProviderName, PROVIDER_PRESETS } from './providers/provider-registry.js';
export { isOpenAIReasoningModel } from './providers/request-rewrites.js';
export { isUnsupportedRequestError, UnsupportedRequestError } from './providers/unsupported-request-error.js';
export type { HeaderSource, RateLimitInfo } from './rate-limit-headers.js';
export {
  parseRateLimitHeaders,
  parseResetMs,
  parseRetryAfterMs,
  pauseFromRateLimitHeaders,
  readHeader,
} from './rate-limit-headers.js';
export { CREDENTIAL_HEADERS, REDACTED, redactHeaders, redactSecrets } from './redact.js';
export type { ChatResponse, ResponseMeta } from './response-meta.js';
export { REQUEST_ID_HEADERS, requestIdOf, withMeta } from './response-meta.js';
export type { RetryMiddlewareOptions } from './retry-middleware.js';
export { abortErrorOf, createRetryMiddleware } from './retry-middleware.js';
export type {
  FailureClass,
  JitterMode,
  PlanRetryInput,
  ResolvedRetryOptions,
  RetryOptions,
  RetryPlan,
} from './retry-policy.js';
export {
  backoffDelayMs,
  classifyFailure,
  DEFAULT_RETRY_OPTIONS,
  NEVER_RETRIED_ERROR_CODES,
  planRetry,
  RETRYABLE_ERROR_CODES,
  RETRYABLE_STATUSES,
  resolveRetryOptions,
  serverRetryAfterMs,
} from './retry-policy.js';
export type {
  FallbackCause,
  Router,
  RouterEvent,
  RouterOptions,
  RouterRequestOptions,
  RouterStrategy,
  RouterStream,
  RouterTarget,
  TargetHealth,
} from './router.js';
export {
  createRouter,
  fallbackCauseOf,
  isNoHealthyTargetError,
  NoHealthyTargetError,
  ROUTER_DEFAULTS,
} from './router.js';
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
export type { SafeFetch, SafeFetchConnectOptions, SafeFetchOptions } from './safe-fetch.js';
export { createSafeFetch, SAFE_FETCH_DEFAULTS } from './safe-fetch.js';
export type {
  ChatSendResult,
  SendFunction,
  SendMiddleware,
  SendRequest,
  SendResult,
  StreamChunks,
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
export type { UsageCounts, UsageLabels, UsageTotals, UsageTotalsSnapshot } from './usage-totals.js';
export { createUsageTotals, emptyUsageCounts, usageCountsOf } from './usage-totals.js';
export type { AttemptContext, RetryEvent, RetryStats, Sleep, WithRetriesOptions } from './with-retries.js';
export { attachRetryStats, defaultSleep, retryStatsOf, withRetries } from './with-retries.js';
