import type { ChatCompletionRequest } from '@chatloop/protocol';

/** Defaults of {@link estimateRequestTokens}. */
export const TOKEN_ESTIMATE_DEFAULTS = Object.freeze({
  /** Characters per token of the rough estimate. */
  charsPerToken: 4,
  /** Output tokens charged when the request sets no output limit. */
  defaultOutputTokens: 1024,
});

/**
 * A quick, dependency-free charge for a rate limiter's token budget: the request's messages and tools
 * at ~4 characters per token, plus its output limit (`max_completion_tokens` / `max_tokens`, else
 * 1,024). The limiter corrects it with the real usage when the call ends. For exact counts pass a
 * tokenizer-backed estimate (e.g. `countChatTokens` of `@chatloop/models`) as `estimateTokens`.
 */
export function estimateRequestTokens(request: ChatCompletionRequest): number {
  let chars = 0;
  for (const message of request.messages) {
    const content = message.content;
    if (typeof content === 'string') chars += content.length;
    else if (Array.isArray(content)) chars += JSON.stringify(content).length;
    if (message.role === 'assistant' && message.tool_calls !== undefined)
      chars += JSON.stringify(message.tool_calls).length;
    chars += 16;
  }
  if (request.tools !== undefined) chars += JSON.stringify(request.tools).length;
  const output =
    request.max_completion_tokens ?? request.max_tokens ?? TOKEN_ESTIMATE_DEFAULTS.defaultOutputTokens;
  return Math.ceil(chars / TOKEN_ESTIMATE_DEFAULTS.charsPerToken) + output;
}
