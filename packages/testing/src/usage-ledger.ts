import type { Usage } from '@chatloop/protocol';

/** One answer the server generated (and, like the real API, billed). */
export interface LedgerEntry {
  /** Index of the request in `TestServer.requests`. */
  requestIndex: number;
  model: string;
  streamed: boolean;
  usage: Usage;
  /**
   * Whether the usage reached the client: a plain answer sent in full, or a stream whose usage chunk
   * was sent (`stream_options.include_usage`). False for streams without it or cut before it.
   */
  reported: boolean;
}

/**
 * The usage the server served: totals over every answer it generated, billed whether or not the client
 * saw the usage, and the entries behind them. Updated live; `snapshot()` gives a plain copy.
 */
export class UsageLedger {
  requests = 0;
  promptTokens = 0;
  completionTokens = 0;
  totalTokens = 0;
  reasoningTokens = 0;
  readonly entries: LedgerEntry[] = [];
  readonly #keepEntries: boolean;

  /** `keepEntries: false` keeps the totals only (default `true`). */
  constructor(options: { keepEntries?: boolean } = {}) {
    this.#keepEntries = options.keepEntries ?? true;
  }

  /** Books one answer; the returned entry's `reported` flag is updated by the server as it sends. */
  add(entry: LedgerEntry): LedgerEntry {
    if (this.#keepEntries) this.entries.push(entry);
    this.requests += 1;
    this.promptTokens += entry.usage.prompt_tokens;
    this.completionTokens += entry.usage.completion_tokens;
    this.totalTokens += entry.usage.total_tokens;
    this.reasoningTokens += entry.usage.completion_tokens_details?.reasoning_tokens ?? 0;
    return entry;
  }

  /** The totals as a plain object. */
  snapshot(): {
    requests: number;
    promptTokens: number;
    completionTokens: number;
    totalTokens: number;
    reasoningTokens: number;
  } {
    return {
      requests: this.requests,
      promptTokens: this.promptTokens,
      completionTokens: this.completionTokens,
      totalTokens: this.totalTokens,
      reasoningTokens: this.reasoningTokens,
    };
  }
}
