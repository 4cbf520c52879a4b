import type { QueuedItem, WorkQueue } from '@chatloop/extract';
import type { Redis } from 'ioredis';
import { type BatchKeys, batchKeys } from './batch-keys.js';
import { withBackend } from './redis-connection.js';
import { RedisScript } from './redis-script.js';

/** Defaults of {@link RedisWorkQueue}. */
export const REDIS_WORK_QUEUE_DEFAULTS = {
  /** How long a claim lasts without renewal, in ms: a crashed process's items are taken over after it. */
  leaseMs: 10_000,
  /** How often, in ms, a process that ran out of inputs checks whether items others hold became free. */
  pollMs: 100,
} as const;

/** Options of {@link RedisWorkQueue}. */
export interface RedisWorkQueueOptions<I> {
  /** The batch's id: every process of the batch uses the same. */
  batchId: string;
  /** This process's claim token (unique per process). */
  owner: string;
  /** The stable key of an input. */
  key: (item: I, index: number) => string;
  /** True for an item to skip without asking Redis (e.g. failed in an earlier run and not to be retried). */
  skip?: (key: string) => boolean;
  /**
   * Whether a live failure of an item (recorded by any process) means it is finished for this run.
   * Default: always. Return false to run the item again (a retry of earlier failures).
   */
  failureFinishes?: (key: string) => boolean;
  /** Called for each item this process does not run: finished (by anyone) or a repeated key. */
  onSkip?: (item: QueuedItem<I>, reason: 'done' | 'duplicate') => void;
  /** See {@link REDIS_WORK_QUEUE_DEFAULTS.leaseMs}. */
  leaseMs?: number;
  /** See {@link REDIS_WORK_QUEUE_DEFAULTS.pollMs}. */
  pollMs?: number;
  /** Key prefix. Default `chatloop:`. */
  keyPrefix?: string;
  /** Stops waiting for items others hold: `next()` then returns `undefined`. */
  signal?: AbortSignal;
  /** Waits, in ms (injectable for tests). Default a timer. */
  sleep?: (ms: number) => Promise<void>;
}

// KEYS: results, failures, claim, order. ARGV: id, owner, leaseMs, '1' if a failure finishes, index.
const claimScript = new RedisScript(`
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 'done' end
if ARGV[4] == '1' and redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return 'done' end
if redis.call('SET', KEYS[3], ARGV[2], 'NX', 'PX', ARGV[3]) then
  redis.call('HSETNX', KEYS[4], ARGV[1], ARGV[5])
  return 'claimed'
end
if redis.call('GET', KEYS[3]) == ARGV[2] then return 'claimed' end
return 'busy'
`);

// KEYS: claim keys. ARGV: owner, leaseMs ('0' releases). Renews (or releases) the claims still held by owner.
const renewScript = new RedisScript(`
local held = 0
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then
    if ARGV[2] == '0' then redis.call('DEL', key) else redis.call('PEXPIRE', key, ARGV[2]) end
    held = held + 1
  end
end
return held
`);

const timerSleep = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms);
  });

/**
 * A `WorkQueue` (from `@chatloop/extract`) that lets several processes run one batch over the SAME
 * inputs. Each process reads the inputs in order and claims an item with `SET claim NX PX lease`, so
 * exactly one process works on it; items already finished by anyone are skipped as they are met. Claims
 * are renewed every third of the lease while the item runs and released when its outcome is recorded
 * (by {@link RedisBatchJournal}). After its inputs run out, a process waits for the items other processes
 * claimed and takes over those whose claim lapsed (a crashed process), so the batch always completes;
 * `next()` returns `undefined` only when every item is finished (or `signal` aborts).
 */
export class RedisWorkQueue<I> implements WorkQueue<I> {
  readonly #redis: Redis;
  readonly #keys: BatchKeys;
  readonly #options: RedisWorkQueueOptions<I>;
  readonly #leaseMs: number;
  readonly #iterator: Iterator<I> | AsyncIterator<I>;
  readonly #seen = new Set<string>();
  readonly #held = new Set<string>();
  /** Items other processes held when met: checked again once the inputs run out. */
  #pending: QueuedItem<I>[] = [];
  #index = 0;
  #exhausted = false;
  #timer: NodeJS.Timeout | undefined;
  #renewing: Promise<unknown> = Promise.resolve();

