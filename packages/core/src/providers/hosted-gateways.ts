import { definePreset, OPENAI_LIKE_CAPABILITIES } from './define-preset.js';

/** OpenRouter: `https://openrouter.ai/api/v1`, Bearer key from `OPENROUTER_API_KEY`; usage ends every stream. */
export const openrouterPreset = definePreset({
  name: 'openrouter',
  label: 'OpenRouter',
  baseURL: 'https://openrouter.ai/api/v1',
  apiKeyEnv: 'OPENROUTER_API_KEY',
  auth: 'bearer',
  apiKeyRequired: true,
  capabilities: {
    ...OPENAI_LIKE_CAPABILITIES,
    streamUsage: 'always',
    developerRole: false,
    maxTokensField: 'max_tokens',
    reasoning: { field: 'reasoning', history: 'strip' },
  },
});

/** Together AI: `https://api.together.xyz/v1`, Bearer key from `TOGETHER_API_KEY`; stream usage on request. */
export const togetherPreset = definePreset({
  name: 'together',
  label: 'Together AI',
  baseURL: 'https://api.together.xyz/v1',
  apiKeyEnv: 'TOGETHER_API_KEY',
  auth: 'bearer',
  apiKeyRequired: true,
  capabilities: {
    ...OPENAI_LIKE_CAPABILITIES,
    strictTools: false,
    developerRole: false,
    maxTokensField: 'max_tokens',
    reasoning: { field: 'reasoning', history: 'strip' },
  },
});

/**
 * Any other OpenAI-compatible server: Bearer key when given, and the request sent exactly as written
 * (no rewrites, since nothing is known about the server).
 */
export const openaiCompatiblePreset = definePreset({
  name: 'openai-compatible',
  label: 'OpenAI-compatible server',
  baseURL: undefined,
  apiKeyEnv: undefined,
  auth: 'bearer',
  apiKeyRequired: false,
  capabilities: OPENAI_LIKE_CAPABILITIES,
  noCommonSteps: true,
});
