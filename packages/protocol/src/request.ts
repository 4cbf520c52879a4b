import type { ChatMessage, TextContentPart } from './message.js';

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
  /** Pad chunks with a random `obfuscation` field against side-channel length analysis. */
  include_obfuscation?: boolean;
}

/** How hard a reasoning model thinks before answering. */
export type ReasoningEffort =
  | 'none'
  | 'minimal'
  | 'low'
  | 'medium'
  | 'high'
  | 'xhigh'
  | 'max'
  | (string & {});

/** The processing tier to serve the request with. */
export type ServiceTier = 'auto' | 'default' | 'flex' | 'scale' | 'priority' | 'fast' | (string & {});

/** Audio output options, for `modalities: ['text', 'audio']`. */
export interface AudioOutputOptions {
  /** A built-in voice name (`alloy`, `marin`, ...) or a custom voice id. */
  voice: string | { id: string };
  format: 'wav' | 'aac' | 'mp3' | 'flac' | 'opus' | 'pcm16' | (string & {});
}

/** Predicted output (e.g. a file being edited), which speeds up generation of the unchanged parts. */
export interface PredictionContent {
  type: 'content';
  content: string | TextContentPart[];
}

/** Options of the built-in web search of search models. */
export interface WebSearchOptions {
  user_location?: {
    type: 'approximate';
    approximate: { country?: string; region?: string; city?: string; timezone?: string };
  } | null;
  search_context_size?: 'low' | 'medium' | 'high';
}

/** Prompt-cache options: the cache mode and how long entries live. */
export interface PromptCacheOptions {
  mode?: 'implicit' | 'explicit';
  ttl?: '30m' | (string & {});
}

/** Moderation of the request's input and output by a moderation model. */
export interface ModerationOptions {
  model: string;
  policy?: {
    input?: { mode: 'score' | 'block' } | null;
    output?: { mode: 'score' | 'block' } | null;
  } | null;
}

/** A legacy function definition (`functions`; superseded by `tools`). */
export interface LegacyFunctionDefinition {
  name: string;
  description?: string;
  parameters?: JsonSchema;
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
  /** @deprecated Use `safety_identifier` and `prompt_cache_key`. */
  user?: string;
  tools?: FunctionTool[];
  tool_choice?: ToolChoice;
  parallel_tool_calls?: boolean;
  response_format?: ResponseFormat;
  stream?: boolean | null;
  stream_options?: StreamOptions | null;
  reasoning_effort?: ReasoningEffort | null;
  verbosity?: 'low' | 'medium' | 'high' | null;
  service_tier?: ServiceTier | null;
  /** Up to 16 string pairs stored with the completion. */
  metadata?: Record<string, string> | null;
  /** Store the completion for distillation and evals. */
  store?: boolean | null;
  prediction?: PredictionContent | null;
  modalities?: Array<'text' | 'audio'> | null;
  audio?: AudioOutputOptions | null;
  web_search_options?: WebSearchOptions;
  /** Groups requests that share a long prefix, for better prompt-cache hits. */
  prompt_cache_key?: string | null;
  prompt_cache_retention?: 'in_memory' | '24h' | null;
  prompt_cache_options?: PromptCacheOptions;
  /** A stable, hashed id of the end user, for abuse detection (at most 64 characters). */
  safety_identifier?: string | null;
  moderation?: ModerationOptions | null;
  /** @deprecated Use `tool_choice`. */
  function_call?: 'none' | 'auto' | { name: string };
  /** @deprecated Use `tools`. */
  functions?: LegacyFunctionDefinition[];
  /** Fields a provider adds pass through untouched. */
  [extra: string]: unknown;
}
