import type { ChatCompletionRequest, CompletionMessage } from '@chatloop/protocol';
import type { ObjectSchema } from './object-schema.js';

/** How the model is asked for JSON. */
export type ExtractionMode = 'json_schema' | 'json_object' | 'tool' | 'text';

/** A mode, or `auto` to pick the best one the provider supports. */
export type ExtractionModeOption = ExtractionMode | 'auto';

/** What an endpoint supports for structured output (from a provider preset or a model's capabilities). */
export interface ModeCapabilities {
  /** `response_format: { type: 'json_schema' }` (structured outputs). */
  jsonSchema?: boolean;
  /** `response_format: { type: 'json_object' }` (JSON mode). */
  jsonObject?: boolean;
  /** Function tools with a forced `tool_choice`. */
  tools?: boolean;
  /** `response_format` cannot be combined with streaming (Groq). */
  noResponseFormatWhenStreaming?: boolean;
}

/**
 * The structured-output support of each provider preset, used by `auto` mode when the caller passes no
 * capabilities. An unknown provider is treated as a plain OpenAI-compatible server (JSON mode and tools).
 */
export const PROVIDER_CAPABILITIES: Readonly<Record<string, ModeCapabilities>> = {
  openai: { jsonSchema: true, jsonObject: true, tools: true },
  azure: { jsonSchema: true, jsonObject: true, tools: true },
  // DeepSeek: JSON mode and function tools, no json_schema response format.
  deepseek: { jsonSchema: false, jsonObject: true, tools: true },
  // Groq: JSON schema is better sent as a forced tool, and response_format cannot stream.
  groq: { jsonSchema: false, jsonObject: true, tools: true, noResponseFormatWhenStreaming: true },
  mistral: { jsonSchema: true, jsonObject: true, tools: true },
  openrouter: { jsonSchema: true, jsonObject: true, tools: true },
  together: { jsonSchema: true, jsonObject: true, tools: true },
  ollama: { jsonSchema: true, jsonObject: true, tools: true },
  vllm: { jsonSchema: true, jsonObject: true, tools: true },
  llamacpp: { jsonSchema: true, jsonObject: true, tools: false },
};

const UNKNOWN_PROVIDER: ModeCapabilities = { jsonSchema: false, jsonObject: true, tools: true };

/** The mode `auto` picked, and why (for logs and the result). */
export interface ResolvedMode {
  mode: ExtractionMode;
  reason: string;
}

/**
 * Resolves `auto` to the best mode the endpoint supports: `json_schema`, then `tool`, then `json_object`,
 * then `text`. An explicit mode is returned as is. Capabilities come from `capabilities`, else the
 * provider's row of {@link PROVIDER_CAPABILITIES}, else the model's own (`modelCapabilities`, e.g. from
 * `@chatloop/models`), else those of a plain OpenAI-compatible server (JSON mode and tools).
 */
export function resolveMode(options: {
  mode?: ExtractionModeOption;
  provider?: string;
  capabilities?: ModeCapabilities;
  modelCapabilities?: ModeCapabilities;
  streaming?: boolean;
}): ResolvedMode {
  const mode = options.mode ?? 'auto';
  if (mode !== 'auto') return { mode, reason: 'chosen by the caller' };
  const known = options.provider === undefined ? undefined : PROVIDER_CAPABILITIES[options.provider];
  let capabilities: ModeCapabilities;
  let source: string;
  if (options.capabilities) {
    capabilities = options.capabilities;
    source = 'the given capabilities';
  } else if (known) {
    capabilities = known;
    source = `provider ${options.provider}`;
  } else if (options.modelCapabilities) {
    capabilities = options.modelCapabilities;
    source = 'the model';
  } else {
    capabilities = UNKNOWN_PROVIDER;
    source = `an unknown provider${options.provider ? ` (${options.provider})` : ''}`;
  }
  const responseFormatOk = !(options.streaming && capabilities.noResponseFormatWhenStreaming);
  if (capabilities.jsonSchema && responseFormatOk)
    return { mode: 'json_schema', reason: `${source} supports json_schema` };
  if (capabilities.tools) return { mode: 'tool', reason: `${source} supports forced tool calls` };
  if (capabilities.jsonObject && responseFormatOk)
    return { mode: 'json_object', reason: `${source} supports JSON mode` };
  return { mode: 'text', reason: `${source} has no structured output; fenced JSON in text` };
}

/** The request fields a mode adds (response format, or the forced tool). */
export function modeRequestFields(
  mode: ExtractionMode,
  schema: ObjectSchema<unknown>,
): Partial<ChatCompletionRequest> {
  switch (mode) {
    case 'json_schema':
      return {
        response_format: {
          type: 'json_schema',
          json_schema: {
            name: schema.name,
            ...(schema.description ? { description: schema.description } : {}),
            schema: schema.jsonSchema,
            strict: schema.strict,
          },
        },
      };
    case 'json_object':
      return { response_format: { type: 'json_object' } };
    case 'tool':
      return {
        tools: [
          {
            type: 'function',
            function: {
              name: schema.name,
              description: schema.description ?? 'Record the extracted object.',
              parameters: schema.jsonSchema,
              strict: schema.strict,
            },
          },
        ],
        tool_choice: { type: 'function', function: { name: schema.name } },
      };
    case 'text':
      return {};
  }
}

/** What the model answered for the extraction: the JSON text, or a refusal, and the tool call id if any. */
export type ModeOutput =
  | { kind: 'output'; text: string; toolCallId?: string }
  | { kind: 'refusal'; refusal: string };

/**
 * Reads the answer of one completion message in a mode: a refusal first; in `tool` mode the first tool
 * call's arguments (falling back to the content when the model wrote text instead); else the content.
 */
export function readModeOutput(
  mode: ExtractionMode,
  message: Pick<CompletionMessage, 'content' | 'refusal' | 'tool_calls'>,
  finishReason: string | null,
): ModeOutput {
  if (typeof message.refusal === 'string' && message.refusal.length > 0) {
    return { kind: 'refusal', refusal: message.refusal };
  }
  if (finishReason === 'content_filter') {
    return { kind: 'refusal', refusal: 'the provider content filter stopped the answer' };
  }
  const call = message.tool_calls?.[0];
  if (mode === 'tool' && call) return { kind: 'output', text: call.function.arguments, toolCallId: call.id };
  return { kind: 'output', text: typeof message.content === 'string' ? message.content : '' };
}
