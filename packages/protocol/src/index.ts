export type { ChatCompletionStream, ChatCompletionStreamOptions } from './chat-completion-stream.js';
export { DONE_DATA, decodeChatCompletionStream } from './chat-completion-stream.js';
export type { ChatloopErrorOptions } from './chatloop-error.js';
export { ChatloopError, errorGuard } from './chatloop-error.js';
export type { ChatCompletionChunk, ChunkChoice, ChunkDelta, ToolCallDelta } from './chunk.js';
export { accumulateChunks, ChunkAccumulator } from './chunk-accumulator.js';
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
  PromptCacheBreakpoint,
  RefusalContentPart,
  SystemMessage,
  TextContentPart,
  ToolCall,
  ToolMessage,
  UserContentPart,
  UserMessage,
} from './message.js';
export type {
  AudioOutputOptions,
  ChatCompletionRequest,
  FunctionTool,
  JsonSchema,
  LegacyFunctionDefinition,
  ModerationOptions,
  PredictionContent,
  PromptCacheOptions,
  ReasoningEffort,
  ResponseFormat,
  ServiceTier,
  StreamOptions,
  ToolChoice,
  WebSearchOptions,
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
export type { ByteStream, SseDecoderOptions, SseEvent } from './sse-decoder.js';
export { DEFAULT_SSE_DECODER_OPTIONS, decodeSseEvents, iterateBytes } from './sse-decoder.js';
export { encodeSseEvent, SSE_DONE_EVENT } from './sse-encoder.js';
export {
  INCOMPLETE_STREAM_CODE,
  IncompleteStreamError,
  isIncompleteStreamError,
  isMalformedResponseError,
  isStreamEventError,
  MALFORMED_RESPONSE_CODE,
  MalformedResponseError,
  STREAM_EVENT_ERROR_CODE,
  StreamEventError,
} from './stream-errors.js';
