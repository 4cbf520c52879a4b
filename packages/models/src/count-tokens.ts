import type { ChatMessage, FunctionTool } from '@chatloop/protocol';
import { defaultModelRegistry, type ModelRegistry } from './model-registry.js';
import { createTokenCounter, type TokenCounterOptions } from './token-counter.js';
import type { TokenEstimator } from './token-estimator.js';
import { getEncoder } from './tokenizer.js';

/** The model assumed when none is given: its encoding, o200k_base, is that of every current OpenAI model. */
export const DEFAULT_COUNT_MODEL = 'gpt-4o';

/**
 * The number of tokens of `text` for `model` (default {@link DEFAULT_COUNT_MODEL}): exact for models with
 * a public tokenizer (o200k_base, cl100k_base), else the o200k_base count times the default estimate ratio.
 * Special-token strings such as `<|endoftext|>` count as ordinary text, as the API counts them.
 */
export function countTokens(
  text: string,
  model: string = DEFAULT_COUNT_MODEL,
  registry: ModelRegistry = defaultModelRegistry,
): number {
  const tokenizer = registry.tokenizerFor(model);
  if (tokenizer !== 'estimate') return getEncoder(tokenizer).countTokens(text);
  return createTokenCounter({ model, registry }).countText(text);
}

/** Options of {@link countChatTokens}. */
export interface CountChatTokensOptions {
  model: string;
  /** The tools sent with the request (their definitions cost prompt tokens). */
  tools?: readonly FunctionTool[];
  registry?: ModelRegistry;
  /** Calibrates models without a public tokenizer. */
  estimator?: TokenEstimator;
  imageSize?: TokenCounterOptions['imageSize'];
}

/**
 * The prompt tokens of a chat request as OpenAI bills them: per-message framing, names, tool calls,
 * tool definitions, images by the model's tile or patch rule, and reply priming. Stateless; use
 * {@link createTokenCounter} to recount a growing conversation incrementally.
 */
export function countChatTokens(messages: readonly ChatMessage[], options: CountChatTokensOptions): number {
  return createTokenCounter(options).countChat(messages, options.tools).tokens;
}
