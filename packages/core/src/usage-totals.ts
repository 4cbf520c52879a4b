import type { Usage } from '@chatloop/protocol';

/** Token and request counts. */
export interface UsageCounts {
  /** Calls whose usage was counted or that were billed without usage reported. */
  requests: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /** Prompt tokens served from the provider's cache (`cached_tokens`, DeepSeek `prompt_cache_hit_tokens`). */
  cachedTokens: number;
  /** Completion tokens spent on reasoning (`reasoning_tokens`). */
  reasoningTokens: number;
  /** Calls that ended without a usage report (e.g. a stream cut short): their tokens are not in the totals. */
  requestsWithoutUsage: number;
}

/** Totals over all calls, and split by model and by caller-given tag. */
export interface UsageTotalsSnapshot extends UsageCounts {
  byModel: Record<string, UsageCounts>;
  byTag: Record<string, UsageCounts>;
}

/** Where one usage report belongs. */
export interface UsageLabels {
  /** The model that answered (the response's `model`, else the request's). */
  model?: string;
  /** Caller-given tags, e.g. a tenant or feature name. */
  tags?: readonly string[];
}

/** Running usage totals of a client or router, readable at any time and resettable. */
export interface UsageTotals extends Readonly<UsageCounts> {
  /** Adds one call's usage; `undefined`/`null` counts a request without usage. */
  add(usage: Usage | null | undefined, labels?: UsageLabels): void;
  /** A copy of the totals and their splits. */
  snapshot(): UsageTotalsSnapshot;
  /** Sets every count back to zero. */
  reset(): void;
}

/** Zero counts. */
export function emptyUsageCounts(): UsageCounts {
  return {
    requests: 0,
    promptTokens: 0,
    completionTokens: 0,
    totalTokens: 0,
    cachedTokens: 0,
    reasoningTokens: 0,
    requestsWithoutUsage: 0,
  };
}

const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/** Reads a wire `Usage` into counts for one request. */
export function usageCountsOf(usage: Usage | null | undefined): UsageCounts {
  const counts = emptyUsageCounts();
  counts.requests = 1;
  if (usage === null || usage === undefined) {
    counts.requestsWithoutUsage = 1;
    return counts;
  }
  counts.promptTokens = count(usage.prompt_tokens);
  counts.completionTokens = count(usage.completion_tokens);
  counts.totalTokens = count(usage.total_tokens) || counts.promptTokens + counts.completionTokens;
  counts.cachedTokens =
    count(usage.prompt_tokens_details?.cached_tokens) || count(usage.prompt_cache_hit_tokens);
  counts.reasoningTokens = count(usage.completion_tokens_details?.reasoning_tokens);
  return counts;
}

function addInto(target: UsageCounts, source: UsageCounts): void {
  for (const key of Object.keys(source) as Array<keyof UsageCounts>) target[key] += source[key];
}

/** Creates an empty {@link UsageTotals}. */
export function createUsageTotals(): UsageTotals {
  let totals = emptyUsageCounts();
  let byModel = new Map<string, UsageCounts>();
  let byTag = new Map<string, UsageCounts>();
  const bucket = (map: Map<string, UsageCounts>, key: string): UsageCounts => {
    let counts = map.get(key);
    if (counts === undefined) {
      counts = emptyUsageCounts();
      map.set(key, counts);
    }
    return counts;
  };
  const copy = (map: Map<string, UsageCounts>): Record<string, UsageCounts> => {
    const result: Record<string, UsageCounts> = Object.create(null);
    for (const [key, counts] of map) result[key] = { ...counts };
    return result;
  };
  return {
    add(usage, labels = {}) {
      const counts = usageCountsOf(usage);
      addInto(totals, counts);
      if (labels.model !== undefined) addInto(bucket(byModel, labels.model), counts);
      for (const tag of new Set(labels.tags ?? [])) addInto(bucket(byTag, tag), counts);
    },
    snapshot: () => ({ ...totals, byModel: copy(byModel), byTag: copy(byTag) }),
    reset() {
      totals = emptyUsageCounts();
      byModel = new Map();
      byTag = new Map();
    },
    get requests() {
      return totals.requests;
    },
    get promptTokens() {
      return totals.promptTokens;
    },
    get completionTokens() {
      return totals.completionTokens;
    },
    get totalTokens() {
      return totals.totalTokens;
    },
    get cachedTokens() {
      return totals.cachedTokens;
    },
    get reasoningTokens() {
      return totals.reasoningTokens;
    },
    get requestsWithoutUsage() {
      return totals.requestsWithoutUsage;
    },
  };
}
