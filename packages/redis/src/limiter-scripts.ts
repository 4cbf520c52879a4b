import { RedisScript } from './redis-script.js';

// Keys of one limiter scope (all share a `{scope}` hash tag so they live in one cluster slot):
//   KEYS[1] requests  ZSET  permit id -> time it was granted (ms)           sliding RPM window
//   KEYS[2] tokens    ZSET  permit id -> time it was granted (ms)           sliding TPM window
//   KEYS[3] amounts   HASH  permit id -> tokens counted for it (estimate, then actual)
//   KEYS[4] total     STRING sum of `amounts` still inside the window
//   KEYS[5] leases    ZSET  permit id -> lease expiry (ms)                  concurrency
//   KEYS[6] paused    STRING paused-until (ms), set from retry-after and x-ratelimit-* headers
// Time comes from the Redis server (`TIME`), so every process shares one clock.

const prelude = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

// Drops everything that left the window, and expired leases (a crashed worker's lease frees itself).
const expire = `
local function expire(window)
  local cutoff = now - window
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', cutoff)
  local old = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', cutoff)
  if #old > 0 then
    local freed = 0
    for i = 1, #old, 500 do
      local last = math.min(i + 499, #old)
      local amounts = redis.call('HMGET', KEYS[3], unpack(old, i, last))
      for _, amount in ipairs(amounts) do freed = freed + (tonumber(amount) or 0) end
      redis.call('HDEL', KEYS[3], unpack(old, i, last))
    end
    redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', cutoff)
    redis.call('DECRBY', KEYS[4], freed)
  end
  redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now)
end
`;

/**
 * Acquire: ARGV = permit id, requests, tokens, rpm, tpm, max concurrent, lease ms, window ms
 * (0 = no limit). Replies `{1, 0, now}` when granted, `{0, waitMs}` when not (`waitMs` -1: wait for a
 * lease to be released).
 */
export const acquireScript = new RedisScript(`${prelude}${expire}
local id = ARGV[1]
local requests = tonumber(ARGV[2])
local tokens = tonumber(ARGV[3])
local rpm = tonumber(ARGV[4])
local tpm = tonumber(ARGV[5])
local maxConcurrent = tonumber(ARGV[6])
local leaseMs = tonumber(ARGV[7])
local window = tonumber(ARGV[8])

local pausedUntil = tonumber(redis.call('GET', KEYS[6]) or '0')
if pausedUntil > now then return {0, pausedUntil - now} end

expire(window)

if maxConcurrent > 0 and redis.call('ZCARD', KEYS[5]) >= maxConcurrent then
  local first = redis.call('ZRANGE', KEYS[5], 0, 0, 'WITHSCORES')
  return {0, -1, tonumber(first[2]) - now}
end

if rpm > 0 then
  local used = redis.call('ZCARD', KEYS[1])
  if used > 0 and used + requests > rpm then
    local oldest = redis.call('ZRANGE', KEYS[1], used + requests - rpm - 1, used + requests - rpm - 1, 'WITHSCORES')
    return {0, math.max(1, tonumber(oldest[2]) + window - now + 1)}
  end
end

if tpm > 0 and tokens > 0 then
  local used = tonumber(redis.call('GET', KEYS[4]) or '0')
  if used > 0 and used + tokens > tpm then
    local need = used + tokens - tpm
    local entries = redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES')
    for i = 1, #entries, 2 do
      need = need - (tonumber(redis.call('HGET', KEYS[3], entries[i]) or '0'))
      if need <= 0 then return {0, math.max(1, tonumber(entries[i + 1]) + window - now + 1)} end
    end
    return {0, window}
  end
end

for i = 1, requests do redis.call('ZADD', KEYS[1], now, id .. ':' .. i) end
redis.call('ZADD', KEYS[2], now, id)
redis.call('HSET', KEYS[3], id, tokens)
redis.call('INCRBY', KEYS[4], tokens)
if maxConcurrent > 0 then redis.call('ZADD', KEYS[5], now + leaseMs, id) end
local keep = window * 2
for k = 1, 5 do redis.call('PEXPIRE', KEYS[k], keep) end
return {1, 0, now}
`);

/**
 * Settle: ARGV = permit id, actual tokens. Replaces the estimate with what was used, if the permit
 * is still inside the window.
 */
export const settleScript = new RedisScript(`
local id = ARGV[1]
local actual = tonumber(ARGV[2])
local counted = redis.call('HGET', KEYS[3], id)
if not counted then return 0 end
redis.call('HSET', KEYS[3], id, actual)
redis.call('INCRBY', KEYS[4], actual - tonumber(counted))
return 1
`);

/** Release: ARGV = permit id. Frees the concurrency lease. */
export const releaseScript = new RedisScript(`
return redis.call('ZREM', KEYS[5], ARGV[1])
`);

/** Renew: ARGV = permit id, lease ms. Extends a held lease (long streams). Replies 0 if it expired. */
export const renewScript = new RedisScript(`${prelude}
if not redis.call('ZSCORE', KEYS[5], ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[5], now + tonumber(ARGV[2]), ARGV[1])
return 1
`);

/** Pause: ARGV = ms. Moves paused-until forward (never back). Replies the paused-until time. */
export const pauseScript = new RedisScript(`${prelude}
local untilMs = now + tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[6]) or '0')
if untilMs > current then
  redis.call('SET', KEYS[6], untilMs, 'PX', tonumber(ARGV[1]))
  return untilMs
end
return current
`);

/** Read-only view of a scope: ARGV = window ms. Replies {requests, tokens, leases, pausedMs}. */
export const inspectScript = new RedisScript(`${prelude}${expire}
expire(tonumber(ARGV[1]))
local pausedUntil = tonumber(redis.call('GET', KEYS[6]) or '0')
return {redis.call('ZCARD', KEYS[1]), tonumber(redis.call('GET', KEYS[4]) or '0'), redis.call('ZCARD', KEYS[5]), math.max(0, pausedUntil - now)}
`);
