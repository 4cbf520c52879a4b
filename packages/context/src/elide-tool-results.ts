import type { ChatMessage, ToolMessage } from '@chatloop/protocol';
import { counterCache } from './context-budget.js';
import type { ContextManager, CounterFactory, PrepareContext } from './context-manager.js';

/** Defaults of {@link elideToolResults}. */
export const ELIDE_DEFAULTS = {
  /** Results of the newest tool-call groups are never elided: the model is working with them. */
  keepRecentGroups: 2,
  /** Only results longer than this many characters are elided. */
  minChars: 2000,
  /** Lines of the result kept in the stub. */
  previewLines: 3,
  /** Characters of the result kept in the stub at most. */
  previewChars: 300,
} as const;

/** Options of {@link elideToolResults}; see {@link ELIDE_DEFAULTS}. */
export interface ElideToolResultsOptions {
  keepRecentGroups?: number;
  minChars?: number;
  previewLines?: number;
  previewChars?: number;
  /** The counter for the token figures of the report. Default `@chatloop/models`. */
  counter?: CounterFactory;
}

function textOf(content: ToolMessage['content']): string {
  return typeof content === 'string' ? content : content.map((part) => part.text).join('');
}

/**
 * Replaces old, large tool results with a short stub (tool name, size, first lines), keeping the message
 * and its `tool_call_id`, so the transcript stays valid and the model knows what it once saw. Run it
 * before managers that drop messages: it frees room without losing the conversation's shape.
 *
 * Incremental: when the history only grew since the previous call, only the new messages and those that
 * just became old are looked at (one instance per conversation gets this; a shared one stays correct).
 * `elided` events report what each call newly elided. Stubs are cached per message, so their token counts
 * stay cached downstream.
 */
export function elideToolResults(options: ElideToolResultsOptions = {}): ContextManager {
  const keepRecentGroups = options.keepRecentGroups ?? ELIDE_DEFAULTS.keepRecentGroups;
  const minChars = options.minChars ?? ELIDE_DEFAULTS.minChars;
  const previewLines = options.previewLines ?? ELIDE_DEFAULTS.previewLines;
  const previewChars = options.previewChars ?? ELIDE_DEFAULTS.previewChars;
  const counterFor = counterCache(options.counter);
  const stubs = new WeakMap<ChatMessage, ToolMessage | null>();
  const name = 'elideToolResults';

  const stubFor = (message: ToolMessage, toolName: string): ToolMessage | null => {
    const cached = stubs.get(message);
    if (cached !== undefined) return cached;
    const text = textOf(message.content);
    let stub: ToolMessage | null = null;
    if (text.length > minChars) {
      const lines = text.split('\n');
      const preview = lines.slice(0, previewLines).join('\n').slice(0, previewChars);
      stub = {
        role: 'tool',
        tool_call_id: message.tool_call_id,
        content:
          `[tool result elided to save context: ${toolName}, ${text.length} characters, ${lines.length} lines. ` +
          `It began:]\n${preview}`,
      };
    }
    stubs.set(message, stub);
    return stub;
  };

  // Incremental state: the elided copy of the history seen so far, and how far elision has reached.
  let out: ChatMessage[] = [];
  let first: ChatMessage | undefined;
  let last: ChatMessage | undefined;
  let elidedUpTo = 0;
  const toolNames = new Map<string, string>();

  return {
    name,
    async prepare(messages: ChatMessage[], ctx: PrepareContext): Promise<ChatMessage[]> {
      const appended =
        out.length > 0 &&
        out.length <= messages.length &&
        messages[0] === first &&
        messages[out.length - 1] === last;
      if (!appended) {
        out = [];
        elidedUpTo = 0;
        toolNames.clear();
      }
      for (let i = out.length; i < messages.length; i++) {
        const message = messages[i]!;
        if (message.role === 'assistant') {
          for (const call of message.tool_calls ?? []) toolNames.set(call.id, call.function.name);
        }
        out.push(message);
      }
      first = messages[0];
      last = messages[messages.length - 1];
      // Everything from the `keepRecentGroups`-th newest tool_calls message on stays verbatim.
      let protectFrom = messages.length;
      let groups = 0;
      for (let i = messages.length - 1; i >= elidedUpTo && groups < keepRecentGroups; i--) {
        const message = messages[i]!;
        if (message.role === 'assistant' && message.tool_calls && message.tool_calls.length > 0) {
          groups += 1;
          protectFrom = i;
        }
      }
      if (groups < keepRecentGroups) protectFrom = elidedUpTo;
      for (let i = elidedUpTo; i < protectFrom; i++) {
        const message = messages[i]!;
        if (message.role !== 'tool') continue;
        const stub = stubFor(message, toolNames.get(message.tool_call_id) ?? 'unknown tool');
        if (!stub) continue;
        out[i] = stub;
        if (ctx.onEvent) {
          const counter = counterFor(ctx.model);
          const savedTokens = counter.countMessage(message) - counter.countMessage(stub);
          ctx.onEvent({ type: 'elided', manager: name, message, replacement: stub, savedTokens });
        }
      }
      elidedUpTo = Math.max(elidedUpTo, protectFrom);
      return out.slice();
    },
  };
}
