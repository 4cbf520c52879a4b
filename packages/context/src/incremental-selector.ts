import type { TokenCounter } from '@chatloop/models';
import type { ChatMessage } from '@chatloop/protocol';
import { repairTranscript } from './transcript-units.js';

/** The limits of one {@link IncrementalSelector.select} call. */
export interface SelectorLimits {
  maxTokens?: number;
  maxMessages?: number;
}

/** What one {@link IncrementalSelector.select} call decided. */
export interface IncrementalSelection {
  kept: ChatMessage[];
  /** Messages this call left out that earlier calls had kept (each message is reported once). */
  newlyDropped: ChatMessage[];
  newlyDroppedTokens: number;
  /** Tokens of the kept messages. */
  keptTokens: number;
  satisfied: boolean;
}

/** Options of {@link createIncrementalSelector}. */
export interface IncrementalSelectorOptions {
  counter: TokenCounter;
  keepFirstUserMessage: boolean;
}

/**
 * The oldest-first selection of `selectMessages`, remembered from call to call: when the history only grew
 * since the last call, it counts only the new messages and moves its cut forward from where it stopped,
 * so a turn costs in proportion to the new messages and the kept window, not to the history's length.
 * Messages replaced in the kept window (elided tool results) are re-counted; a shorter history, a new
 * first message, a replacement with another role or different limits start over. Messages before the cut
 * are treated as settled.
 *
 * Kept as before: system and developer messages, pinned messages (pins are read when the cut reaches a
 * message), the first user message when asked, the last user message and the newest unit.
 */
export interface IncrementalSelector {
  select(
    messages: readonly ChatMessage[],
    limits: SelectorLimits,
    isPinned: ((message: ChatMessage, index: number) => boolean) | undefined,
  ): IncrementalSelection;
}

const isSystem = (message: ChatMessage) => message.role === 'system' || message.role === 'developer';

/** Creates an {@link IncrementalSelector} for one conversation. */
export function createIncrementalSelector(options: IncrementalSelectorOptions): IncrementalSelector {
  const { counter } = options;
  let seen = 0;
  let first: ChatMessage | undefined;
  let cut = 0;
  // The messages from the cut to `seen`, as last seen: a manager before this one (elision) may have
  // replaced some of them since, which is adjusted for without starting over.
  let tail: ChatMessage[] = [];
  let limitsKey = '';
  let locked: ChatMessage[] = [];
  let lockedTokens = 0;
  let lockedCount = 0;
  let tailTokens = 0;
  let tailCount = 0;
  let firstUserPassed = false;
  let lastUser = -1;
  // The last user message when the cut passed it (kept only while it stays the last one).
  let lockedLastUser: { message: ChatMessage; index: number } | undefined;

  const reset = () => {
    seen = 0;
    cut = 0;
    locked = [];
    lockedTokens = 0;
    lockedCount = 0;
    tailTokens = 0;
    tailCount = 0;
    firstUserPassed = false;
    lastUser = -1;
    lockedLastUser = undefined;
    tail = [];
  };

  // Adjusts the tail's figures for messages replaced in place; false when a replacement changes roles
  // (then the selection starts over).
  const reconcile = (messages: readonly ChatMessage[]): boolean => {
    for (let i = cut; i < seen; i++) {
      const before = tail[i - cut]!;
      const now = messages[i]!;
      if (before === now) continue;
      if (before.role !== now.role) return false;
      tailTokens += counter.countMessage(now) - counter.countMessage(before);
      tail[i - cut] = now;
    }
    return true;
  };

  const unitEnd = (messages: readonly ChatMessage[], start: number): { end: number; valid: boolean } => {
    const message = messages[start]!;
    if (message.role === 'assistant' && message.tool_calls && message.tool_calls.length > 0) {
      const pending = new Set(message.tool_calls.map((call) => call.id));
      let j = start + 1;
      for (; j < messages.length; j++) {
        const next = messages[j]!;
        if (next.role !== 'tool' || !pending.delete(next.tool_call_id)) break;
      }
      return { end: j, valid: pending.size === 0 };
    }
    return { end: start + 1, valid: message.role !== 'tool' };
  };

  const lastUnitStart = (messages: readonly ChatMessage[]): number => {
    let i = messages.length - 1;
    while (i > cut && messages[i]!.role === 'tool') i -= 1;
    return Math.max(i, cut);
  };

  return {
    select(messages, limits, isPinned) {
      const key = `${limits.maxTokens}:${limits.maxMessages}`;
      const appended = key === limitsKey && seen > 0 && seen <= messages.length && messages[0] === first;
      if (!appended || !reconcile(messages)) reset();
      limitsKey = key;
      for (let i = seen; i < messages.length; i++) {
        const message = messages[i]!;
        tailTokens += counter.countMessage(message);
        if (!isSystem(message)) tailCount += 1;
        if (message.role === 'user') lastUser = i;
        tail.push(message);
      }
      seen = messages.length;
      first = messages[0];

      const newlyDropped: ChatMessage[] = [];
      let newlyDroppedTokens = 0;
      const drop = (message: ChatMessage, tokens: number) => {
        newlyDropped.push(message);
        newlyDroppedTokens += tokens;
      };
      if (lockedLastUser && lockedLastUser.index !== lastUser) {
        // A newer user message arrived: the one kept as "last" may now go like any other.
        const { message } = lockedLastUser;
        const tokens = counter.countMessage(message);
        locked = locked.filter((kept) => kept !== message);
        lockedTokens -= tokens;
        lockedCount -= 1;
        drop(message, tokens);
        lockedLastUser = undefined;
      }
      const over = () =>
        (limits.maxTokens !== undefined && lockedTokens + tailTokens > limits.maxTokens) ||
        (limits.maxMessages !== undefined && lockedCount + tailCount > limits.maxMessages);

      const stopAt = lastUnitStart(messages);
      while (cut < stopAt && over()) {
        const message = messages[cut]!;
        const { end, valid } = unitEnd(messages, cut);
        if (end > stopAt) break;
        let tokens = 0;
        let count = 0;
        let pinned = false;
        for (let i = cut; i < end; i++) {
          tokens += counter.countMessage(messages[i]!);
          if (!isSystem(messages[i]!)) count += 1;
          if (isPinned?.(messages[i]!, i)) pinned = true;
        }
        const isUser = valid && message.role === 'user';
        const firstUser = isUser && !firstUserPassed;
        if (isUser) firstUserPassed = true;
        const keep =
          valid &&
          (isSystem(message) || pinned || (firstUser && options.keepFirstUserMessage) || cut === lastUser);
        if (keep) {
          for (let i = cut; i < end; i++) locked.push(messages[i]!);
          lockedTokens += tokens;
          lockedCount += count;
          if (cut === lastUser && !(firstUser && options.keepFirstUserMessage) && !pinned) {
            lockedLastUser = { message, index: cut };
          }
        } else {
          for (let i = cut; i < end; i++) drop(messages[i]!, counter.countMessage(messages[i]!));
        }
        tailTokens -= tokens;
        tailCount -= count;
        tail.splice(0, end - cut);
        cut = end;
      }
      const kept = repairTranscript(locked.concat(messages.slice(cut)));
      return {
        kept,
        newlyDropped,
        newlyDroppedTokens,
        keptTokens: lockedTokens + tailTokens,
        satisfied: !over(),
      };
    },
  };
}
