import { describe, expect, it } from 'vitest';
import { type ValidateRequestOptions, validateRequest } from './validate-request.js';

const openai: ValidateRequestOptions = {
  profile: 'openai',
  modelInfo: () => ({ contextWindow: 1000, thinking: false }),
};
const deepseek: ValidateRequestOptions = {
  profile: 'deepseek',
  modelInfo: () => ({ contextWindow: 1000, thinking: true }),
};

function errorOf(body: unknown, options = openai) {
  const result = validateRequest(body, options);
  if (result.ok) throw new Error('expected a rejection');
  expect(result.error.status).toBe(400);
  return result.error.body.error;
}

const user = { role: 'user', content: 'hi' };
const call = (id: string, name = 'f') => ({ id, type: 'function', function: { name, arguments: '{}' } });
const tool = (name: string, parameters?: unknown) => ({ type: 'function', function: { name, parameters } });

describe('validateRequest', () => {
  it('accepts a valid transcript with answered parallel tool calls', () => {
    const result = validateRequest(
      {
        model: 'm',
        messages: [
          user,
          { role: 'assistant', content: null, tool_calls: [call('a'), call('b')] },
          { role: 'tool', tool_call_id: 'b', content: '1' },
          { role: 'tool', tool_call_id: 'a', content: '2' },
          { role: 'assistant', content: 'done' },
        ],
        tools: [tool('f', { type: 'object', properties: {} })],
      },
      openai,
    );
    expect(result.ok).toBe(true);
  });

  it('rejects a body that is not an object', () => {
    expect(errorOf([1])).toMatchObject({ code: 'invalid_type' });
  });

  it('rejects a missing model', () => {
    expect(errorOf({ messages: [user] })).toEqual({
      message: 'you must provide a model parameter',
      type: 'invalid_request_error',
      param: null,
      code: null,
    });
  });

  it('rejects missing, non-array and empty messages', () => {
    expect(errorOf({ model: 'm' })).toMatchObject({ param: 'messages', code: 'missing_required_parameter' });
    expect(errorOf({ model: 'm', messages: 'hi' })).toMatchObject({
      param: 'messages',
      code: 'invalid_type',
    });
    expect(errorOf({ model: 'm', messages: [] })).toMatchObject({ param: 'messages', code: 'empty_array' });
  });

  it('rejects unknown and missing roles', () => {
    expect(errorOf({ model: 'm', messages: [{ role: 'bot', content: 'x' }] })).toMatchObject({
      message:
        "Invalid value: 'bot'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.",
      param: 'messages[0].role',
      code: 'invalid_value',
    });
    expect(errorOf({ model: 'm', messages: [{ content: 'x' }] })).toMatchObject({
      param: 'messages[0].role',
      code: 'missing_required_parameter',
    });
    expect(errorOf({ model: 'm', messages: [null] })).toMatchObject({ code: 'invalid_type' });
  });

  it('rejects a user message without content, and an empty assistant message', () => {
    expect(errorOf({ model: 'm', messages: [{ role: 'user' }] })).toMatchObject({
      param: 'messages[0].content',
    });
    expect(errorOf({ model: 'm', messages: [user, { role: 'assistant', content: null }] })).toMatchObject({
      param: 'messages.[1].content',
    });
  });

  it('rejects a tool message that answers no preceding tool_calls id', () => {
    const orphan = { role: 'tool', tool_call_id: 'call_1', content: 'x' };
    expect(errorOf({ model: 'm', messages: [user, orphan] })).toEqual({
      message:
        "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
      type: 'invalid_request_error',
      param: 'messages.[1].role',
      code: null,
    });
    const wrongId = [
      user,
      { role: 'assistant', tool_calls: [call('a')] },
      { role: 'tool', tool_call_id: 'z', content: 'x' },
    ];
    expect(errorOf({ model: 'm', messages: wrongId })).toMatchObject({ param: 'messages.[2].role' });
    const twice = [
      user,
      { role: 'assistant', tool_calls: [call('a')] },
      { role: 'tool', tool_call_id: 'a', content: 'x' },
      { role: 'tool', tool_call_id: 'a', content: 'x' },
    ];
    expect(errorOf({ model: 'm', messages: twice })).toMatchObject({ param: 'messages.[3].role' });
    const missingId = [user, { role: 'assistant', tool_calls: [call('a')] }, { role: 'tool', content: 'x' }];
    expect(errorOf({ model: 'm', messages: missingId })).toMatchObject({ param: 'messages[2].tool_call_id' });
  });

  it('rejects tool_calls not all answered, before the next message or at the end', () => {
    const unanswered = [
      user,
      { role: 'assistant', tool_calls: [call('a'), call('b')] },
      { role: 'tool', tool_call_id: 'a', content: 'x' },
      user,
    ];
    expect(errorOf({ model: 'm', messages: unanswered })).toEqual({
      message:
        "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: b",
      type: 'invalid_request_error',
      param: 'messages.[1].role',
      code: null,
    });
    const atEnd = [user, { role: 'assistant', tool_calls: [call('a')] }];
    expect(errorOf({ model: 'm', messages: atEnd })).toMatchObject({ param: 'messages.[1].role' });
  });

  it('rejects tool names outside ^[a-zA-Z0-9_-]{1,64}$', () => {
    expect(errorOf({ model: 'm', messages: [user], tools: [tool('get weather')] })).toMatchObject({
      param: 'tools[0].function.name',
      code: 'invalid_value',
    });
    expect(errorOf({ model: 'm', messages: [user], tools: [tool('x'.repeat(65))] })).toMatchObject({
      code: 'string_above_max_length',
    });
    expect(errorOf({ model: 'm', messages: [user], tools: [tool('')] })).toMatchObject({
      code: 'invalid_value',
    });
    expect(validateRequest({ model: 'm', messages: [user], tools: [tool('a'.repeat(64))] }, openai).ok).toBe(
      true,
    );
  });

  it('rejects bad tool definitions and schemas', () => {
    expect(errorOf({ model: 'm', messages: [user], tools: [tool('f', { type: 'string' })] })).toMatchObject({
      message: `Invalid schema for function 'f': schema must be a JSON Schema of 'type: "object"', got 'type: "string"'.`,
      param: 'tools[0].function.parameters',
      code: 'invalid_function_parameters',
    });
    expect(errorOf({ model: 'm', messages: [user], tools: [tool('f', 'x')] })).toMatchObject({
      code: 'invalid_function_parameters',
    });
    expect(errorOf({ model: 'm', messages: [user], tools: [] })).toMatchObject({ code: 'empty_array' });
    expect(errorOf({ model: 'm', messages: [user], tools: [{ type: 'retrieval' }] })).toMatchObject({
      param: 'tools[0].type',
    });
    expect(errorOf({ model: 'm', messages: [user], tools: [{ type: 'function' }] })).toMatchObject({
      param: 'tools[0].function',
    });
    expect(errorOf({ model: 'm', messages: [user], tool_choice: 'auto' })).toMatchObject({
      param: 'tool_choice',
    });
  });

  it('rejects stream_options without stream, and out-of-range n and temperature', () => {
    expect(errorOf({ model: 'm', messages: [user], stream_options: { include_usage: true } })).toMatchObject({
      param: 'stream_options',
    });
    expect(errorOf({ model: 'm', messages: [user], n: 0 })).toMatchObject({
      code: 'integer_below_min_value',
    });
    expect(errorOf({ model: 'm', messages: [user], temperature: 3 })).toMatchObject({
      message:
        "Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 3 instead.",
      code: 'decimal_above_max_value',
    });
  });

  it('rejects a prompt longer than the context window, with the token figures', () => {
    const long = { model: 'm', messages: [{ role: 'user', content: 'x'.repeat(4000) }] };
    expect(errorOf(long)).toEqual({
      message:
        "This model's maximum context length is 1000 tokens. However, your messages resulted in 1006 tokens. Please reduce the length of the messages.",
      type: 'invalid_request_error',
      param: 'messages',
      code: 'context_length_exceeded',
    });
    const withOutput = { model: 'm', messages: [user], max_tokens: 995 };
    expect(errorOf(withOutput).message).toContain(
      'you requested 1002 tokens (7 in the messages, 995 in the completion)',
    );
  });

  describe('deepseek profile', () => {
    const toolTurn = (assistant: Record<string, unknown>) => ({
      model: 'deepseek-v4-flash',
      messages: [
        user,
        { role: 'assistant', content: null, tool_calls: [call('a')], ...assistant },
        { role: 'tool', tool_call_id: 'a', content: 'x' },
      ],
    });

    it('rejects a tool-calling assistant message sent back without reasoning_content in thinking mode', () => {
      expect(errorOf(toolTurn({}), deepseek)).toEqual({
        message: 'The `reasoning_content` in the thinking mode must be passed back to the API.',
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_request_error',
      });
      expect(validateRequest(toolTurn({ reasoning_content: '' }), deepseek).ok).toBe(true);
    });

    it('follows the thinking switch of the request over the model default', () => {
      expect(validateRequest({ ...toolTurn({}), thinking: { type: 'disabled' } }, deepseek).ok).toBe(true);
      const offByDefault = { ...deepseek, modelInfo: () => ({ contextWindow: 1000, thinking: false }) };
      expect(validateRequest(toolTurn({}), offByDefault).ok).toBe(true);
      expect(validateRequest({ ...toolTurn({}), thinking: { type: 'enabled' } }, offByDefault).ok).toBe(
        false,
      );
    });

    it('rejects logprobs in thinking mode, and leaves the openai profile alone', () => {
      expect(errorOf({ model: 'm', messages: [user], logprobs: true }, deepseek).code).toBe(
        'invalid_request_error',
      );
      expect(validateRequest(toolTurn({}), openai).ok).toBe(true);
    });
  });
});
