import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { modeRequestFields, readModeOutput, resolveMode } from './extraction-mode.js';
import { toObjectSchema } from './object-schema.js';

describe('resolveMode', () => {
  it('keeps an explicit mode', () => {
    expect(resolveMode({ mode: 'text', provider: 'openai' })).toEqual({
      mode: 'text',
      reason: 'chosen by the caller',
    });
  });

  it.each([
    ['openai', false, 'json_schema'],
    ['deepseek', false, 'tool'],
    ['groq', false, 'tool'],
    ['llamacpp', false, 'json_schema'],
    [undefined, false, 'tool'],
  ])('auto for provider %s (streaming %s) picks %s', (provider, streaming, expected) => {
    const resolved = resolveMode({ mode: 'auto', ...(provider ? { provider } : {}), streaming });
    expect(resolved.mode).toBe(expected);
    expect(resolved.reason.length).toBeGreaterThan(0);
  });

  it('uses the model capabilities when the provider is unknown', () => {
    expect(resolveMode({ modelCapabilities: { jsonSchema: true, tools: true } })).toEqual({
      mode: 'json_schema',
      reason: 'the model supports json_schema',
    });
    expect(resolveMode({ provider: 'deepseek', modelCapabilities: { jsonSchema: true } }).mode).toBe('tool');
  });

  it('falls back to json_object, then text, as capabilities shrink', () => {
    expect(resolveMode({ capabilities: { jsonObject: true } }).mode).toBe('json_object');
    expect(resolveMode({ capabilities: {} }).mode).toBe('text');
    expect(
      resolveMode({
        capabilities: { jsonSchema: true, noResponseFormatWhenStreaming: true },
        streaming: true,
      }).mode,
    ).toBe('text');
  });
});

describe('modeRequestFields', () => {
  const schema = toObjectSchema(z.object({ a: z.string() }), { name: 'thing' });
  it('sends structured outputs, JSON mode, or a forced tool', () => {
    expect(modeRequestFields('json_schema', schema)).toEqual({
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'thing', schema: schema.jsonSchema, strict: true },
      },
    });
    expect(modeRequestFields('json_object', schema)).toEqual({ response_format: { type: 'json_object' } });
    expect(modeRequestFields('tool', schema)).toMatchObject({
      tools: [{ type: 'function', function: { name: 'thing', parameters: schema.jsonSchema, strict: true } }],
      tool_choice: { type: 'function', function: { name: 'thing' } },
    });
    expect(modeRequestFields('text', schema)).toEqual({});
  });
});

describe('readModeOutput', () => {
  it('reads refusals, content filters, tool arguments and content', () => {
    expect(readModeOutput('json_schema', { content: null, refusal: 'no' }, 'stop')).toEqual({
      kind: 'refusal',
      refusal: 'no',
    });
    expect(readModeOutput('text', { content: 'x' }, 'content_filter').kind).toBe('refusal');
    const call = { id: 'c1', type: 'function' as const, function: { name: 't', arguments: '{}' } };
    expect(readModeOutput('tool', { content: null, tool_calls: [call] }, 'tool_calls')).toEqual({
      kind: 'output',
      text: '{}',
      toolCallId: 'c1',
    });
    expect(readModeOutput('tool', { content: '{"a":1}' }, 'stop')).toEqual({
      kind: 'output',
      text: '{"a":1}',
    });
  });
});
