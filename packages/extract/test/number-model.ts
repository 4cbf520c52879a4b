import type { ChatCompletionRequest } from '@chatloop/protocol';
import { type ScriptedModel, scriptedModel } from '@chatloop/testing';

/**
 * A scripted model that answers `{ n, word: 'ok' }`, `n` being the first number in the last user message
 * ("item 17" -> 17): as a forced tool call when the request has tools, else as content.
 */
export function numberModel(onRequest?: (request: ChatCompletionRequest) => void): ScriptedModel {
  return scriptedModel([
    (request) => {
      onRequest?.(request);
      const last = request.messages.filter((message) => message.role === 'user').at(-1);
      const text = typeof last?.content === 'string' ? last.content : '';
      const answer = JSON.stringify({ n: Number(/\d+/.exec(text)?.[0] ?? -1), word: 'ok' });
      const tool = request.tools?.[0];
      return tool ? { toolCalls: [{ name: tool.function.name, arguments: answer }] } : { content: answer };
    },
  ]);
}

/** The JSON schema numberModel's answers match. */
export const NUMBER_SCHEMA = {
  type: 'object',
  properties: { n: { type: 'integer' }, word: { type: 'string' } },
  required: ['n', 'word'],
  additionalProperties: false,
};