  constructor(redis: Redis, inputs: Iterable<I> | AsyncIterable<I>, options: RedisWorkQueueOptions<I>) {
    this.#redis = redis;
    this.#options = options;
    this.#leaseMs = options.leaseMs ?? REDIS_WORK_QUEUE_DEFAULTS.leaseMs;
    this.#keys = batchKeys(options.batchId, options.keyPrefix);
    this.#iterator =
      Symbol.asyncIterator in inputs
        ? (inputs as AsyncIterable<I>)[Symbol.asyncIterator]()
        : (inputs as Iterable<I>)[Symbol.iterator]();
  }

  /** Keys this process holds a claim on (being worked on here). */
  get held(): ReadonlySet<string> {
    return this.#held;
  }

  /**
   * The next item this process claimed, or `undefined` when every item is finished.
   *
   * @throws BackendUnavailableError when Redis does not answer.
   */
  async next(): Promise<QueuedItem<I> | undefined> {
    while (!this.#exhausted) {
      if (this.#options.signal?.aborted) return undefined;
      const step = await this.#iterator.next();
      if (step.done) {
        this.#exhausted = true;
        break;
      }
      const index = this.#index++;
      const key = this.#options.key(step.value, index);
      const queued: QueuedItem<I> = { key, item: step.value, index };
      if (this.#seen.has(key)) {
        this.#options.onSkip?.(queued, 'duplicate');
        continue;
      }
      this.#seen.add(key);
      if (this.#options.skip?.(key)) {
        this.#options.onSkip?.(queued, 'done');
        continue;
      }
      const outcome = await this.#claim(queued);
      if (outcome === 'claimed') return queued;
      if (outcome === 'done') this.#options.onSkip?.(queued, 'done');
      else this.#pending.push(queued);
    }
    const pollMs = this.#options.pollMs ?? REDIS_WORK_QUEUE_DEFAULTS.pollMs;
    const sleep = this.#options.sleep ?? timerSleep;
    while (this.#pending.length > 0) {
      const still: QueuedItem<I>[] = [];
      let claimed: QueuedItem<I> | undefined;
      for (const queued of this.#pending) {
        if (claimed || this.#options.signal?.aborted) {
          still.push(queued);
          continue;
        }
        const outcome = await this.#claim(queued);
        if (outcome === 'claimed') claimed = queued;
        else if (outcome === 'busy') still.push(queued);
        else this.#options.onSkip?.(queued, 'done');
      }
      this.#pending = still;
      if (claimed) return claimed;
      if (this.#options.signal?.aborted || still.length === 0) return undefined;
      await sleep(pollMs);
    }
    return undefined;
  }

  /** Stops renewing the claim on `key` (its outcome is recorded, which released the claim). */
  finished(key: string): void {
    this.#held.delete(key);
    if (this.#held.size === 0) this.#stopRenewing();
  }

  /**
   * Releases every claim this process still holds (items interrupted before an outcome), so other
   * processes take them at once, and stops renewing.
   *
   * @throws BackendUnavailableError when Redis does not answer.
   */
  async release(): Promise<void> {
    this.#stopRenewing();
    await this.#renewing;
    const keys = [...this.#held].map((key) => this.#keys.claim(key));
    this.#held.clear();
    if (keys.length === 0) return;
    await withBackend('work queue release', () =>
      renewScript.run(this.#redis, keys, [this.#options.owner, '0']),
    );
  }

  async #claim(queued: QueuedItem<I>): Promise<'claimed' | 'done' | 'busy'> {
    const failureFinishes = this.#options.failureFinishes?.(queued.key) ?? true;
    const outcome = await withBackend('work queue claim', () =>
      claimScript.run(
        this.#redis,
        [this.#keys.results, this.#keys.failures, this.#keys.claim(queued.key), this.#keys.order],
        [queued.key, this.#options.owner, this.#leaseMs, failureFinishes ? '1' : '0', queued.index],
      ),
    );
    if (outcome === 'claimed') {
      this.#held.add(queued.key);
      this.#startRenewing();
    }
    return outcome as 'claimed' | 'done' | 'busy';
  }

  #startRenewing(): void {
    if (this.#timer) return;
    this.#timer = setInterval(
      () => {
        const keys = [...this.#held].map((key) => this.#keys.claim(key));
        if (keys.length === 0) return;
        // A failed renewal is retried at the next tick; the lease outlasts two missed ticks.
        this.#renewing = renewScript
          .run(this.#redis, keys, [this.#options.owner, this.#leaseMs])
          .catch(() => undefined);
      },
      Math.max(10, Math.floor(this.#leaseMs / 3)),
    );
    this.#timer.unref();
  }

  #stopRenewing(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
