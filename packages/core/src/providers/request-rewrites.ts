import type {
  AssistantMessage,
  ChatCompletionRequest,
  ChatMessage,
  FunctionTool,
  JsonSchema,
} from '@chatloop/protocol';
import type { ProviderCapabilities, RewriteChange } from './provider-preset.js';

/** A working copy of a request being rewritten; `messages` is a fresh array, message objects are shared. */
export interface RewriteDraft {
  request: ChatCompletionRequest;
  changes: RewriteChange[];
  /** The provider label, for reasons. */
  provider: string;
}

/** One rewrite step. */
export type RewriteStep = (draft: RewriteDraft, capabilities: ProviderCapabilities) => void;

/** Starts a draft: a shallow copy of the request with its own messages array. */
export function startDraft(request: ChatCompletionRequest, provider: string): RewriteDraft {
  return { request: { ...request, messages: [...request.messages] }, changes: [], provider };
}

function replaceMessage(draft: RewriteDraft, index: number, message: ChatMessage): void {
  draft.request.messages[index] = message;
}

/** `developer` messages become `system` where the provider has no developer role. */
export const developerToSystem: RewriteStep = (draft, capabilities) => {
  if (capabilities.developerRole) return;
  draft.request.messages.forEach((message, index) => {
    if (message.role !== 'developer') return;
    replaceMessage(draft, index, { ...message, role: 'system' });
    draft.changes.push({
      path: `messages[${index}].role`,
      action: 'converted',
      reason: `${draft.provider} has no developer role; sent as system`,
    });
  });
};

/** Renames the output limit to the field the provider wants. */
export const outputLimitField: RewriteStep = (draft, capabilities) => {
  const request = draft.request;
  const wanted = capabilities.maxTokensField;
  const other = wanted === 'max_tokens' ? 'max_completion_tokens' : 'max_tokens';
  const value = request[other];
  if (value === undefined) return;
  delete request[other];
  if (value !== null && request[wanted] === undefined) request[wanted] = value;
  draft.changes.push({ path: other, action: 'renamed', reason: `${draft.provider} wants ${wanted}` });
};

/** Asks for usage in streams where it is only sent on request; drops `stream_options` where unsupported. */
export const streamUsage: RewriteStep = (draft, capabilities) => {
  const request = draft.request;
  if (!capabilities.streamOptions) {
    if (request.stream_options !== undefined) {
      delete request.stream_options;
      draft.changes.push({
        path: 'stream_options',
        action: 'removed',
        reason: `${draft.provider} rejects stream_options`,
      });
    }
    return;
  }
  if (request.stream !== true || capabilities.streamUsage !== 'on-request') return;
  if (request.stream_options?.include_usage !== undefined) return;
  request.stream_options = { ...request.stream_options, include_usage: true };
  draft.changes.push({
    path: 'stream_options.include_usage',
    action: 'set',
    reason: `${draft.provider} reports stream usage only when asked; usage totals need it`,
  });
};

/** Removes `logprobs`/`top_logprobs` where unsupported. */
export const unsupportedLogprobs: RewriteStep = (draft, capabilities) => {
  if (capabilities.logprobs) return;
  dropParams(
    draft,
    ['logprobs', 'top_logprobs'],
    `${draft.provider} does not support logprobs for this model`,
  );
};

/** Removes `parallel_tool_calls` where unsupported. */
export const unsupportedParallelToolCalls: RewriteStep = (draft, capabilities) => {
  if (capabilities.parallelToolCalls) return;
  dropParams(draft, ['parallel_tool_calls'], `${draft.provider} does not accept parallel_tool_calls`);
};

/** Removes `strict` from function tools where unsupported. */
export const unsupportedStrictTools: RewriteStep = (draft, capabilities) => {
  if (capabilities.strictTools || draft.request.tools === undefined) return;
  draft.request.tools = draft.request.tools.map((tool, index) => {
    if (tool.function.strict === undefined) return tool;
    const { strict: _strict, ...fn } = tool.function;
    draft.changes.push({
      path: `tools[${index}].function.strict`,
      action: 'removed',
      reason: `${draft.provider} has no strict function tools`,
    });
    return { ...tool, function: fn };
  });
};

