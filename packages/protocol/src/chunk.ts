import type { ChoiceLogprobs, FinishReason, Usage } from './response.js';

/** A fragment of a tool call inside a stream delta. Some providers omit `index`. */
export interface ToolCallDelta {
  index?: number;
  id?: string;
  type?: 'function';
  function?: { name?: string; arguments?: string };
  [extra: string]: unknown;
}

/** The delta of one choice in a stream chunk. */
export interface ChunkDelta {
  role?: 'assistant' | (string & {});
  content?: string | null;
  refusal?: string | null;
  reasoning_content?: string | null;
  /** vLLM and others name the reasoning field `reasoning`. */
  reasoning?: string | null;
  tool_calls?: ToolCallDelta[];
  function_call?: { name?: string; arguments?: string } | null;
  [extra: string]: unknown;
}

/** One choice of a stream chunk. */
export interface ChunkChoice {
  index: number;
  delta: ChunkDelta;
  finish_reason: FinishReason | null;
  logprobs?: ChoiceLogprobs | null;
  /** Moonshot/Kimi report usage inside the choice. */
  usage?: Usage | null;
  [extra: string]: unknown;
}

/** One `data:` event of a streamed ChatCompletions response. */
export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk' | (string & {});
  created: number;
  model: string;
  choices: ChunkChoice[];
  usage?: Usage | null;
  system_fingerprint?: string | null;
  service_tier?: string | null;
  [extra: string]: unknown;
}
