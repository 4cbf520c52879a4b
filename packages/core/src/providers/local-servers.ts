import { definePreset, OPENAI_LIKE_CAPABILITIES } from './define-preset.js';
import type { ProviderCapabilities } from './provider-preset.js';
import { plainToolSchemas } from './request-rewrites.js';

const LOCAL_CAPABILITIES: ProviderCapabilities = {
  ...OPENAI_LIKE_CAPABILITIES,
  strictTools: false,
  developerRole: false,
  maxTokensField: 'max_tokens',
  reasoning: { field: 'reasoning_content', history: 'strip' },
};

/** Ollama's OpenAI-compatible endpoint: `http://localhost:11434/v1`, no key. */
export const ollamaPreset = definePreset({
  name: 'ollama',
  label: 'Ollama',
  baseURL: 'http://localhost:11434/v1',
  apiKeyEnv: undefined,
  auth: 'bearer',
  apiKeyRequired: false,
  capabilities: { ...LOCAL_CAPABILITIES, logprobs: false, parallelToolCalls: false },
});

/**
 * vLLM's OpenAI-compatible server: `http://localhost:8000/v1`, key optional (`VLLM_API_KEY` when started
 * with `--api-key`). Tool schemas lose `strict` and `additionalProperties`; newer versions name the
 * reasoning field `reasoning`.
 */
export const vllmPreset = definePreset({
  name: 'vllm',
  label: 'vLLM',
  baseURL: 'http://localhost:8000/v1',
  apiKeyEnv: 'VLLM_API_KEY',
  auth: 'bearer',
  apiKeyRequired: false,
  capabilities: { ...LOCAL_CAPABILITIES, reasoning: { field: 'reasoning', history: 'strip' } },
  after: [plainToolSchemas],
});

/** llama.cpp's `llama-server`: `http://localhost:8080/v1`, key optional (`LLAMA_API_KEY` with `--api-key`). */
export const llamacppPreset = definePreset({
  name: 'llamacpp',
  label: 'llama.cpp server',
  baseURL: 'http://localhost:8080/v1',
  apiKeyEnv: 'LLAMA_API_KEY',
  auth: 'bearer',
  apiKeyRequired: false,
  capabilities: { ...LOCAL_CAPABILITIES, parallelToolCalls: false },
  after: [plainToolSchemas],
});
