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
export { RedisScript } from './redis-script.js';
export {
  hasRedisServer,
  REDIS_SERVER_DEFAULTS,
  type RedisServerOptions,
  type RedisServerProcess,
  RedisServerStartError,
  startRedisServer,
} from './redis-server-process.js';
