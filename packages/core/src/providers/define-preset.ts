import type { ChatCompletionRequest } from '@chatloop/protocol';
import type {
  AuthStyle,
  ProviderCapabilities,
  ProviderEndpoint,
  ProviderName,
  ProviderOptions,
  ProviderPreset,
  RewriteResult,
} from './provider-preset.js';
import {
  developerToSystem,
  outputLimitField,
  type RewriteStep,
  reasoningHistory,
  startDraft,
  streamUsage,
  unsupportedLogprobs,
  unsupportedParallelToolCalls,
  unsupportedStrictTools,
} from './request-rewrites.js';

/** The rewrites every preset but the generic one applies, in order. */
export const COMMON_REWRITE_STEPS: readonly RewriteStep[] = [
  developerToSystem,
  outputLimitField,
  streamUsage,
  unsupportedLogprobs,
  unsupportedParallelToolCalls,
  unsupportedStrictTools,
  reasoningHistory,
];

/** The description of a preset that {@link definePreset} turns into a {@link ProviderPreset}. */
export interface PresetSpec {
  name: ProviderName;
  label: string;
  baseURL: string | undefined;
  apiKeyEnv: string | undefined;
  auth: AuthStyle;
  apiKeyRequired: boolean;
  capabilities: ProviderCapabilities;
  /** Per-model overrides of the capability table. */
  modelCapabilities?: (model: string, base: ProviderCapabilities) => ProviderCapabilities;
  /** Steps before the common ones (e.g. alias mapping). */
  before?: readonly RewriteStep[];
  /** Steps after the common ones. */
  after?: readonly RewriteStep[];
  /** Skip {@link COMMON_REWRITE_STEPS} (the generic preset sends requests as given). */
  noCommonSteps?: boolean;
  /** The path and query after the base URL. Default `/chat/completions`. */
  path?: (request: ChatCompletionRequest, options: ProviderOptions) => string;
}

/** Auth headers in the given style; none without a key. */
export function authHeaders(style: AuthStyle, apiKey: string | undefined): Record<string, string> {
  if (apiKey === undefined || apiKey === '' || style === 'none') return {};
  return style === 'api-key' ? { 'api-key': apiKey } : { authorization: `Bearer ${apiKey}` };
}

/** Builds a {@link ProviderPreset} from its description. */
export function definePreset(spec: PresetSpec): ProviderPreset {
  const capabilitiesFor = (model: string): ProviderCapabilities =>
    spec.modelCapabilities === undefined
      ? spec.capabilities
      : spec.modelCapabilities(model, spec.capabilities);
  const steps = [
    ...(spec.before ?? []),
    ...(spec.noCommonSteps ? [] : COMMON_REWRITE_STEPS),
    ...(spec.after ?? []),
  ];
  return Object.freeze({
    name: spec.name,
    label: spec.label,
    baseURL: spec.baseURL,
    apiKeyEnv: spec.apiKeyEnv,
    auth: spec.auth,
    apiKeyRequired: spec.apiKeyRequired,
    capabilities: spec.capabilities,
    capabilitiesFor,
    endpoint(
      request: ChatCompletionRequest,
      apiKey: string | undefined,
      options: ProviderOptions = {},
    ): ProviderEndpoint {
      return {
        path: spec.path === undefined ? '/chat/completions' : spec.path(request, options),
        headers: authHeaders(spec.auth, apiKey),
      };
    },
    rewrite(request: ChatCompletionRequest): RewriteResult {
      const draft = startDraft(request, spec.label);
      for (const step of steps) step(draft, capabilitiesFor(draft.request.model));
      return { request: draft.request, changes: draft.changes };
    },
  });
}

/** A capability table that allows everything OpenAI's API allows. */
export const OPENAI_LIKE_CAPABILITIES: Readonly<ProviderCapabilities> = Object.freeze<ProviderCapabilities>({
  streamUsage: 'on-request',
  streamOptions: true,
  jsonSchema: true,
  strictTools: true,
  parallelToolCalls: true,
  developerRole: true,
  maxTokensField: 'max_completion_tokens',
  imageInput: true,
  logprobs: true,
  reasoning: { field: 'none', history: 'strip' },
});
