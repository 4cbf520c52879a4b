export type { SseStyle, StreamOutcome, WriteOptions } from './answer-writer.js';
export { writeEarlyFault, writePlain, writeStream } from './answer-writer.js';
export type { ApiErrorFields, ApiErrorResponse } from './api-error.js';
export { apiError } from './api-error.js';
export { checkBearer } from './bearer-auth.js';
export type { Cassette, CassetteExchange } from './cassette.js';
export {
  CassetteError,
  canonicalJson,
  DEFAULT_IGNORED_FIELDS,
  emptyCassette,
  exchangeKey,
  KEPT_RESPONSE_HEADERS,
  keptHeaders,
  loadCassette,
  saveCassette,
} from './cassette.js';
export type { ProxyExchange, RecordOptions, ReplayOptions } from './cassette-proxy.js';
export { CassetteRecorder, CassetteReplayer, usageOf } from './cassette-proxy.js';
export type { CliConfig } from './cli-options.js';
export { CLI_DEFAULTS, CLI_USAGE, CliUsageError, parseCliArgs } from './cli-options.js';
export type { Fault, FaultContext, FaultPlan, FaultTiming } from './faults.js';
export {
  DEFAULT_FAULT_POOL,
  FAULT_HEADER,
  FAULT_KINDS,
  FaultPicker,
  parseFaultHeader,
  seededRandom,
} from './faults.js';
export type { Admission, RateLimitOptions } from './rate-limit.js';
export { formatResetDuration, RATE_LIMIT_DEFAULTS, RateLimiter } from './rate-limit.js';
export type { ReplyMeta, ResolvedReply, ResolveReplyOptions } from './reply-builder.js';
export { resolveReply, STREAM_DEFAULTS, splitText, toChunks, toCompletion } from './reply-builder.js';
export type { RecordedRequest } from './request-log.js';
export { REDACTED_HEADERS, readBody, redactHeaders } from './request-log.js';
export type { ScriptOptions } from './script-file.js';
export { loadScript, parseScript, ScriptFileError } from './script-file.js';
export type {
  ScriptedModel,
  ScriptedModelOptions,
  ScriptedToolCall,
  ScriptedTurn,
  Turn,
  TurnContext,
  TurnMatcher,
} from './scripted-model.js';
export { echoModel, matchesTurn, ScriptExhaustedError, scriptedModel } from './scripted-model.js';
export type { ServerOptions, TestServer } from './server.js';
export { SERVER_DEFAULTS, startServer } from './server.js';
export { contentText, countPromptTokens, countTextTokens, TOKEN_COUNT_DEFAULTS } from './token-count.js';
export type { LedgerEntry } from './usage-ledger.js';
export { UsageLedger } from './usage-ledger.js';
export type {
  ServerProfile,
  ValidateRequestOptions,
  ValidationModelInfo,
  ValidationResult,
} from './validate-request.js';
export { TOOL_NAME_MAX_LENGTH, TOOL_NAME_PATTERN, VALID_ROLES, validateRequest } from './validate-request.js';
