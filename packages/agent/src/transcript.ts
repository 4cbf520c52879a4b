import type { AssistantMessage, ChatMessage, ToolMessage } from '@chatloop/protocol';

/** One problem found in a transcript, with the index of the message it concerns. */
export interface TranscriptIssue {
  index: number;
  problem: string;
}

/**
 * Checks the rule every provider enforces: each assistant message with `tool_calls` is followed,
 * before any other message, by exactly one `tool` message per call id, in the order of the calls; and
 * every `tool` message answers a call of the assistant message just before it. Returns [] when valid.
 */
export function validateTranscript(messages: readonly ChatMessage[]): TranscriptIssue[] {
  const issues: TranscriptIssue[] = [];
  let expected: string[] = [];
  const answered = new Set<string>();
  const closeOpenCalls = (index: number) => {
    for (const id of expected) {
      if (!answered.has(id))
        issues.push({ index, problem: `tool call ${id} has no tool result before this message` });
    }
    expected = [];
    answered.clear();
  };
  messages.forEach((message, index) => {
    if (message.role === 'tool') {
      const id = message.tool_call_id;
      if (expected.length === 0) {
        issues.push({ index, problem: `tool result ${id} answers no pending tool call` });
      } else if (!expected.includes(id)) {
        issues.push({
          index,
          problem: `tool result ${id} answers no call of the preceding assistant message`,
        });
      } else if (answered.has(id)) {
        issues.push({ index, problem: `tool call ${id} is answered twice` });
      } else {
        const want = expected[answered.size];
        if (id !== want)
          issues.push({ index, problem: `tool result ${id} is out of order (expected ${want})` });
        answered.add(id);
      }
      return;
    }
    closeOpenCalls(index);
    if (message.role === 'assistant' && message.tool_calls && message.tool_calls.length > 0) {
      const ids = message.tool_calls.map((call) => call.id);
      const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
      if (duplicate !== undefined) issues.push({ index, problem: `tool call id ${duplicate} appears twice` });
      expected = ids;
    }
  });
  closeOpenCalls(messages.length);
  return issues;
}

/**
 * The tool calls of the last assistant message that have no result yet, in call order (used after an
 * abort so the transcript can be closed with one result per call).
 */
export function unansweredToolCalls(messages: readonly ChatMessage[]): { id: string; name: string }[] {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i]!;
    if (message.role === 'tool') continue;
    if (message.role !== 'assistant' || !message.tool_calls) return [];
    const answered = new Set<string>();
    for (let j = i + 1; j < messages.length; j++) {
      const later = messages[j]!;
      if (later.role === 'tool') answered.add(later.tool_call_id);
    }
    return message.tool_calls
      .filter((call) => !answered.has(call.id))
      .map((call) => ({ id: call.id, name: call.function.name }));
  }
  return [];
}

/** How the `reasoning_content` of past assistant messages is sent back to the provider. */
export type ReasoningReplay =
  /** Send it back exactly as received. */
  | 'keep'
  /** Send it on every assistant message, `''` where none was produced (DeepSeek v4 thinking mode). */
  | 'always'
  /** Never send it back (DeepSeek R1 `deepseek-reasoner` rejects it). */
  | 'strip'
  /**
   * `strip` for `deepseek-reasoner` / R1 models; otherwise `keep`, and once the transcript shows
   * reasoning, every assistant `tool_calls` message carries a `reasoning_content` (`''` if none), which
   * DeepSeek's thinking mode requires.
   */
  | 'auto';

const R1_MODEL = /deepseek-reasoner|deepseek-r1/i;

/**
 * The messages to send for `model`, with past reasoning replayed per `mode`. Returns the same array
 * when nothing changes (the common case), so the hot path copies nothing.
 */
export function prepareReasoning(
  messages: ChatMessage[],
  model: string,
  mode: ReasoningReplay = 'auto',
): ChatMessage[] {
  if (mode === 'keep') return messages;
  const effective = mode === 'auto' ? (R1_MODEL.test(model) ? 'strip' : 'auto') : mode;
  if (effective === 'auto' && !messages.some(hasReasoning)) return messages;
  let changed = false;
  const out = messages.map((message) => {
    if (message.role !== 'assistant') return message;
    if (effective === 'strip') {
      if (!('reasoning_content' in message)) return message;
      changed = true;
      const { reasoning_content: _dropped, ...rest } = message;
      return rest as AssistantMessage;
    }
    if (typeof message.reasoning_content === 'string') return message;
    if (effective === 'auto' && !(message.tool_calls && message.tool_calls.length > 0)) return message;
    changed = true;
    return { ...message, reasoning_content: '' };
  });
  return changed ? out : messages;
}

function hasReasoning(message: ChatMessage): boolean {
  return message.role === 'assistant' && typeof message.reasoning_content === 'string';
}

/** A `tool` message answering `toolCallId` with `content`. */
export function toolMessage(toolCallId: string, content: string): ToolMessage {
  return { role: 'tool', tool_call_id: toolCallId, content };
}
