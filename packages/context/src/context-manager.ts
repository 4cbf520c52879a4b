import type { ChatClient } from '@chatloop/core';
import type { TokenCounter } from '@chatloop/models';
import type { ChatMessage, FunctionTool, Usage } from '@chatloop/protocol';

/** Something a manager did to the history, reported through {@link PrepareContext.onEvent}. */
export type ContextEvent =
  | {
      type: 'dropped';
      manager: string;
      /** The messages left out, in order. */
      messages: ChatMessage[];
      /** Their tokens by the manager's counter. */
      tokens: number;
      reason: 'budget' | 'window' | 'overage' | 'invalid';
    }
  | { type: 'elided'; manager: string; message: ChatMessage; replacement: ChatMessage; savedTokens: number }
  | {
      type: 'summarized';
      manager: string;
      /** How many messages the new summary folded in (besides the previous summary). */
      foldedMessages: number;
      summary: string;
      /** The summarizer call's usage (it is also in the client's usage totals). */
      usage: Usage | undefined;
    }
  | { type: 'summary-failed'; manager: string; error: unknown };

/** What a manager knows about the call it prepares. */
export interface PrepareContext {
  /** The model the messages go to (its window and tokenizer apply). */
  model: string;
  /** The tools sent with the call (their definitions take room). */
  tools?: FunctionTool[];
  /** Output room to keep free, in tokens. Default: see each manager (`CONTEXT_BUDGET_DEFAULTS`). */
  maxOutputTokens?: number;
  /** A client for managers that call a model (summarization). */
  client?: ChatClient;
  signal?: AbortSignal;
  /** Overrides the registry's window (self-hosted servers, tests). */
  contextWindow?: number;
  /** Messages that must be kept, besides system and developer messages. Checked by identity or index. */
  isPinned?: (message: ChatMessage, index: number) => boolean;
  /** Receives what each manager dropped, elided or summarized. */
  onEvent?: (event: ContextEvent) => void;
}

/**
 * Turns the full history into the messages to send this turn: they fit, keep what matters, and form a
 * valid conversation (tool-call groups kept or dropped whole; system, developer and pinned messages kept).
 * Managers never mutate their input.
 */
export interface ContextManager {
  readonly name: string;
  prepare(messages: ChatMessage[], ctx: PrepareContext): Promise<ChatMessage[]>;
}

/** Chooses the token counter a manager uses for a model (so tests can count like their server does). */
export type CounterFactory = (model: string) => TokenCounter;

/** The outcome of {@link prepareContext}: the messages and what was done to get them. */
export interface PreparedContext {
  messages: ChatMessage[];
  events: ContextEvent[];
}

/** Runs `manager` and collects its events (and still forwards them to `ctx.onEvent`). */
export async function prepareContext(
  manager: ContextManager,
  messages: ChatMessage[],
  ctx: PrepareContext,
): Promise<PreparedContext> {
  const events: ContextEvent[] = [];
  const forward = ctx.onEvent;
  const result = await manager.prepare(messages, {
    ...ctx,
    onEvent: (event) => {
      events.push(event);
      forward?.(event);
    },
  });
  return { messages: result, events };
}
