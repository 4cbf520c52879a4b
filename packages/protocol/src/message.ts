/** Marks the end of a prompt prefix to cache explicitly (`prompt_cache_options.mode: 'explicit'`). */
export interface PromptCacheBreakpoint {
  mode: 'explicit';
}

/** A text part of a message's content. */
export interface TextContentPart {
  type: 'text';
  text: string;
  prompt_cache_breakpoint?: PromptCacheBreakpoint;
}

/** An image part: an `https:` URL or a `data:` URL, with the detail level that sets its token cost. */
export interface ImageContentPart {
  type: 'image_url';
  image_url: {
    url: string;
    /** `low` is a fixed 85 tokens on OpenAI; `high` is billed per 512 px tile. Default `auto`. */
    detail?: 'auto' | 'low' | 'high';
  };
  prompt_cache_breakpoint?: PromptCacheBreakpoint;
}

/** An audio part (base64 data). */
export interface InputAudioContentPart {
  type: 'input_audio';
  input_audio: { data: string; format: 'wav' | 'mp3' | (string & {}) };
  prompt_cache_breakpoint?: PromptCacheBreakpoint;
}

/** A file part: an uploaded file id or inline base64 data. */
export interface FileContentPart {
  type: 'file';
  file: { file_id?: string; file_data?: string; filename?: string };
  prompt_cache_breakpoint?: PromptCacheBreakpoint;
}

/** A refusal part, as assistant content may carry. */
export interface RefusalContentPart {
  type: 'refusal';
  refusal: string;
}

/** Any part of a user message's content. */
export type UserContentPart = TextContentPart | ImageContentPart | InputAudioContentPart | FileContentPart;

/** A function tool call made by the assistant. */
export interface ToolCall {
  id: string;
  type: 'function';
  function: {
    name: string;
    /** The arguments as the model wrote them: a JSON string that may be malformed. */
    arguments: string;
  };
}

/** A system message: instructions for the model. */
export interface SystemMessage {
  role: 'system';
  content: string | TextContentPart[];
  name?: string;
}

/** A developer message: the preferred form of system instructions for OpenAI reasoning models. */
export interface DeveloperMessage {
  role: 'developer';
  content: string | TextContentPart[];
  name?: string;
}

/** A user message. */
export interface UserMessage {
  role: 'user';
  content: string | UserContentPart[];
  name?: string;
}

/** An assistant message, as sent back in the history or received in a completion. */
export interface AssistantMessage {
  role: 'assistant';
  content?: string | Array<TextContentPart | RefusalContentPart> | null;
  refusal?: string | null;
  name?: string;
  tool_calls?: ToolCall[];
  /** DeepSeek (and compatible servers) put the model's reasoning here. */
  reasoning_content?: string | null;
  audio?: { id: string } | null;
  /** Deprecated single function call, still sent by some servers. */
  function_call?: { name: string; arguments: string } | null;
  /** Fields a provider adds pass through untouched. */
  [extra: string]: unknown;
}

/** A tool message: the result of one tool call, answering `tool_call_id`. */
export interface ToolMessage {
  role: 'tool';
  content: string | TextContentPart[];
  tool_call_id: string;
}

/** Any message of a ChatCompletions conversation. */
export type ChatMessage = SystemMessage | DeveloperMessage | UserMessage | AssistantMessage | ToolMessage;

/** The role of a message. */
export type ChatRole = ChatMessage['role'];
