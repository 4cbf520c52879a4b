import type { AssistantMessage } from './message.js';

/** Why a choice stopped. Providers add their own values, which pass through. */
export type FinishReason =
  | 'stop'
  | 'length'
  | 'tool_calls'
  | 'content_filter'
  | 'function_call'
  | (string & {});

/** One token's log probability. */
export interface TokenLogprob {
  token: string;
  logprob: number;
  bytes: number[] | null;
  top_logprobs: Array<{ token: string; logprob: number; bytes: number[] | null }>;
}

/** Log probabilities of a choice's content and refusal tokens. */
export interface ChoiceLogprobs {
  content: TokenLogprob[] | null;
  refusal?: TokenLogprob[] | null;
  [extra: string]: unknown;
}

/** Token usage of one completion, with the details OpenAI and DeepSeek report. */
export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number; audio_tokens?: number; [extra: string]: unknown } | null;
  completion_tokens_details?: {
    reasoning_tokens?: number;
    audio_tokens?: number;
    accepted_prediction_tokens?: number;
    rejected_prediction_tokens?: number;
    [extra: string]: unknown;
  } | null;
  /** DeepSeek's prompt-cache figures. */
  prompt_cache_hit_tokens?: number;
  prompt_cache_miss_tokens?: number;
  [extra: string]: unknown;
}

/** The assistant message of a completion choice. */
export type CompletionMessage = AssistantMessage & {
  role: 'assistant';
  content: string | null;
  refusal?: string | null;
};

/** One choice of a completion. */
export interface ChatCompletionChoice {
  index: number;
  message: CompletionMessage;
  finish_reason: FinishReason | null;
  logprobs?: ChoiceLogprobs | null;
  [extra: string]: unknown;
}

/** A non-streamed ChatCompletions response body. */
export interface ChatCompletion {
  id: string;
  object: 'chat.completion' | (string & {});
  created: number;
  model: string;
  choices: ChatCompletionChoice[];
  usage?: Usage | null;
  system_fingerprint?: string | null;
  service_tier?: string | null;
  [extra: string]: unknown;
}
