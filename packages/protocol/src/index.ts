export type { ChatloopErrorOptions } from './chatloop-error.js';
export { ChatloopError, errorGuard } from './chatloop-error.js';
export type { ChatCompletionChunk, ChunkChoice, ChunkDelta, ToolCallDelta } from './chunk.js';
export type { ApiErrorBody, ApiErrorObject } from './error-body.js';
export { isApiErrorBody } from './error-body.js';
export type {
  AssistantMessage,
  ChatMessage,
  ChatRole,
  DeveloperMessage,
  FileContentPart,
  ImageContentPart,
  InputAudioContentPart,
  RefusalContentPart,
  SystemMessage,
  TextContentPart,
  ToolCall,
  ToolMessage,
  UserContentPart,
  UserMessage,
} from './message.js';
export type {
  ChatCompletionRequest,
  FunctionTool,
  JsonSchema,
  ResponseFormat,
  StreamOptions,
  ToolChoice,
} from './request.js';
export type {
  ChatCompletion,
  ChatCompletionChoice,
  ChoiceLogprobs,
  CompletionMessage,
  FinishReason,
  TokenLogprob,
  Usage,
} from './response.js';
export { safeJsonParse } from './safe-json-parse.js';
export { encodeSseEvent, SSE_DONE_EVENT } from './sse-encoder.js';
