import { type ChatClient, isAbortError } from '@chatloop/core';
import type { ChatMessage } from '@chatloop/protocol';
import { type ContextBudgetOptions, counterCache, messageBudget } from './context-budget.js';
import type { ContextManager, PrepareContext } from './context-manager.js';
import { tokenBudget } from './token-budget.js';
import { splitUnits } from './transcript-units.js';

/** Defaults of {@link summarize}. */
export const SUMMARIZE_DEFAULTS = {
  /** Summarize once the messages fill this fraction of the budget. */
  triggerRatio: 0.8,
  /** Turns (each starting at a user message) kept verbatim after the summary. */
  keepLastTurns: 4,
  /** Characters of each message shown to the summarizer at most. */
  maxCharsPerMessage: 4000,
  summaryRole: 'system' as 'system' | 'user',
  prompt:
    'You compress conversations. Write a concise summary of the conversation below for the assistant that ' +
    'will continue it: the user goals, decisions, facts learned (including tool results that still matter), ' +
    'open questions and what was about to happen next. Fold the previous summary in; do not lose facts from ' +
    'it. Write plain prose, no preamble.',
  summaryPrefix: 'Summary of the earlier conversation:\n',
} as const;

/** Options of {@link summarize}. */
export interface SummarizeOptions extends ContextBudgetOptions {
  /** The client that writes summaries. Default `ctx.client`. */
  client?: ChatClient;
  /** The model that writes summaries. Default `ctx.model`. */
  model?: string;
  /** The summarizer's instructions. Default {@link SUMMARIZE_DEFAULTS.prompt}. */
  prompt?: string;
  triggerRatio?: number;
  keepLastTurns?: number;
  maxCharsPerMessage?: number;
  /** Output limit of the summarizer call (`max_completion_tokens`); default none. */
  maxSummaryTokens?: number;
  /** Role of the summary message. Default `system`. */
  summaryRole?: 'system' | 'user';
  /** Keep the first user message verbatim. Default `true`. */
  keepFirstUserMessage?: boolean;
  /**
   * Applied when the summarizer fails or the summary still leaves the prompt over budget. Default:
   * {@link tokenBudget} with the same budget options.
   */
  fallback?: ContextManager;
}

function render(message: ChatMessage, toolNames: Map<string, string>, maxChars: number): string {
  const clip = (text: string) => (text.length > maxChars ? `${text.slice(0, maxChars)} [...]` : text);
  const text = (content: unknown): string =>
    typeof content === 'string'
      ? content
      : Array.isArray(content)
        ? content
            .map((part: { type?: string; text?: string; refusal?: string }) =>
              part.type === 'text' ? part.text : part.type === 'refusal' ? part.refusal : `[${part.type}]`,
            )
            .join('')
        : '';
  if (message.role === 'tool') {
    return `tool result (${toolNames.get(message.tool_call_id) ?? 'tool'}): ${clip(text(message.content))}`;
  }
  if (message.role === 'assistant') {
    const calls = (message.tool_calls ?? []).map((call) => {
      toolNames.set(call.id, call.function.name);
      return `called ${call.function.name}(${clip(call.function.arguments)})`;
    });
    return `assistant: ${[clip(text(message.content)), ...calls].filter((part) => part.length > 0).join('; ')}`;
  }
  return `${message.role}: ${clip(text(message.content))}`;
}

/**
 * Replaces the older part of the history with a summary written by a model, once the messages fill
 * `triggerRatio` of the budget; the last `keepLastTurns` turns stay verbatim, as do system, developer and
 * pinned messages and (by default) the first user message. Incremental: the next summary folds the
 * previous one and the new overflow, so each message is summarized once. When the summarizer fails, or
 * the prompt is still over budget, it falls back to truncation. The summarizer call goes through the
 * client, so its usage is in the client's totals (and in the `summarized` event).
 *
 * One instance follows one conversation (it remembers the summary); create one per run.
 */
