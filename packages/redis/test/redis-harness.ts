import { describe } from 'vitest';
import { hasRedisServer } from '../src/redis-server-process.js';

/**
 * `describe` for suites that need a real `redis-server` (Debian's package). Without the binary the
 * suite is skipped with a loud message locally; in CI (`CHATLOOP_CI=1`, set by `.ci/run`, which installs
 * the binary) a missing binary is a failure, never a skip.
 */
export const describeRedis: typeof describe = (() => {
  if (hasRedisServer()) return describe;
  if (process.env.CHATLOOP_CI) {
    throw new Error('redis-server is not installed but CHATLOOP_CI is set: Redis tests must not skip in CI');
  }
  console.warn(
    '\n!!! redis-server not found: the @chatloop/redis suites are SKIPPED. Install it (apt-get install -y redis-server) to run them.\n',
  );
  return describe.skip as typeof describe;
})();
