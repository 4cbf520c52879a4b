export {
  type AgentFactory,
  type AgentFactoryContext,
  type AgentRunInput,
  type AgentRunSummary,
  type AgentRuns,
  type AgentRunsOptions,
  createAgentRuns,
  type RegisteredAgent,
  type SubmitOptions,
  UnknownAgentError,
} from './agent-runs.js';
export { type Backend, type BackendOptions, createBackend } from './backend.js';
export { type BatchKeys, batchKeys } from './batch-keys.js';
export { RedisBatchJournal, type RedisBatchJournalOptions } from './redis-batch-journal.js';
export {
  BackendUnavailableError,
  connectRedis,
  isBackendUnavailableError,
  REDIS_CONNECTION_DEFAULTS,
  type RedisConnectionOptions,
  redactRedisUrl,
  redisOptions,
  withBackend,
} from './redis-connection.js';
export {
  REDIS_EVENT_BUS_DEFAULTS,
  RedisEventBus,
  type RedisEventBusOptions,
} from './redis-event-bus.js';
export {
  createRedisExtractBackend,
  type RedisExtractBackend,
  type RedisExtractBackendOptions,
} from './redis-extract-backend.js';
export {
  REDIS_LIMITER_DEFAULTS,
  RedisLimiter,
  type RedisLimiterOptions,
  type RedisPermit,
  type ScopeState,
} from './redis-limiter.js';
export { REDIS_RUN_QUEUE_DEFAULTS, RedisRunQueue, type RedisRunQueueOptions } from './redis-run-queue.js';
export { REDIS_RUN_STORE_DEFAULTS, RedisRunStore, type RedisRunStoreOptions } from './redis-run-store.js';
export { RedisScript } from './redis-script.js';
export {
  hasRedisServer,
  REDIS_SERVER_DEFAULTS,
  type RedisServerOptions,
  type RedisServerProcess,
  RedisServerStartError,
  startRedisServer,
} from './redis-server-process.js';
export { RedisUsageLedger } from './redis-usage-ledger.js';
export { REDIS_WORK_QUEUE_DEFAULTS, RedisWorkQueue, type RedisWorkQueueOptions } from './redis-work-queue.js';
