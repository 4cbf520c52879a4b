import type { ChatCompletionRequest } from '@chatloop/protocol';
import { type ApiErrorResponse, apiError } from './api-error.js';
import { countPromptTokens } from './token-count.js';

/** Which provider's rules the server enforces. */
export type ServerProfile = 'openai' | 'deepseek';

/** What the validator needs to know about the requested model. */
export interface ValidationModelInfo {
  /** Context window in tokens. */
  contextWindow: number;
  /** DeepSeek profile: thinking mode is on unless the request disables it. */
  thinking: boolean;
}

/** Options of {@link validateRequest}. */
export interface ValidateRequestOptions {
  profile: ServerProfile;
  /** Looks up the requested model's context window and thinking default. */
  modelInfo: (model: string) => ValidationModelInfo;
}

/** The outcome of {@link validateRequest}: the typed request and its prompt tokens, or a 400 answer. */
export type ValidationResult =
  | { ok: true; request: ChatCompletionRequest; promptTokens: number }
  | { ok: false; error: ApiErrorResponse };

/** The roles the API accepts. */
export const VALID_ROLES = ['system', 'assistant', 'user', 'function', 'tool', 'developer'] as const;
/** The pattern and maximum length of a tool name. */
export const TOOL_NAME_PATTERN = /^[a-zA-Z0-9_-]+$/;
export const TOOL_NAME_MAX_LENGTH = 64;

class Rejection extends Error {
  constructor(readonly response: ApiErrorResponse) {
    super(response.body.error.message);
  }
}

