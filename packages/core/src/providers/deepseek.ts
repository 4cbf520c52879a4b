import { definePreset } from './define-preset.js';
import type { ProviderCapabilities } from './provider-preset.js';
import { dropParams, type RewriteStep } from './request-rewrites.js';

/**
 * DeepSeek's retired aliases (inaccessible after 2026-07-24) and what they meant: both are
 * deepseek-v4-flash, `deepseek-chat` with thinking disabled, `deepseek-reasoner` with it enabled.
 */
export const DEEPSEEK_MODEL_ALIASES: Readonly<
  Record<string, { model: string; thinking: 'enabled' | 'disabled' }>
> = Object.freeze({
  'deepseek-chat': { model: 'deepseek-v4-flash', thinking: 'disabled' },
  'deepseek-reasoner': { model: 'deepseek-v4-flash', thinking: 'enabled' },
});

/** Whether a DeepSeek request runs in thinking mode (v4 thinks unless `thinking.type` is `disabled`). */
export function isDeepSeekThinking(request: { model: string; thinking?: unknown }): boolean {
  const thinking = request.thinking;
  if (
    typeof thinking === 'object' &&
    thinking !== null &&
    (thinking as { type?: unknown }).type === 'disabled'
  ) {
    return false;
  }
  return request.model !== 'deepseek-chat';
}

const mapAliases: RewriteStep = (draft) => {
  const alias = DEEPSEEK_MODEL_ALIASES[draft.request.model];
  if (alias === undefined) return;
  draft.changes.push({
    path: 'model',
    action: 'converted',
    reason: `DeepSeek retired the alias ${draft.request.model}; it meant ${alias.model} with thinking ${alias.thinking}`,
  });
  draft.request.model = alias.model;
  if (draft.request.thinking === undefined) {
    draft.request.thinking = { type: alias.thinking };
    draft.changes.push({
      path: 'thinking',
      action: 'set',
      reason: `keeps the alias's thinking ${alias.thinking}`,
    });
  }
};

const thinkingModeParams: RewriteStep = (draft) => {
  if (!isDeepSeekThinking(draft.request)) return;
  dropParams(draft, ['logprobs', 'top_logprobs'], 'DeepSeek thinking mode rejects logprobs');
};

const jsonSchemaToJsonObject: RewriteStep = (draft) => {
  if (draft.request.response_format?.type !== 'json_schema') return;
  draft.request.response_format = { type: 'json_object' };
  draft.changes.push({
    path: 'response_format',
    action: 'converted',
    reason: 'DeepSeek supports json_object, not json_schema; validate the answer against the schema yourself',
  });
};

function deepseekModelCapabilities(model: string, base: ProviderCapabilities): ProviderCapabilities {
  return model === 'deepseek-chat'
    ? { ...base, reasoning: { field: 'reasoning_content', history: 'strip' } }
    : base;
}

/**
 * DeepSeek: `https://api.deepseek.com`, Bearer key from `DEEPSEEK_API_KEY`, models deepseek-v4-pro and
 * deepseek-v4-flash (thinking mode on by default). Keeps `reasoning_content` on tool-calling assistant
 * turns (400 otherwise), drops logprobs in thinking mode, maps the retired aliases.
 */
export const deepseekPreset = definePreset({
  name: 'deepseek',
  label: 'DeepSeek',
  baseURL: 'https://api.deepseek.com',
  apiKeyEnv: 'DEEPSEEK_API_KEY',
  auth: 'bearer',
  apiKeyRequired: true,
  capabilities: {
    streamUsage: 'on-request',
    streamOptions: true,
    jsonSchema: false,
    strictTools: false,
    parallelToolCalls: false,
    developerRole: false,
    maxTokensField: 'max_tokens',
    imageInput: false,
    logprobs: true,
    reasoning: { field: 'reasoning_content', history: 'required-with-tools' },
  },
  modelCapabilities: deepseekModelCapabilities,
  before: [mapAliases, thinkingModeParams, jsonSchemaToJsonObject],
});
