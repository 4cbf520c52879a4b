import type { AssistantMessage, ChatMessage } from '@chatloop/protocol';
import { definePreset, OPENAI_LIKE_CAPABILITIES } from './define-preset.js';
import type { RewriteStep } from './request-rewrites.js';

const toolChoice: RewriteStep = (draft) => {
  const choice = draft.request.tool_choice as unknown;
  if (choice === undefined || choice === 'auto' || choice === 'none' || choice === 'any') return;
  if (choice === 'required') {
    draft.request.tool_choice = 'any' as never;
    draft.changes.push({
      path: 'tool_choice',
      action: 'converted',
      reason: 'Mistral spells "required" as "any"',
    });
    return;
  }
  const named = choice as { type?: string; function?: { name?: string } };
  if (named.type === 'function' && typeof named.function?.name === 'string') {
    const name = named.function.name;
    const kept = draft.request.tools?.filter((tool) => tool.function.name === name);
    if (kept !== undefined && kept.length > 0) draft.request.tools = kept;
    draft.request.tool_choice = 'any' as never;
    draft.changes.push({
      path: 'tool_choice',
      action: 'converted',
      reason: `Mistral has no named tool_choice; sent as "any" with only the tool ${name}`,
    });
    return;
  }
  delete draft.request.tool_choice;
  draft.changes.push({
    path: 'tool_choice',
    action: 'removed',
    reason: 'Mistral does not support this tool_choice',
  });
};

const messageShape: RewriteStep = (draft) => {
  const kept: ChatMessage[] = [];
  draft.request.messages.forEach((message, index) => {
    if (message.role === 'assistant') {
      const assistant = message as AssistantMessage;
      const empty =
        (assistant.content === undefined ||
          assistant.content === null ||
          assistant.content === '' ||
          (Array.isArray(assistant.content) && assistant.content.length === 0)) &&
        (assistant.tool_calls?.length ?? 0) === 0;
      if (empty) {
        draft.changes.push({
          path: `messages[${index}]`,
          action: 'removed',
          reason: 'Mistral rejects empty assistant messages',
        });
        return;
      }
    }
    let next: ChatMessage = message;
    if ('name' in message && message.name !== undefined) {
      const { name: _name, ...rest } = message;
      next = rest as ChatMessage;
      draft.changes.push({
        path: `messages[${index}].name`,
        action: 'removed',
        reason: 'Mistral rejects name on messages',
      });
    }
    const nulls = Object.entries(next).filter(([, value]) => value === null);
    if (nulls.length > 0) {
      next = Object.fromEntries(Object.entries(next).filter(([, value]) => value !== null)) as ChatMessage;
      for (const [key] of nulls) {
        draft.changes.push({
          path: `messages[${index}].${key}`,
          action: 'removed',
          reason: 'Mistral rejects null fields',
        });
      }
    }
    kept.push(next);
  });
  draft.request.messages = kept;
};

const topLevel: RewriteStep = (draft) => {
  const request = draft.request;
  for (const [key, value] of Object.entries(request)) {
    if (value !== null) continue;
    delete request[key];
    draft.changes.push({ path: key, action: 'removed', reason: 'Mistral rejects null fields' });
  }
  if (request.seed !== undefined) {
    request.random_seed = request.seed;
    delete request.seed;
    draft.changes.push({ path: 'seed', action: 'renamed', reason: 'Mistral names it random_seed' });
  }
};

/**
 * Mistral: `https://api.mistral.ai/v1`, Bearer key from `MISTRAL_API_KEY`. `tool_choice` "required"
 * becomes "any", message `name` and null fields are stripped, empty assistant turns dropped, `seed` is
 * `random_seed`; usage always ends a stream, so `stream_options` is not sent.
 */
export const mistralPreset = definePreset({
  name: 'mistral',
  label: 'Mistral',
  baseURL: 'https://api.mistral.ai/v1',
  apiKeyEnv: 'MISTRAL_API_KEY',
  auth: 'bearer',
  apiKeyRequired: true,
  capabilities: {
    ...OPENAI_LIKE_CAPABILITIES,
    streamUsage: 'always',
    streamOptions: false,
    strictTools: false,
    developerRole: false,
    maxTokensField: 'max_tokens',
    logprobs: false,
  },
  after: [toolChoice, messageShape, topLevel],
});
