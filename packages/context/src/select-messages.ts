import type { TokenCounter } from '@chatloop/models';
import type { ChatMessage } from '@chatloop/protocol';
import { splitUnits } from './transcript-units.js';

/** Options of {@link selectMessages}. */
export interface SelectOptions {
  counter: TokenCounter;
  /** Keep at most this many tokens of messages. */
  maxTokens?: number;
  /** Keep at most this many non-system messages. */
  maxMessages?: number;
  /** Drop at least this many tokens (shrinking by a reported overage). */
  minDroppedTokens?: number;
  /** Keep the first user message. */
  keepFirstUserMessage: boolean;
  isPinned?: ((message: ChatMessage, index: number) => boolean) | undefined;
}

/** What {@link selectMessages} kept and left out. */
export interface Selection {
  kept: ChatMessage[];
  dropped: ChatMessage[];
  droppedTokens: number;
  /** Messages that could not be sent in any case (orphan tool results, incomplete tool-call groups). */
  invalid: ChatMessage[];
  invalidTokens: number;
  keptTokens: number;
  /** Tokens of the messages that may not be dropped. */
  protectedTokens: number;
  /** Whether the kept messages meet the limits. */
  satisfied: boolean;
}

/**
 * Drops whole transcript units, oldest first, until the limits hold. Never dropped: system and developer
 * messages, pinned messages (with their tool-call group), the first user message when asked, the last
 * user message, and the latest unit (the newest tool results). Invalid units are always left out.
 */
export function selectMessages(messages: readonly ChatMessage[], options: SelectOptions): Selection {
  const units = splitUnits(messages);
  const tokens = units.map((unit) => {
    let sum = 0;
    for (let i = unit.start; i < unit.end; i++) sum += options.counter.countMessage(messages[i]!);
    return sum;
  });
  const keep = units.map((unit) => unit.kind !== 'invalid');
  const locked = units.map((unit) => unit.kind === 'system');
  let firstUser = -1;
  let lastUser = -1;
  let lastValid = -1;
  units.forEach((unit, u) => {
    if (unit.kind === 'invalid') return;
    lastValid = u;
    if (unit.kind === 'message' && messages[unit.start]!.role === 'user') {
      if (firstUser < 0) firstUser = u;
      lastUser = u;
    }
    if (options.isPinned) {
      for (let i = unit.start; i < unit.end; i++) if (options.isPinned(messages[i]!, i)) locked[u] = true;
    }
  });
  if (options.keepFirstUserMessage && firstUser >= 0) locked[firstUser] = true;
  if (lastUser >= 0) locked[lastUser] = true;
  if (lastValid >= 0) locked[lastValid] = true;

  let keptTokens = 0;
  let keptMessages = 0;
  let protectedTokens = 0;
  units.forEach((unit, u) => {
    if (!keep[u]) return;
    keptTokens += tokens[u]!;
    if (unit.kind !== 'system') keptMessages += unit.end - unit.start;
    if (locked[u]) protectedTokens += tokens[u]!;
  });
  let droppedTokens = 0;
  const over = () =>
    (options.maxTokens !== undefined && keptTokens > options.maxTokens) ||
    (options.maxMessages !== undefined && keptMessages > options.maxMessages) ||
    (options.minDroppedTokens !== undefined && droppedTokens < options.minDroppedTokens);
  for (let u = 0; u < units.length && over(); u++) {
    if (!keep[u] || locked[u]) continue;
    keep[u] = false;
    keptTokens -= tokens[u]!;
    droppedTokens += tokens[u]!;
    keptMessages -= units[u]!.end - units[u]!.start;
  }

  const kept: ChatMessage[] = [];
  const dropped: ChatMessage[] = [];
  const invalid: ChatMessage[] = [];
  let invalidTokens = 0;
  units.forEach((unit, u) => {
    const target = unit.kind === 'invalid' ? invalid : keep[u] ? kept : dropped;
    if (unit.kind === 'invalid') invalidTokens += tokens[u]!;
    for (let i = unit.start; i < unit.end; i++) target.push(messages[i]!);
  });
  return {
    kept,
    dropped,
    droppedTokens,
    invalid,
    invalidTokens,
    keptTokens,
    protectedTokens,
    satisfied: !over(),
  };
}
