/** The tokenizer a model uses: a public BPE encoding, or `estimate` when none is public. */
export type TokenizerName = 'o200k_base' | 'cl100k_base' | 'estimate';

/** Prices in USD per 1,000,000 tokens. */
export interface ModelPricing {
  /** Uncached input (prompt) tokens. */
  inputPerMTok: number;
  /** Output tokens, reasoning tokens included. */
  outputPerMTok: number;
  /** Input tokens served from the provider's prompt cache; absent when the model has no discount. */
  cachedInputPerMTok?: number;
}

/** What a model accepts. */
export interface ModelCapabilities {
  tools: boolean;
  parallelToolCalls: boolean;
  /** `response_format: { type: 'json_schema' }` (structured outputs). */
  jsonSchema: boolean;
  /** Image input. */
  vision: boolean;
  /** The model reasons before answering (reasoning tokens are billed as output). */
  reasoning: boolean;
  streaming: boolean;
}

/**
 * How images are billed. `tile`: OpenAI's 512 px tile rule (`baseTokens + tileTokens * tiles`, and
 * `baseTokens` alone for `detail: 'low'`). `patch`: 32 px patches capped at `maxPatches`, times
 * `multiplier`.
 */
export type ImageTokenRule =
  | { kind: 'tile'; baseTokens: number; tileTokens: number }
  | { kind: 'patch'; multiplier: number; maxPatches: number };

/** Everything chatloop knows about one model. */
export interface ModelInfo {
  /** The canonical id, as the provider's API names it. */
  id: string;
  /** The provider that serves it (`openai`, `deepseek`, `mistral`, `groq`, ...). */
  provider: string;
  /** Maximum tokens of prompt plus output. */
  contextWindow: number;
  /** Maximum output tokens of one response. */
  maxOutputTokens: number;
  /** Standard-tier prices; absent when unknown (then costs are reported as unknown, never as 0). */
  pricing?: ModelPricing;
  capabilities: ModelCapabilities;
  /** The tokenizer counts use; `estimate` means a calibrated estimate. Default `estimate`. */
  tokenizer?: TokenizerName;
  /** The image billing rule, for vision models. */
  imageTokens?: ImageTokenRule;
  /** Other names that resolve to this model (dated snapshots, legacy aliases). */
  aliases?: string[];
  /** Where the figures come from (a URL). */
  source?: string;
  /** The date (YYYY-MM-DD) the figures were last checked against `source`. */
  checkedAt?: string;
  /** Anything a user wants to say about the entry (peak/off-peak prices, assumptions). */
  notes?: string;
}
