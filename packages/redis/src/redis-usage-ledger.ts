import type { LedgerTotals, LedgerUsage, UsageLedger } from '@chatloop/core';
import type { Redis } from 'ioredis';
import { REDIS_CONNECTION_DEFAULTS, withBackend } from './redis-connection.js';

const COUNTERS = [
  'requests',
  'promptTokens',
  'completionTokens',
  'totalTokens',
  'cachedTokens',
  'reasoningTokens',
] as const;
const NANO = 1e9;

/**
 * Usage and cost per scope (a key, a tenant, a batch) summed across every process with atomic
 * increments, so budgets hold for the whole fleet. Record every attempt the provider billed.
 */
export class RedisUsageLedger implements UsageLedger {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(options: { redis: Redis; keyPrefix?: string }) {
    this.#redis = options.redis;
    this.#prefix = options.keyPrefix ?? REDIS_CONNECTION_DEFAULTS.keyPrefix;
  }

  /** Adds usage to `scope` atomically and returns the scope's new totals. */
  async add(scope: string, usage: LedgerUsage): Promise<LedgerTotals> {
    const key = this.#key(scope);
    const transaction = this.#redis.multi();
    for (const field of COUNTERS) transaction.hincrby(key, field, Math.round(usage[field] ?? 0));
    transaction.hincrby(key, 'costNanoUSD', Math.round((usage.costUSD ?? 0) * NANO));
    const replies = await withBackend('ledger add', () => transaction.exec());
    const values = (replies ?? []).map(([, value]) => Number(value));
    return {
      requests: values[0] ?? 0,
      promptTokens: values[1] ?? 0,
      completionTokens: values[2] ?? 0,
      totalTokens: values[3] ?? 0,
      cachedTokens: values[4] ?? 0,
      reasoningTokens: values[5] ?? 0,
      costUSD: (values[6] ?? 0) / NANO,
    };
  }

  /** The scope's totals (all zero when nothing was recorded). */
  async get(scope: string): Promise<LedgerTotals> {
    const hash = await withBackend('ledger read', () => this.#redis.hgetall(this.#key(scope)));
    const read = (field: string) => Number(hash[field] ?? 0);
    return {
      requests: read('requests'),
      promptTokens: read('promptTokens'),
      completionTokens: read('completionTokens'),
      totalTokens: read('totalTokens'),
      cachedTokens: read('cachedTokens'),
      reasoningTokens: read('reasoningTokens'),
      costUSD: read('costNanoUSD') / NANO,
    };
  }

  /** Forgets a scope's totals. */
  async reset(scope: string): Promise<void> {
    await withBackend('ledger reset', () => this.#redis.del(this.#key(scope)));
  }

  #key(scope: string): string {
    return `${this.#prefix}ledger:{${scope}}`;
  }
}
