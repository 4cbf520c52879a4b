import { definePreset, OPENAI_LIKE_CAPABILITIES } from './define-preset.js';
import type { ProviderCapabilities } from './provider-preset.js';
import { dropParams, isOpenAIReasoningModel, type RewriteStep } from './request-rewrites.js';

/** OpenAI reasoning models accept no sampling knobs but the default temperature of 1. */
export const reasoningModelSampling: RewriteStep = (draft) => {
  if (!isOpenAIReasoningModel(draft.request.model)) return;
  const reason = `${draft.request.model} is a reasoning model: sampling parameters are rejected`;
  if (draft.request.temperature !== undefined && draft.request.temperature !== 1) {
    dropParams(draft, ['temperature'], reason);
  }
  dropParams(draft, ['top_p', 'presence_penalty', 'frequency_penalty', 'logit_bias'], reason);
};

/** The capabilities of OpenAI reasoning models (o-series, gpt-5 family). */
export function openAIModelCapabilities(model: string, base: ProviderCapabilities): ProviderCapabilities {
  return isOpenAIReasoningModel(model)
    ? { ...base, logprobs: false, maxTokensField: 'max_completion_tokens' }
    : base;
}

/** OpenAI: `https://api.openai.com/v1`, Bearer key from `OPENAI_API_KEY`. */
export const openaiPreset = definePreset({
  name: 'openai',
  label: 'OpenAI',
  baseURL: 'https://api.openai.com/v1',
  apiKeyEnv: 'OPENAI_API_KEY',
  auth: 'bearer',
  apiKeyRequired: true,
  capabilities: OPENAI_LIKE_CAPABILITIES,
  modelCapabilities: openAIModelCapabilities,
  after: [reasoningModelSampling],
});