export function summarize(options: SummarizeOptions = {}): ContextManager {
  const name = 'summarize';
  const counterFor = counterCache(options.counter);
  const fallback = options.fallback ?? tokenBudget(options);
  const triggerRatio = options.triggerRatio ?? SUMMARIZE_DEFAULTS.triggerRatio;
  const keepLastTurns = options.keepLastTurns ?? SUMMARIZE_DEFAULTS.keepLastTurns;
  const maxChars = options.maxCharsPerMessage ?? SUMMARIZE_DEFAULTS.maxCharsPerMessage;
  const summaryRole = options.summaryRole ?? SUMMARIZE_DEFAULTS.summaryRole;
  const keepFirstUser = options.keepFirstUserMessage ?? true;

  let summary: ChatMessage | undefined;
  let summaryText = '';
  let covered = 0;
  let coveredLast: ChatMessage | undefined;
  let head: ChatMessage[] = [];

  const reset = () => {
    summary = undefined;
    summaryText = '';
    covered = 0;
    coveredLast = undefined;
    head = [];
  };

  // The messages of the summarized prefix that stay verbatim: system, developer, pinned (with their
  // tool-call groups) and the first user message.
  const keptFrom = (messages: ChatMessage[], end: number, ctx: PrepareContext): ChatMessage[] => {
    const prefix = messages.slice(0, end);
    const kept: ChatMessage[] = [];
    let firstUserSeen = false;
    for (const unit of splitUnits(prefix)) {
      if (unit.kind === 'invalid') continue;
      let keep = unit.kind === 'system';
      if (unit.kind === 'message' && prefix[unit.start]!.role === 'user' && !firstUserSeen) {
        firstUserSeen = true;
        keep ||= keepFirstUser;
      }
      for (let i = unit.start; i < unit.end && !keep; i++) keep = ctx.isPinned?.(prefix[i]!, i) ?? false;
      if (keep) for (let i = unit.start; i < unit.end; i++) kept.push(prefix[i]!);
    }
    return kept;
  };

  const view = (messages: ChatMessage[]): ChatMessage[] =>
    summary ? [...head, summary, ...messages.slice(covered)] : messages;

  return {
    name,
    async prepare(messages: ChatMessage[], ctx: PrepareContext): Promise<ChatMessage[]> {
      if (covered > 0 && (covered > messages.length || messages[covered - 1] !== coveredLast)) reset();
      const counter = counterFor(ctx.model);
      const budget = messageBudget(ctx, counter, options);
      const tokensOf = (list: ChatMessage[]) =>
        list.reduce((sum, message) => sum + counter.countMessage(message), 0);
      let current = view(messages);
      if (tokensOf(current) <= triggerRatio * budget) return current;

      // The new boundary: the start of the last `keepLastTurns` turns.
      let boundary = -1;
      let turns = 0;
      for (let i = messages.length - 1; i > covered && turns < keepLastTurns; i--) {
        if (messages[i]!.role === 'user') {
          turns += 1;
          boundary = i;
        }
      }
      if (turns < keepLastTurns || boundary <= covered) return fallback.prepare(current, ctx);

      const kept = new Set(keptFrom(messages, boundary, ctx));
      const toolNames = new Map<string, string>();
      const overflow = messages
        .slice(covered, boundary)
        .map((message) => ({ message, line: render(message, toolNames, maxChars) }))
        .filter(({ message }) => !kept.has(message))
        .map(({ line }) => line);
      const client = options.client ?? ctx.client;
      try {
        if (!client) throw new Error('summarize needs a client: pass options.client or ctx.client');
        const response = await client.chat(
          {
            model: options.model ?? ctx.model,
            messages: [
              { role: 'system', content: options.prompt ?? SUMMARIZE_DEFAULTS.prompt },
              {
                role: 'user',
                content:
                  (summaryText ? `Previous summary:\n${summaryText}\n\n` : '') +
                  `Conversation to fold in:\n${overflow.join('\n')}`,
              },
            ],
            ...(options.maxSummaryTokens ? { max_completion_tokens: options.maxSummaryTokens } : {}),
          },
          ctx.signal ? { signal: ctx.signal } : {},
        );
        const text = response.choices[0]?.message.content?.trim();
        if (!text) throw new Error('the summarizer returned an empty summary');
        const folded = overflow.length;
        summaryText = text;
        summary = { role: summaryRole, content: `${SUMMARIZE_DEFAULTS.summaryPrefix}${text}` };
        head = [...kept];
        covered = boundary;
        coveredLast = messages[boundary - 1];
        ctx.onEvent?.({
          type: 'summarized',
          manager: name,
          foldedMessages: folded,
          summary: text,
          usage: response.usage ?? undefined,
        });
      } catch (error) {
        if (isAbortError(error) || ctx.signal?.aborted) throw error;
        ctx.onEvent?.({ type: 'summary-failed', manager: name, error });
        return fallback.prepare(current, ctx);
      }
      current = view(messages);
      return tokensOf(current) <= budget ? current : fallback.prepare(current, ctx);
    },
  };
}
