import type { ChatMessage } from './message.js';

/** A JSON Schema object, as the API accepts it. */
export type JsonSchema = { [key: string]: unknown };

/** A function tool the model may call. */
export interface FunctionTool {
  type: 'function';
  function: {
    name: string;
    description?: string;
    parameters?: JsonSchema;
    /** Structured-outputs strict mode for the arguments. */
    strict?: boolean | null;
  };
}

/** Which tool the model must (or may) call. */
export type ToolChoice =
  | 'none'
  | 'auto'
  | 'required'
  | { type: 'function'; function: { name: string } }
  | {
      type: 'allowed_tools';
      allowed_tools: { mode: 'auto' | 'required'; tools: Array<Record<string, unknown>> };
    };

/** The requested shape of the answer. */
export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | {
      type: 'json_schema';
      json_schema: { name: string; description?: string; schema?: JsonSchema; strict?: boolean | null };
    };

/** Options of a streamed request. */
export interface StreamOptions {
  /** Ask for a final chunk with `usage` and empty `choices`. */
  include_usage?: boolean;
  include_obfuscation?: boolean;
}

/**
 * A ChatCompletions request body as of 2026. Every field but `model` and `messages` is optional, and
 * fields a provider adds (e.g. DeepSeek's `thinking`) pass through untouched.
 */
export interface ChatCompletionRequest {
  model: string;
  messages: ChatMessage[];
  temperature?: number | null;
  top_p?: number | null;
  /** Legacy output limit; OpenAI reasoning models want `max_completion_tokens`. */
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  n?: number | null;
  stop?: string | string[] | null;
  seed?: number | null;
  presence_penalty?: number | null;
  frequency_penalty?: number | null;
  logit_bias?: Record<string, number> | null;
  logprobs?: boolean | null;
  top_logprobs?: number | null;
  user?: string;
  tools?: FunctionTool[];
  tool_choice?: ToolChoice;
  parallel_tool_calls?: boolean;
  response_format?: ResponseFormat;
  stream?: boolean | null;
  stream_options?: StreamOptions | null;
  reasoning_effort?: 'none' | 'minimal' | 'low' | 'medium' | 'high' | (string & {}) | null;
  service_tier?: 'auto' | 'default' | 'flex' | 'scale' | 'priority' | (string & {}) | null;
  metadata?: Record<string, string> | null;
  store?: boolean | null;
  prediction?: { type: 'content'; content: string | Array<{ type: 'text'; text: string }> } | null;
  modalities?: Array<'text' | 'audio'> | null;
  audio?: { voice: string; format: string } | null;
  verbosity?: 'low' | 'medium' | 'high' | null;
  /** Fields a provider adds pass through untouched. */
  [extra: string]: unknown;
}