/** Handles earlier reasoning in the history per the provider's rule. */
export const reasoningHistory: RewriteStep = (draft, capabilities) => {
  const rule = capabilities.reasoning.history;
  const messages = draft.request.messages;
  messages.forEach((message, index) => {
    if (message.role !== 'assistant') return;
    const assistant = message as AssistantMessage;
    if (rule === 'strip') {
      if (assistant.reasoning_content === undefined && assistant.reasoning === undefined) return;
      const { reasoning_content: _content, reasoning: _reasoning, ...rest } = assistant;
      replaceMessage(draft, index, rest as AssistantMessage);
      draft.changes.push({
        path: `messages[${index}].reasoning_content`,
        action: 'removed',
        reason: `${draft.provider} does not take earlier reasoning back`,
      });
      return;
    }
    const hasToolCalls = (assistant.tool_calls?.length ?? 0) > 0;
    const reasoningText = typeof assistant.reasoning === 'string' ? assistant.reasoning : undefined;
    if (typeof assistant.reasoning_content === 'string' || !hasToolCalls) return;
    replaceMessage(draft, index, { ...assistant, reasoning_content: reasoningText ?? '' });
    draft.changes.push({
      path: `messages[${index}].reasoning_content`,
      action: 'set',
      reason: `${draft.provider} thinking mode answers 400 unless a tool-calling assistant turn carries reasoning_content`,
    });
  });
};

/** Removes top-level parameters, recording each. */
export function dropParams(draft: RewriteDraft, names: readonly string[], reason: string): void {
  for (const name of names) {
    if (draft.request[name] === undefined) continue;
    delete draft.request[name];
    draft.changes.push({ path: name, action: 'removed', reason });
  }
}

/** Removes `strict` and `additionalProperties` everywhere in tool parameter schemas (vLLM). */
export const plainToolSchemas: RewriteStep = (draft) => {
  if (draft.request.tools === undefined) return;
  draft.request.tools = draft.request.tools.map((tool, index): FunctionTool => {
    const removed: string[] = [];
    const fn: FunctionTool['function'] = { ...tool.function };
    if (fn.strict !== undefined) {
      delete fn.strict;
      removed.push('strict');
    }
    if (fn.parameters !== undefined) {
      const cleaned = stripSchemaKeys(fn.parameters, 'additionalProperties');
      if (cleaned.changed) {
        fn.parameters = cleaned.value as JsonSchema;
        removed.push('additionalProperties');
      }
    }
    for (const key of removed) {
      draft.changes.push({
        path: `tools[${index}].function.${key === 'strict' ? 'strict' : 'parameters'}`,
        action: 'removed',
        reason: `${draft.provider} rejects ${key} in tool schemas`,
      });
    }
    return removed.length > 0 ? { ...tool, function: fn } : tool;
  });
};

function stripSchemaKeys(value: unknown, key: string): { value: unknown; changed: boolean } {
  if (Array.isArray(value)) {
    let changed = false;
    const items = value.map((item) => {
      const result = stripSchemaKeys(item, key);
      changed ||= result.changed;
      return result.value;
    });
    return changed ? { value: items, changed } : { value, changed };
  }
  if (typeof value !== 'object' || value === null) return { value, changed: false };
  let changed = false;
  const copy: Record<string, unknown> = {};
  for (const [name, entry] of Object.entries(value)) {
    if (name === key) {
      changed = true;
      continue;
    }
    const result = stripSchemaKeys(entry, key);
    changed ||= result.changed;
    copy[name] = result.value;
  }
  return changed ? { value: copy, changed } : { value, changed };
}

/** True for OpenAI reasoning models: o1, o3, o4 families and the gpt-5 family. */
export function isOpenAIReasoningModel(model: string): boolean {
  const id = model.toLowerCase().replace(/^openai\//, '');
  return /^o\d(?:$|[-.])/.test(id) || /^gpt-5(?:$|[-.])/.test(id);
}
