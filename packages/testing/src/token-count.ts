import type { ChatCompletionRequest, ChatMessage } from '@chatloop/protocol';

/**
 * Tokens the server adds per message and once per prompt, like OpenAI's chat format overhead, so that
 * counts grow with the number of messages as well as their length.
 */
export const TOKEN_COUNT_DEFAULTS = {
  /** Characters per token: a token is counted for every started group of this many characters. */
  charsPerToken: 4,
  /** Tokens added for each message (role and separators). */
  tokensPerMessage: 3,
  /** Tokens added once per prompt (the assistant reply priming). */
  tokensPerPrompt: 3,
} as const;

/**
 * Counts the tokens of a text the way the test server does: `ceil(length / 4)` UTF-16 code units.
 * Deterministic, so tests can assert exact usage; it is not a real tokenizer.
 */
export function countTextTokens(text: string): number {
  return Math.ceil(text.length / TOKEN_COUNT_DEFAULTS.charsPerToken);
}

/** The text of a message's `content`, whichever form it takes (string, parts, null). */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let text = '';
  for (const part of content) {
    if (typeof part !== 'object' || part === null) continue;
    const { text: partText, refusal } = part as { text?: unknown; refusal?: unknown };
    if (typeof partText === 'string') text += partText;
    else if (typeof refusal === 'string') text += refusal;
  }
  return text;
}

function messageTokens(message: ChatMessage): number {
  let tokens = TOKEN_COUNT_DEFAULTS.tokensPerMessage + countTextTokens(contentText(message.content));
  if ('name' in message && typeof message.name === 'string') tokens += countTextTokens(message.name);
  if (message.role === 'assistant') {
    for (const call of message.tool_calls ?? []) {
      tokens += countTextTokens(call.function.name) + countTextTokens(call.function.arguments);
    }
    if (typeof message.reasoning_content === 'string') tokens += countTextTokens(message.reasoning_content);
    if (typeof message.refusal === 'string') tokens += countTextTokens(message.refusal);
  }
  return tokens;
}

/**
 * Counts the prompt tokens of a request: per message 3 + its text (content, name, tool calls' names
 * and arguments, reasoning), 3 for the prompt, and the JSON of `tools` when present.
 */
export function countPromptTokens(request: Pick<ChatCompletionRequest, 'messages' | 'tools'>): number {
  let tokens = TOKEN_COUNT_DEFAULTS.tokensPerPrompt;
  for (const message of request.messages) tokens += messageTokens(message);
  if (request.tools !== undefined && request.tools.length > 0) {
    tokens += countTextTokens(JSON.stringify(request.tools));
  }
  return tokens;
}
