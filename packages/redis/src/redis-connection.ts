import { ChatloopError, errorGuard } from '@chatloop/protocol';
import { Redis, type RedisOptions } from 'ioredis';

/** Defaults of {@link connectRedis}. */
export const REDIS_CONNECTION_DEFAULTS = {
  /** A command that gets no answer within this many milliseconds fails with {@link BackendUnavailableError}. */
  commandTimeoutMs: 2_000,
  /** How long the first connection may take, in milliseconds. */
  connectTimeoutMs: 2_000,
  /** Longest pause between reconnection attempts while Redis is down, in milliseconds. */
  maxReconnectDelayMs: 500,
  /** The prefix of every key chatloop writes. */
  keyPrefix: 'chatloop:',
} as const;

/** Options of {@link connectRedis}. */
export interface RedisConnectionOptions {
  /** See {@link REDIS_CONNECTION_DEFAULTS.commandTimeoutMs}. */
  commandTimeoutMs?: number;
  /** See {@link REDIS_CONNECTION_DEFAULTS.connectTimeoutMs}. */
  connectTimeoutMs?: number;
  /** See {@link REDIS_CONNECTION_DEFAULTS.maxReconnectDelayMs}. */
  maxReconnectDelayMs?: number;
  /**
   * Connection name shown by `CLIENT LIST` (helps when debugging a fleet). Never put a secret here.
   */
  connectionName?: string;
  /**
   * Blocking connections (BullMQ workers) must never time out a command or give up on one: they get
   * `maxRetriesPerRequest: null` and no command timeout.
   */
  blocking?: boolean;
}

/**
 * Redis is down, unreachable or not answering in time. Raised quickly (within the command timeout),
 * never a hang. Operations can be retried once Redis is back; the connection reconnects by itself.
 */
export class BackendUnavailableError extends ChatloopError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('backend_unavailable', message, options);
  }
}

/** True for a {@link BackendUnavailableError} from any copy of the package. */
export const isBackendUnavailableError = errorGuard<BackendUnavailableError>('backend_unavailable');

/**
 * Opens an ioredis connection tuned for chatloop: commands fail fast with a typed error while Redis is
 * down (no offline queue, a command timeout), and the connection keeps reconnecting in the background
 * so work resumes when Redis comes back. Resolves once connected.
 *
 * The URL may carry a password; it never appears in an error chatloop raises (see
 * {@link redactRedisUrl}).
 *
 * @throws {@link BackendUnavailableError} when the first connection fails.
 */
export async function connectRedis(url: string, options: RedisConnectionOptions = {}): Promise<Redis> {
  const redis = new Redis(url, redisOptions(options));
  // ioredis reports every failed reconnection as an 'error' event; callers see typed errors from the
  // commands themselves, so the event must not crash the process.
  redis.on('error', () => undefined);
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw new BackendUnavailableError(
      `cannot connect to Redis at ${redactRedisUrl(url)}: ${messageOf(error)}`,
      {
        cause: error,
      },
    );
  }
  return redis;
}

/** The ioredis options {@link connectRedis} uses; exported for BullMQ connections built elsewhere. */
export function redisOptions(options: RedisConnectionOptions = {}): RedisOptions {
  const maxDelay = options.maxReconnectDelayMs ?? REDIS_CONNECTION_DEFAULTS.maxReconnectDelayMs;
  return {
    lazyConnect: true,
    enableOfflineQueue: options.blocking === true,
    maxRetriesPerRequest: options.blocking ? null : 0,
    commandTimeout: options.blocking
      ? undefined
      : (options.commandTimeoutMs ?? REDIS_CONNECTION_DEFAULTS.commandTimeoutMs),
    connectTimeout: options.connectTimeoutMs ?? REDIS_CONNECTION_DEFAULTS.connectTimeoutMs,
    retryStrategy: (attempt: number) => Math.min(50 * attempt, maxDelay),
    connectionName: options.connectionName,
  };
}

/**
 * Runs one Redis operation and turns connection-level failures (closed connection, timeout, refused)
 * into {@link BackendUnavailableError}. Errors Redis itself answers (a Lua error, WRONGTYPE) pass through.
 */
export async function withBackend<T>(what: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (isConnectionFailure(error)) {
      throw new BackendUnavailableError(`Redis is unavailable (${what}): ${messageOf(error)}`, {
        cause: error,
      });
    }
    throw error;
  }
}

/**
 * True for a failure of the connection itself (closed, refused, timed out, not writable), false for an
 * error Redis answered (a Lua error, WRONGTYPE), except those that mean the server is not serving yet.
 */
export function isConnectionFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'ReplyError') return /^(LOADING|MASTERDOWN|BUSY)/.test(error.message);
  return true;
}

/** `redis://user:secret@host:6379/0` -> `redis://user:***@host:6379/0`. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'redis://<unparseable url>';
  }
}

function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\/\/([^:@/]*):[^@/]*@/g, '//$1:***@');
}
