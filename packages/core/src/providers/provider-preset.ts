import type { ChatCompletionRequest } from '@chatloop/protocol';

/** The providers chatloop has presets for. */
export type ProviderName =
  | 'openai'
  | 'azure'
  | 'deepseek'
  | 'ollama'
  | 'vllm'
  | 'llamacpp'
  | 'groq'
  | 'openrouter'
  | 'together'
  | 'mistral'
  | 'openai-compatible';

/** How the API key travels: `Authorization: Bearer`, Azure's `api-key` header, or not at all. */
export type AuthStyle = 'bearer' | 'api-key' | 'none';

/** What a provider (or one of its models) accepts and returns. */
export interface ProviderCapabilities {
  /** Usage in streams: sent without asking, sent when `stream_options.include_usage` asks, or never. */
  streamUsage: 'always' | 'on-request' | 'never';
  /** Whether `stream_options` may be sent at all. */
  streamOptions: boolean;
  /** `response_format: { type: 'json_schema' }`. */
  jsonSchema: boolean;
  /** `strict: true` on function tools. */
  strictTools: boolean;
  /** `parallel_tool_calls`. */
  parallelToolCalls: boolean;
  /** The `developer` role (else it is sent as `system`). */
  developerRole: boolean;
  /** Which output-limit field it wants. */
  maxTokensField: 'max_tokens' | 'max_completion_tokens';
  /** Image content parts. */
  imageInput: boolean;
  /** `logprobs` / `top_logprobs`. */
  logprobs: boolean;
  /**
   * Reasoning output and its rules: the response field that carries it, and what to do with earlier
   * reasoning in the history (`required-with-tools`: DeepSeek v4 thinking mode wants it back on
   * tool-calling turns; `strip`: must not be sent back).
   */
  reasoning: { field: 'reasoning_content' | 'reasoning' | 'none'; history: 'required-with-tools' | 'strip' };
}

/** One change a rewrite made to a request, for the debug event. */
export interface RewriteChange {
  /** The request path changed, e.g. `max_tokens` or `messages[2].role`. */
  path: string;
  action: 'renamed' | 'removed' | 'set' | 'converted';
  /** Why, citing the provider rule. */
  reason: string;
}

/** A request as rewritten for one provider, with the list of what changed. */
export interface RewriteResult {
  request: ChatCompletionRequest;
  changes: RewriteChange[];
}

/** Provider-specific settings given to `createClient`. */
export interface ProviderOptions {
  /** Azure: the deployment name (default: the request's `model`). */
  deployment?: string;
  /** Azure: the `api-version` query parameter. Default `AZURE_DEFAULT_API_VERSION`. */
  apiVersion?: string;
}

/** Where and how to send a chat-completions request. */
export interface ProviderEndpoint {
  /** The path and query after the base URL, e.g. `/chat/completions`. */
  path: string;
  /** Auth headers to send (contain the key: never log them). */
  headers: Record<string, string>;
}

/**
 * A provider preset: its defaults, its auth, its capability table and the request rewrites that make
 * one request shape acceptable to it.
 */
export interface ProviderPreset {
  readonly name: ProviderName;
  /** Human name for docs and errors. */
  readonly label: string;
  /** The default base URL (`undefined` where each account has its own, as on Azure). */
  readonly baseURL: string | undefined;
  /** The environment variable that conventionally holds the key. */
  readonly apiKeyEnv: string | undefined;
  readonly auth: AuthStyle;
  /** Whether calls fail without a key. */
  readonly apiKeyRequired: boolean;
  /** The provider-wide capability table. */
  readonly capabilities: ProviderCapabilities;
  /** The capabilities for one model (reasoning models differ). */
  capabilitiesFor(model: string): ProviderCapabilities;
  /** The path and auth headers for a request. */
  endpoint(
    request: ChatCompletionRequest,
    apiKey: string | undefined,
    options?: ProviderOptions,
  ): ProviderEndpoint;
  /** Rewrites a request for this provider; the input is never mutated. */
  rewrite(request: ChatCompletionRequest): RewriteResult;
}
