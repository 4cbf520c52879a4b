import type { TokenCounter } from '@chatloop/models';
import type { ChatMessage } from '@chatloop/protocol';
import { countPromptTokens, countTextTokens } from '@chatloop/testing';

/**
 * A TokenCounter that counts exactly like the testing server (chars/4 plus framing), so tests with a
 * tight server window can assert "never over" without a margin.
 */
export function serverCounter(model = 'test-model'): TokenCounter {
  const prompt = (
    messages: readonly ChatMessage[],
    tools?: Parameters<typeof countPromptTokens>[0]['tools'],
  ) => countPromptTokens({ messages: [...messages], ...(tools ? { tools } : {}) });
  return {
    model,
    tokenizer: 'estimate',
    countText: countTextTokens,
    countMessage: (message) => prompt([message]) - prompt([]),
    countTools: (tools) => (tools && tools.length > 0 ? prompt([], [...tools]) - prompt([]) : 0),
    countChat: (messages, tools) => ({
      tokens: prompt(messages, tools ? [...tools] : undefined),
      estimated: true,
      tokenizer: 'estimate',
    }),
  };
}
