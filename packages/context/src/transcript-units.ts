import type { ChatMessage } from '@chatloop/protocol';

/**
 * A run of messages that is kept or dropped as a whole: a system/developer message, an assistant message
 * with `tool_calls` together with the tool messages answering every call, or any other single message.
 * `invalid` marks what no valid request may contain: a tool message whose call is not right before it,
 * or a `tool_calls` message missing some of its results.
 */
export interface TranscriptUnit {
  /** Index of the first message. */
  start: number;
  /** Index after the last message. */
  end: number;
  kind: 'system' | 'group' | 'message' | 'invalid';
}

/** Splits a transcript into {@link TranscriptUnit}s, in order, covering every message once. */
export function splitUnits(messages: readonly ChatMessage[]): TranscriptUnit[] {
  const units: TranscriptUnit[] = [];
  let i = 0;
  while (i < messages.length) {
    const message = messages[i]!;
    if (message.role === 'system' || message.role === 'developer') {
      units.push({ start: i, end: i + 1, kind: 'system' });
      i += 1;
    } else if (message.role === 'assistant' && message.tool_calls && message.tool_calls.length > 0) {
      const pending = new Set(message.tool_calls.map((call) => call.id));
      let j = i + 1;
      for (; j < messages.length; j++) {
        const next = messages[j]!;
        if (next.role !== 'tool' || !pending.delete(next.tool_call_id)) break;
      }
      units.push({ start: i, end: j, kind: pending.size === 0 ? 'group' : 'invalid' });
      i = j;
    } else {
      units.push({ start: i, end: i + 1, kind: message.role === 'tool' ? 'invalid' : 'message' });
      i += 1;
    }
  }
  return units;
}

/**
 * The transcript without its invalid units (orphan tool messages, `tool_calls` messages missing results),
 * so the result is accepted by the API. Returns the input itself when nothing had to go.
 */
export function repairTranscript(messages: ChatMessage[]): ChatMessage[] {
  const units = splitUnits(messages);
  if (!units.some((unit) => unit.kind === 'invalid')) return messages;
  const kept: ChatMessage[] = [];
  for (const unit of units) {
    if (unit.kind !== 'invalid') for (let i = unit.start; i < unit.end; i++) kept.push(messages[i]!);
  }
  return kept;
}
