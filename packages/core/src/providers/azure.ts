import { definePreset, OPENAI_LIKE_CAPABILITIES } from './define-preset.js';
import { reasoningModelSampling } from './openai.js';
import type { ProviderCapabilities } from './provider-preset.js';
import { isOpenAIReasoningModel } from './request-rewrites.js';

/** The Azure OpenAI data-plane `api-version` used unless the client sets one (latest GA at writing). */
export const AZURE_DEFAULT_API_VERSION = '2024-10-21';

function azureModelCapabilities(model: string, base: ProviderCapabilities): ProviderCapabilities {
  return isOpenAIReasoningModel(model)
    ? { ...base, logprobs: false, maxTokensField: 'max_completion_tokens', developerRole: true }
    : base;
}

/**
 * Azure OpenAI: the base URL is the resource endpoint (`https://{resource}.openai.azure.com`); requests
 * go to `/openai/deployments/{deployment}/chat/completions?api-version=...` with an `api-key` header
 * (key from `AZURE_OPENAI_API_KEY`). The deployment defaults to the request's `model`.
 */
export const azurePreset = definePreset({
  name: 'azure',
  label: 'Azure OpenAI',
  baseURL: undefined,
  apiKeyEnv: 'AZURE_OPENAI_API_KEY',
  auth: 'api-key',
  apiKeyRequired: true,
  capabilities: { ...OPENAI_LIKE_CAPABILITIES, developerRole: false, maxTokensField: 'max_tokens' },
  modelCapabilities: azureModelCapabilities,
  after: [reasoningModelSampling],
  path: (request, options) => {
    const deployment = encodeURIComponent(options.deployment ?? request.model);
    const apiVersion = encodeURIComponent(options.apiVersion ?? AZURE_DEFAULT_API_VERSION);
    return `/openai/deployments/${deployment}/chat/completions?api-version=${apiVersion}`;
  },
});
