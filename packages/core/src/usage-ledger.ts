/** Usage added to a ledger scope: one model call's tokens and cost, or a sum of them. */
export interface LedgerUsage {
  requests?: number;
  promptTokens?: number;
  completionTokens?: number;
  totalTokens?: number;
  cachedTokens?: number;
  reasoningTokens?: number;
  /** Cost in USD. Ledgers keep it as integer nano-dollars so sums never drift. */
  costUSD?: number;
}

/** A scope's totals. */
export interface LedgerTotals {
  requests: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
  costUSD: number;
}

/**
 * The usage-ledger port: usage and cost summed per scope (an API key, a tenant, a batch). In one process
 * {@link createMemoryUsageLedger}; across a fleet a shared one (Redis) implements the same calls, so
 * budgets hold for every process together. Record every attempt the provider billed.
 */
export interface UsageLedger {
  /** Adds usage to `scope` atomically and returns the scope's new totals. */
  add(scope: string, usage: LedgerUsage): Promise<LedgerTotals>;
  /** The scope's totals (all zero when nothing was recorded). */
  get(scope: string): Promise<LedgerTotals>;
  /** Forgets a scope's totals. */
  reset(scope: string): Promise<void>;
}

const NANO = 1e9;
const COUNTERS = [
  'requests',
  'promptTokens',
  'completionTokens',
  'totalTokens',
  'cachedTokens',
  'reasoningTokens',
] as const;

/** All-zero ledger totals. */
export function emptyLedgerTotals(): LedgerTotals {
  return {
    requests: 0,
    promptTokens: 0,
    completionTokens: 0,
    totalTokens: 0,
    cachedTokens: 0,
    reasoningTokens: 0,
    costUSD: 0,
  };
}

/** The in-process {@link UsageLedger}. */
export function createMemoryUsageLedger(): UsageLedger {
  const scopes = new Map<
    string,
    { counters: Record<(typeof COUNTERS)[number], number>; costNanoUSD: number }
  >();
  const totalsOf = (scope: string): LedgerTotals => {
    const entry = scopes.get(scope);
    if (!entry) return emptyLedgerTotals();
    return { ...entry.counters, costUSD: entry.costNanoUSD / NANO };
  };
  return {
    async add(scope, usage) {
      let entry = scopes.get(scope);
      if (!entry) {
        const { costUSD: _cost, ...counters } = emptyLedgerTotals();
        entry = { counters, costNanoUSD: 0 };
        scopes.set(scope, entry);
      }
      for (const field of COUNTERS) entry.counters[field] += Math.round(usage[field] ?? 0);
      entry.costNanoUSD += Math.round((usage.costUSD ?? 0) * NANO);
      return totalsOf(scope);
    },
    async get(scope) {
      return totalsOf(scope);
    },
    async reset(scope) {
      scopes.delete(scope);
    },
  };
}