function reject(message: string, param: string | null, code: string | null = null): never {
  throw new Rejection(apiError(400, message, { param, code }));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

function missing(param: string): never {
  reject(`Missing required parameter: '${param}'.`, param, 'missing_required_parameter');
}

function checkRange(
  body: Record<string, unknown>,
  field: string,
  min: number,
  max: number,
  integer: boolean,
): void {
  const value = body[field];
  if (value === undefined || value === null) return;
  const kind = integer ? 'integer' : 'decimal';
  if (typeof value !== 'number' || (integer && !Number.isInteger(value))) {
    reject(
      `Invalid type for '${field}': expected ${integer ? 'an integer' : 'a number'}, but got ${typeName(value)} instead.`,
      field,
      'invalid_type',
    );
  }
  if (value < min) {
    reject(
      `Invalid '${field}': ${kind} below minimum value. Expected a value >= ${min}, but got ${value} instead.`,
      field,
      `${kind}_below_min_value`,
    );
  }
  if (value > max) {
    reject(
      `Invalid '${field}': ${kind} above maximum value. Expected a value <= ${max}, but got ${value} instead.`,
      field,
      `${kind}_above_max_value`,
    );
  }
}

function checkMessages(messages: unknown[]): void {
  let pending = new Map<string, number>();
  let pendingFrom = -1;
  const unanswered = (): never =>
    reject(
      `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...pending.keys()].join(', ')}`,
      `messages.[${pendingFrom}].role`,
    );
  messages.forEach((message, index) => {
    if (!isObject(message)) {
      reject(
        `Invalid type for 'messages[${index}]': expected an object, but got ${typeName(message)} instead.`,
        `messages[${index}]`,
        'invalid_type',
      );
    }
    const role = message.role;
    if (role === undefined) missing(`messages[${index}].role`);
    if (typeof role !== 'string' || !(VALID_ROLES as readonly string[]).includes(role)) {
      reject(
        `Invalid value: '${String(role)}'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.`,
        `messages[${index}].role`,
        'invalid_value',
      );
    }
    if (role === 'tool') {
      if (typeof message.tool_call_id !== 'string') missing(`messages[${index}].tool_call_id`);
      if (!pending.has(message.tool_call_id)) {
        reject(
          "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
          `messages.[${index}].role`,
        );
      }
      pending.delete(message.tool_call_id);
      if (message.content === undefined || message.content === null) missing(`messages[${index}].content`);
      return;
    }
    if (pending.size > 0) unanswered();
    if (role === 'assistant') {
      const toolCalls = message.tool_calls;
      const hasCalls = Array.isArray(toolCalls) && toolCalls.length > 0;
      if (
        !hasCalls &&
        (message.content === undefined || message.content === null) &&
        typeof message.refusal !== 'string'
      ) {
        reject("Invalid value for 'content': expected a string, got null.", `messages.[${index}].content`);
      }
      if (hasCalls) {
        pending = new Map();
        pendingFrom = index;
        toolCalls.forEach((call: unknown, callIndex) => {
          const id = isObject(call) ? call.id : undefined;
          if (typeof id !== 'string') missing(`messages[${index}].tool_calls[${callIndex}].id`);
          pending.set(id, callIndex);
        });
      }
      return;
    }
    if (message.content === undefined || message.content === null) missing(`messages[${index}].content`);
  });
  if (pending.size > 0) unanswered();
}

function checkTools(body: Record<string, unknown>): void {
  const tools = body.tools;
  if (tools === undefined || tools === null) {
    if (body.tool_choice !== undefined && body.tool_choice !== null) {
      reject(
        "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.",
        'tool_choice',
      );
    }
    return;
  }
  if (!Array.isArray(tools)) {
    reject(
      `Invalid type for 'tools': expected an array of objects, but got ${typeName(tools)} instead.`,
      'tools',
      'invalid_type',
    );
  }
  if (tools.length === 0) {
    reject(
      "Invalid 'tools': empty array. Expected an array with minimum length 1, but got an empty array instead.",
      'tools',
      'empty_array',
    );
  }
  tools.forEach((tool: unknown, index) => {
    const at = `tools[${index}]`;
    if (!isObject(tool))
      reject(
        `Invalid type for '${at}': expected an object, but got ${typeName(tool)} instead.`,
        at,
        'invalid_type',
      );
    if (tool.type !== 'function') {
      reject(
        `Invalid value: '${String(tool.type)}'. Supported values are: 'function' and 'custom'.`,
        `${at}.type`,
        'invalid_value',
      );
    }
    const fn = tool.function;
    if (!isObject(fn)) missing(`${at}.function`);
    const name = fn.name;
    if (typeof name !== 'string') missing(`${at}.function.name`);
    if (name.length > TOOL_NAME_MAX_LENGTH) {
      reject(
        `Invalid '${at}.function.name': string too long. Expected a string with maximum length ${TOOL_NAME_MAX_LENGTH}, but got a string with length ${name.length} instead.`,
        `${at}.function.name`,
        'string_above_max_length',
      );
    }
    if (!TOOL_NAME_PATTERN.test(name)) {
      reject(
        `Invalid '${at}.function.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.`,
        `${at}.function.name`,
        'invalid_value',
      );
    }
    const parameters = fn.parameters;
    if (parameters !== undefined && (!isObject(parameters) || parameters.type !== 'object')) {
      const got = isObject(parameters) ? `type: "${String(parameters.type)}"` : typeName(parameters);
      reject(
        `Invalid schema for function '${name}': schema must be a JSON Schema of 'type: "object"', got '${got}'.`,
        `${at}.function.parameters`,
        'invalid_function_parameters',
      );
    }
  });
}

function thinkingEnabled(body: Record<string, unknown>, byDefault: boolean): boolean {
  const thinking = body.thinking;
  if (isObject(thinking) && typeof thinking.type === 'string') return thinking.type === 'enabled';
  return byDefault;
}

function checkDeepSeek(body: Record<string, unknown>, messages: unknown[], thinkingByDefault: boolean): void {
  if (!thinkingEnabled(body, thinkingByDefault)) return;
  const deepSeekReject = (message: string): never => {
    throw new Rejection(apiError(400, message, { code: 'invalid_request_error' }));
  };
  if (body.logprobs === true) deepSeekReject('logprobs is not supported in the thinking mode.');
  for (const message of messages) {
    if (!isObject(message) || message.role !== 'assistant') continue;
    const calls = message.tool_calls;
    if (Array.isArray(calls) && calls.length > 0 && typeof message.reasoning_content !== 'string') {
      deepSeekReject('The `reasoning_content` in the thinking mode must be passed back to the API.');
    }
  }
}

function checkContextLength(
  body: Record<string, unknown>,
  promptTokens: number,
  contextWindow: number,
): void {
  const maxOutput = body.max_completion_tokens ?? body.max_tokens;
  const completion = typeof maxOutput === 'number' ? maxOutput : 0;
  if (promptTokens + completion <= contextWindow) return;
  const message =
    completion > 0
      ? `This model's maximum context length is ${contextWindow} tokens. However, you requested ${promptTokens + completion} tokens (${promptTokens} in the messages, ${completion} in the completion). Please reduce the length of the messages or completion.`
      : `This model's maximum context length is ${contextWindow} tokens. However, your messages resulted in ${promptTokens} tokens. Please reduce the length of the messages.`;
  reject(message, 'messages', 'context_length_exceeded');
}

/**
 * Checks a parsed request body the way the real API does, returning the typed request, or the 400 the
 * API would answer (OpenAI's error shape; DeepSeek's for its own rules under the `deepseek` profile).
 */
export function validateRequest(body: unknown, options: ValidateRequestOptions): ValidationResult {
  try {
    if (!isObject(body)) {
      reject(
        `Invalid type for request body: expected an object, but got ${typeName(body)} instead.`,
        null,
        'invalid_type',
      );
    }
    if (typeof body.model !== 'string' || body.model === '')
      reject('you must provide a model parameter', null);
    const messages = body.messages;
    if (messages === undefined || messages === null) missing('messages');
    if (!Array.isArray(messages)) {
      reject(
        `Invalid type for 'messages': expected an array of objects, but got ${typeName(messages)} instead.`,
        'messages',
        'invalid_type',
      );
    }
    if (messages.length === 0) {
      reject(
        "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
        'messages',
        'empty_array',
      );
    }
    checkMessages(messages);
    checkTools(body);
    if (body.stream_options !== undefined && body.stream_options !== null && body.stream !== true) {
      reject("The 'stream_options' parameter is only allowed when 'stream' is enabled.", 'stream_options');
    }
    checkRange(body, 'n', 1, 128, true);
    checkRange(body, 'temperature', 0, 2, false);
    checkRange(body, 'top_p', 0, 1, false);
    const model = options.modelInfo(body.model);
    if (options.profile === 'deepseek') checkDeepSeek(body, messages, model.thinking);
    const request = body as unknown as ChatCompletionRequest;
    const promptTokens = countPromptTokens(request);
    checkContextLength(body, promptTokens, model.contextWindow);
    return { ok: true, request, promptTokens };
  } catch (error) {
    if (error instanceof Rejection) return { ok: false, error: error.response };
    throw error;
  }
}
