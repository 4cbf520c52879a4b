import { azurePreset } from './azure.js';
import { deepseekPreset } from './deepseek.js';
import { groqPreset } from './groq.js';
import { openaiCompatiblePreset, openrouterPreset, togetherPreset } from './hosted-gateways.js';
import { llamacppPreset, ollamaPreset, vllmPreset } from './local-servers.js';
import { mistralPreset } from './mistral.js';
import { openaiPreset } from './openai.js';
import type { ProviderName, ProviderPreset } from './provider-preset.js';

/** Every provider preset, by name. */
export const PROVIDER_PRESETS: Readonly<Record<ProviderName, ProviderPreset>> = Object.freeze({
  openai: openaiPreset,
  azure: azurePreset,
  deepseek: deepseekPreset,
  ollama: ollamaPreset,
  vllm: vllmPreset,
  llamacpp: llamacppPreset,
  groq: groqPreset,
  openrouter: openrouterPreset,
  together: togetherPreset,
  mistral: mistralPreset,
  'openai-compatible': openaiCompatiblePreset,
});

/** Other spellings accepted for preset names. */
const ALIASES: Readonly<Record<string, ProviderName>> = Object.freeze({
  'azure-openai': 'azure',
  'llama.cpp': 'llamacpp',
  'llama-cpp': 'llamacpp',
  generic: 'openai-compatible',
});

/** True when `name` names a preset (or an accepted alias such as `azure-openai`). */
export function isProviderName(name: string): boolean {
  return Object.hasOwn(PROVIDER_PRESETS, name) || Object.hasOwn(ALIASES, name);
}

/**
 * The preset for a provider name.
 * @throws RangeError for an unknown name (the message lists the known ones).
 */
export function getProviderPreset(name: string): ProviderPreset {
  const key = (Object.hasOwn(ALIASES, name) ? ALIASES[name] : name) as ProviderName;
  if (!Object.hasOwn(PROVIDER_PRESETS, key)) {
    throw new RangeError(`Unknown provider "${name}"; known: ${Object.keys(PROVIDER_PRESETS).join(', ')}`);
  }
  return PROVIDER_PRESETS[key];
}
