import type { TokenCounter } from '@chatloop/models';
import type { ChatMessage } from '@chatloop/protocol';
import { counterCache } from './context-budget.js';
import type { CounterFactory, PrepareContext } from './context-manager.js';
import { ContextOverflowError } from './context-overflow-error.js';
import { reportSelection } from './report-selection.js';
import { selectMessages } from './select-messages.js';

/** Defaults of {@link shrinkByOverage}. */
export const SHRINK_DEFAULTS = {
  /** Extra fraction dropped beyond the overage, for counting differences with the provider. */
  marginRatio: 0.1,
  /** Extra tokens dropped beyond the overage. */
  marginTokens: 32,
  /** Overage assumed when the error does not say (a fraction of the prompt). */
  unknownOverageRatio: 0.25,
} as const;

/** The figures of a `context_length_exceeded` message. */
export interface ContextOverage {
  /** The model's maximum context, in the provider's tokens. */
  limitTokens: number;
  /** What the request needed (messages + completion), in the provider's tokens. */
  requestedTokens: number;
  /** The completion part of `requestedTokens`, when stated. */
  completionTokens: number | undefined;
  /** `requestedTokens - limitTokens`. */
  overageTokens: number;
}

/**
 * Reads the figures of a context-length error (OpenAI's and DeepSeek's wording: "maximum context length
 * is X tokens. However, you requested Y tokens (A in the messages, B in the completion)" or "your messages
 * resulted in Y tokens"). `undefined` when the message has no figures.
 */
export function parseContextOverage(error: unknown): ContextOverage | undefined {
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : '';
  const limit = /maximum context length is (\d+)/i.exec(message);
  const requested = /(?:you requested|resulted in) (\d+) tokens/i.exec(message);
  if (!limit || !requested) return undefined;
  const completion = /(\d+) in the completion/i.exec(message);
  const limitTokens = Number(limit[1]);
  const requestedTokens = Number(requested[1]);
  return {
    limitTokens,
    requestedTokens,
    completionTokens: completion ? Number(completion[1]) : undefined,
    overageTokens: requestedTokens - limitTokens,
  };
}

/** Options of {@link shrinkByOverage}. */
export interface ShrinkByOverageOptions {
  /** Keep the first user message. Default `true`. */
  keepFirstUserMessage?: boolean;
  counter?: CounterFactory | TokenCounter;
  marginRatio?: number;
  marginTokens?: number;
}

/**
 * Recovery from a `context_length_exceeded` answer: drops the oldest messages (whole tool-call groups,
 * never system, developer, pinned, first/last user messages or the newest group) until at least the
 * reported overage is gone, plus a margin. The overage is converted from the provider's tokens to the
 * counter's by the ratio of the reported prompt to the counted one. Retry the call once with the result.
 *
 * @param error the ContextLengthError (or its message), or the overage in the counter's tokens.
 * @throws ContextOverflowError when not enough can be dropped.
 */
export function shrinkByOverage(
  messages: ChatMessage[],
  error: unknown,
  ctx: PrepareContext,
  options: ShrinkByOverageOptions = {},
): ChatMessage[] {
  const factory = options.counter;
  const counter =
    factory && typeof factory === 'object'
      ? factory
      : counterCache(factory as CounterFactory | undefined)(ctx.model);
  const counted = messages.reduce((sum, message) => sum + counter.countMessage(message), 0);
  let overage: number;
  if (typeof error === 'number') {
    overage = error;
  } else {
    const figures = parseContextOverage(error);
    if (figures) {
      const providerPrompt = figures.requestedTokens - (figures.completionTokens ?? 0);
      const scale = providerPrompt > 0 && counted > 0 ? counted / providerPrompt : 1;
      overage = Math.ceil(figures.overageTokens * scale);
    } else {
      overage = Math.ceil(counted * SHRINK_DEFAULTS.unknownOverageRatio);
    }
  }
  const target = Math.ceil(
    overage * (1 + (options.marginRatio ?? SHRINK_DEFAULTS.marginRatio)) +
      (options.marginTokens ?? SHRINK_DEFAULTS.marginTokens),
  );
  const selection = selectMessages(messages, {
    counter,
    minDroppedTokens: target,
    keepFirstUserMessage: options.keepFirstUserMessage ?? true,
    isPinned: ctx.isPinned,
  });
  if (selection.droppedTokens < overage) {
    throw new ContextOverflowError(
      selection.keptTokens,
      selection.keptTokens + selection.droppedTokens - overage,
    );
  }
  reportSelection(ctx, 'shrinkByOverage', selection, 'overage');
  return selection.kept;
}
