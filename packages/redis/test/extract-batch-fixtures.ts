import type { ChatCompletionRequest } from '@chatloop/protocol';
import { type ScriptedModel, scriptedModel } from '@chatloop/testing';

/** `count` batch inputs `{ id: 'doc-i', text: 'item i' }`. */
export function batchInputs(count: number): { id: string; text: string }[] {
  return Array.from({ length: count }, (_, index) => ({ id: `doc-${index}`, text: `item ${index}` }));
}

/** The number in the last user message of a request ("item 17" -> 17), or -1. */
export function itemNumber(request: { body?: unknown } | ChatCompletionRequest): number {
  const body = ('messages' in request ? request : request.body) as ChatCompletionRequest | undefined;
  const last = body?.messages?.filter((message) => message.role === 'user').at(-1);
  const text = typeof last?.content === 'string' ? last.content : '';
  return Number(/item (\d+)/.exec(text)?.[1] ?? -1);
}

/**
 * A scripted model answering `{ n, word: 'ok' }` for "item n" (as a forced tool call when the request
 * has tools), after `delayMs`.
 */
export function numberModel(delayMs = 0): ScriptedModel {
  return scriptedModel([
    async (request) => {
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      const answer = JSON.stringify({ n: itemNumber(request), word: 'ok' });
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
} as const;
