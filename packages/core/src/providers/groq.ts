import type { AssistantMessage } from '@chatloop/protocol';
import { definePreset, OPENAI_LIKE_CAPABILITIES } from './define-preset.js';
import type { RewriteStep } from './request-rewrites.js';
import { UnsupportedRequestError } from './unsupported-request-error.js';

const streamedResponseFormat: RewriteStep = (draft) => {
  const format = draft.request.response_format;
  if (draft.request.stream === true && format !== undefined && format.type !== 'text') {
    throw new UnsupportedRequestError(
      'groq',
      'response_format',
      'Groq cannot combine response_format with streaming; use chat() or a forced tool call instead',
    );
  }
};

const nullFunctionCall: RewriteStep = (draft) => {
  draft.request.messages.forEach((message, index) => {
    if (message.role !== 'assistant' || !('function_call' in message) || message.function_call !== null)
      return;
    const { function_call: _functionCall, ...rest } = message as AssistantMessage;
    draft.request.messages[index] = rest as AssistantMessage;
    draft.changes.push({
      path: `messages[${index}].function_call`,
      action: 'removed',
      reason: 'Groq rejects a null function_call',
    });
  });
};

/**
 * Groq: `https://api.groq.com/openai/v1`, Bearer key from `GROQ_API_KEY`. No logprobs; a structured
 * `response_format` cannot be streamed (refused before sending); a null `function_call` is dropped.
 */
export const groqPreset = definePreset({
  name: 'groq',
  label: 'Groq',
  baseURL: 'https://api.groq.com/openai/v1',
  apiKeyEnv: 'GROQ_API_KEY',
  auth: 'bearer',
  apiKeyRequired: true,
  capabilities: {
    ...OPENAI_LIKE_CAPABILITIES,
    strictTools: false,
    developerRole: false,
    logprobs: false,
    imageInput: true,
    reasoning: { field: 'reasoning', history: 'strip' },
  },
  before: [streamedResponseFormat],
  after: [nullFunctionCall],
});
