import type { ChatMessage, FunctionTool } from '@chatloop/protocol';
import { type ImageSize, imageSizeFromUrl, imageTokens } from './image-tokens.js';
import type { ImageTokenRule, TokenizerName } from './model-info.js';
import { defaultModelRegistry, type ModelRegistry } from './model-registry.js';
import type { TokenEstimator } from './token-estimator.js';
import { TOKEN_ESTIMATOR_DEFAULTS } from './token-estimator.js';
import { type EncodingName, getEncoder } from './tokenizer.js';
import { countToolTokens } from './tool-tokens.js';

/**
 * OpenAI's chat framing, from the OpenAI Cookbook "How to count tokens with tiktoken" (section 6,
 * `num_tokens_from_messages`): every message costs 3 tokens besides its fields, a `name` 1 more, and
 * every reply is primed with 3 (`<|start|>assistant<|message|>`).
 */
export const CHAT_TOKEN_OVERHEAD = {
  perMessage: 3,
  perName: 1,
  replyPriming: 3,
  /** Per tool call in an assistant message (function name and arguments are counted besides). */
  perToolCall: 3,
} as const;

/** The image rule used for a vision model the registry has no rule for (gpt-4o's). */
export const DEFAULT_IMAGE_RULE: ImageTokenRule = { kind: 'tile', baseTokens: 85, tileTokens: 170 };

/** Options of {@link createTokenCounter}. */
export interface TokenCounterOptions {
  /** The model whose tokenizer, image rule and calibration apply. */
  model: string;
  /** Default: the default registry. */
  registry?: ModelRegistry;
  /** Calibrates estimates for models without a public tokenizer; without it, a fixed ratio is used. */
  estimator?: TokenEstimator;
  /** Size of an image given by URL; default: read from `data:` URLs, else the rule's worst case. */
  imageSize?: (url: string) => ImageSize | undefined;
}

/** A count, and whether it is exact (a public tokenizer) or an estimate. */
export interface ChatTokenCount {
  tokens: number;
  /** True when the model has no public tokenizer, or content (images of unknown size, files) was guessed. */
  estimated: boolean;
  tokenizer: TokenizerName;
}

/**
 * Counts tokens for one model with an incremental cache: a message object (or a tools array) already
 * counted is not counted again, so recounting a conversation after appending a message costs only the
 * new message. Messages are treated as immutable: mutating one in place after counting it leaves a stale
 * count (replace it with a new object instead).
 */
export interface TokenCounter {
  readonly model: string;
  readonly tokenizer: TokenizerName;
  /** Tokens of plain text. */
  countText(text: string): number;
  /** Tokens of one message, framing overhead included. */
  countMessage(message: ChatMessage): number;
  /** Tokens that `tools` add to a request. */
  countTools(tools: readonly FunctionTool[] | undefined): number;
  /** The prompt tokens of a request with these messages and tools, reply priming included. */
  countChat(messages: readonly ChatMessage[], tools?: readonly FunctionTool[]): ChatTokenCount;
}

interface CachedCount {
  tokens: number;
  guessed: boolean;
}

/** Creates a {@link TokenCounter} for `options.model`. */
export function createTokenCounter(options: TokenCounterOptions): TokenCounter {
  const registry = options.registry ?? defaultModelRegistry;
  const model = options.model;
  const tokenizer = registry.tokenizerFor(model);
  const encoding: EncodingName = tokenizer === 'estimate' ? 'o200k_base' : tokenizer;
  const info = registry.get(model);
  const imageRule = info?.imageTokens ?? DEFAULT_IMAGE_RULE;
  const sizeOf = options.imageSize ?? imageSizeFromUrl;
  const messageCache = new WeakMap<object, CachedCount>();
  const toolsCache = new WeakMap<object, number>();
  let encoder: ReturnType<typeof getEncoder> | undefined;
  const count = (text: string): number => {
    if (text.length === 0) return 0;
    encoder ??= getEncoder(encoding);
    return encoder.countTokens(text);
  };
  const scale = (base: number): number => {
    if (tokenizer !== 'estimate') return base;
    return options.estimator
      ? options.estimator.estimate(model, base)
      : Math.ceil(base * TOKEN_ESTIMATOR_DEFAULTS.initialRatio);
  };

  const baseMessage = (message: ChatMessage): CachedCount => {
    const cached = messageCache.get(message);
    if (cached) return cached;
    const result = countMessageBase(message, count, imageRule, sizeOf);
    messageCache.set(message, result);
    return result;
  };

  const baseTools = (tools: readonly FunctionTool[] | undefined): number => {
    if (!tools || tools.length === 0) return 0;
    let tokens = toolsCache.get(tools);
    if (tokens === undefined) {
      tokens = countToolTokens(tools, encoding, count);
      toolsCache.set(tools, tokens);
    }
    return tokens;
  };

  return {
    model,
    tokenizer,
    countText: (text) => scale(count(text)),
    countMessage: (message) => scale(baseMessage(message).tokens),
    countTools: (tools) => scale(baseTools(tools)),
    countChat(messages, tools) {
      let tokens = CHAT_TOKEN_OVERHEAD.replyPriming + baseTools(tools);
      let guessed = false;
      for (const message of messages) {
        const result = baseMessage(message);
        tokens += result.tokens;
        if (result.guessed) guessed = true;
      }
      return { tokens: scale(tokens), estimated: guessed || tokenizer === 'estimate', tokenizer };
    },
  };
}

function countMessageBase(
  message: ChatMessage,
  count: (text: string) => number,
  imageRule: ImageTokenRule,
  sizeOf: (url: string) => ImageSize | undefined,
): CachedCount {
  let tokens = CHAT_TOKEN_OVERHEAD.perMessage + count(message.role);
  let guessed = false;
  if ('name' in message && typeof message.name === 'string' && message.name.length > 0) {
    tokens += count(message.name) + CHAT_TOKEN_OVERHEAD.perName;
  }
  const content = message.content;
  if (typeof content === 'string') {
    tokens += count(content);
  } else if (Array.isArray(content)) {
    for (const part of content) {
      switch (part.type) {
        case 'text':
          tokens += count(part.text);
          break;
        case 'refusal':
          tokens += count(part.refusal);
          break;
        case 'image_url': {
          const size = sizeOf(part.image_url.url);
          if (!size) guessed = true;
          tokens += imageTokens(imageRule, {
            ...(size ? { size } : {}),
            detail: part.image_url.detail ?? 'auto',
          });
          break;
        }
        default:
          // Audio and files are billed by rules chatloop does not model: the count is a guess.
          guessed = true;
      }
    }
  }
  if (message.role === 'assistant') {
    if (typeof message.refusal === 'string') tokens += count(message.refusal);
    if (typeof message.reasoning_content === 'string') tokens += count(message.reasoning_content);
    for (const call of message.tool_calls ?? []) {
      tokens += CHAT_TOKEN_OVERHEAD.perToolCall + count(call.function.name) + count(call.function.arguments);
    }
  }
  return { tokens, guessed };
}
