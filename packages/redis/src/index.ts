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
  LimiterAbortError,
  REDIS_LIMITER_DEFAULTS,
  type RedisAcquireRequest,
  RedisLimiter,
  type RedisLimiterOptions,
  type RedisPermit,
  type ScopeLimits,
  type ScopeState,
} from './redis-limiter.js';
export { RedisScript } from './redis-script.js';
export {
  hasRedisServer,
  REDIS_SERVER_DEFAULTS,
  type RedisServerOptions,
  type RedisServerProcess,
  RedisServerStartError,
  startRedisServer,
} from './redis-server-process.js';
