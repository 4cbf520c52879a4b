import type { AssistantMessage, ChatCompletionRequest } from '@chatloop/protocol';
import { describe, expect, it } from 'vitest';
import { kitchenSinkRequest, violations } from '../../test/provider-rules.js';
import { AZURE_DEFAULT_API_VERSION } from './azure.js';
import { isDeepSeekThinking } from './deepseek.js';
import { getProviderPreset, isProviderName, PROVIDER_PRESETS } from './provider-registry.js';
import { isOpenAIReasoningModel } from './request-rewrites.js';
import { isUnsupportedRequestError } from './unsupported-request-error.js';

const MODELS: Record<string, string[]> = {
  openai: ['gpt-4.1', 'o3-mini', 'gpt-5'],
  azure: ['my-gpt4o-deployment', 'o4-mini'],
  deepseek: ['deepseek-v4-pro', 'deepseek-v4-flash', 'deepseek-reasoner', 'deepseek-chat'],
  ollama: ['llama3.2'],
  vllm: ['Qwen/Qwen3-8B'],
  llamacpp: ['local'],
  groq: ['llama-3.3-70b-versatile'],
  openrouter: ['anthropic/claude-sonnet-4'],
  together: ['meta-llama/Llama-3.3-70B-Instruct-Turbo'],
  mistral: ['mistral-large-latest'],
  'openai-compatible': ['anything'],
};

describe('provider presets', () => {
  it('there is one per provider named in the brief, plus the generic one', () => {
    expect(Object.keys(PROVIDER_PRESETS).sort()).toEqual(Object.keys(MODELS).sort());
  });

  for (const [name, models] of Object.entries(MODELS)) {
    for (const model of models) {
      for (const stream of [false, true]) {
        it(`${name} / ${model}${stream ? ' (stream)' : ''}: the rewrite satisfies the documented rules`, () => {
          const preset = getProviderPreset(name);
          const original = kitchenSinkRequest(model, { stream });
          const frozen = JSON.stringify(original);
          const { request, changes } = preset.rewrite(original);
          expect(JSON.stringify(original)).toBe(frozen);
          if (name !== 'openai-compatible') expect(violations(name, request)).toEqual([]);
          for (const change of changes) {
            expect(change.reason.length).toBeGreaterThan(10);
            expect(['renamed', 'removed', 'set', 'converted']).toContain(change.action);
          }
          const capabilities = preset.capabilitiesFor(request.model);
          if (stream && capabilities.streamUsage === 'on-request' && name !== 'openai-compatible') {
            expect(request.stream_options?.include_usage).toBe(true);
          }
          if (!capabilities.streamOptions) expect(request.stream_options).toBeUndefined();
          expect(request.max_tokens ?? request.max_completion_tokens).toBe(256);
        });
      }
    }
  }

  it('the generic preset sends the request as written', () => {
    const original = kitchenSinkRequest('x', { stream: true });
    const { request, changes } = getProviderPreset('openai-compatible').rewrite(original);
    expect(changes).toEqual([]);
    expect(request).toEqual(original);
  });

  it('keeps a caller choice of stream usage', () => {
    const { request } = getProviderPreset('openai').rewrite({
      model: 'gpt-4.1',
      messages: [],
      stream: true,
      stream_options: { include_usage: false },
    });
    expect(request.stream_options).toEqual({ include_usage: false });
  });
});

describe('OpenAI', () => {
  it('recognises reasoning models', () => {
    expect(
      ['o1', 'o3-mini', 'o4-mini-2025-04-16', 'gpt-5', 'gpt-5-mini', 'openai/o3'].every(
        isOpenAIReasoningModel,
      ),
    ).toBe(true);
    expect(['gpt-4o', 'gpt-4.1-mini', 'omni', 'gpt-50x'].some(isOpenAIReasoningModel)).toBe(false);
  });

  it('renames max_tokens and drops sampling knobs on reasoning models only', () => {
    const preset = getProviderPreset('openai');
    const reasoning = preset.rewrite(kitchenSinkRequest('o3-mini')).request;
    expect(reasoning).toMatchObject({ max_completion_tokens: 256 });
    expect(reasoning).not.toHaveProperty('temperature');
    expect(reasoning).not.toHaveProperty('logprobs');
    const plain = preset.rewrite(kitchenSinkRequest('gpt-4.1')).request;
    expect(plain).toMatchObject({ max_completion_tokens: 256, temperature: 0.2, logprobs: true });
    expect(plain.messages[0]?.role).toBe('developer');
  });

  it('sends a Bearer key to /chat/completions, none without a key', () => {
    const preset = getProviderPreset('openai');
    expect(preset.endpoint({ model: 'gpt-4.1', messages: [] }, 'sk-test')).toEqual({
      path: '/chat/completions',
      headers: { authorization: 'Bearer sk-test' },
    });
    expect(preset.endpoint({ model: 'gpt-4.1', messages: [] }, undefined).headers).toEqual({});
  });
});

describe('Azure OpenAI', () => {
  const preset = getProviderPreset('azure-openai');
  it('puts the deployment in the path, the api-version in the query, the key in api-key', () => {
    expect(preset.endpoint({ model: 'gpt 4o', messages: [] }, 'azure-key')).toEqual({
      path: `/openai/deployments/gpt%204o/chat/completions?api-version=${AZURE_DEFAULT_API_VERSION}`,
      headers: { 'api-key': 'azure-key' },
    });
    expect(
      preset.endpoint({ model: 'x', messages: [] }, 'k', {
        deployment: 'prod',
        apiVersion: '2025-04-01-preview',
      }).path,
    ).toBe('/openai/deployments/prod/chat/completions?api-version=2025-04-01-preview');
  });
  it('keeps developer and max_completion_tokens for reasoning deployments only', () => {
    const reasoning = preset.rewrite(kitchenSinkRequest('o4-mini')).request;
    expect(reasoning.messages[0]?.role).toBe('developer');
    expect(reasoning.max_completion_tokens).toBe(256);
    const plain = preset.rewrite(
      kitchenSinkRequest('gpt-4o', { max_completion_tokens: 99, max_tokens: undefined }),
    ).request;
    expect(plain.messages[0]?.role).toBe('system');
    expect(plain).toMatchObject({ max_tokens: 99 });
    expect(plain).not.toHaveProperty('max_completion_tokens');
  });
});

describe('DeepSeek', () => {
  const preset = getProviderPreset('deepseek');
  const toolTurn = (reasoning?: string): ChatCompletionRequest => ({
    model: 'deepseek-v4-pro',
    messages: [
      { role: 'user', content: 'hi' },
      {
        role: 'assistant',
        content: null,
        ...(reasoning === undefined ? {} : { reasoning_content: reasoning }),
        tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }],
      },
      { role: 'tool', tool_call_id: 'c1', content: 'ok' },
    ],
  });

  it('keeps reasoning_content on tool-calling turns and fills it where missing', () => {
    const kept = preset.rewrite(toolTurn('I should call f.')).request.messages[1] as AssistantMessage;
    expect(kept.reasoning_content).toBe('I should call f.');
    const { request, changes } = preset.rewrite(toolTurn());
    expect((request.messages[1] as AssistantMessage).reasoning_content).toBe('');
    expect(changes).toContainEqual(
      expect.objectContaining({ path: 'messages[1].reasoning_content', action: 'set' }),
    );
  });

  it('takes a vLLM-style `reasoning` field as the reasoning content', () => {
    const request = toolTurn();
    (request.messages[1] as AssistantMessage).reasoning = 'from reasoning';
    expect((preset.rewrite(request).request.messages[1] as AssistantMessage).reasoning_content).toBe(
      'from reasoning',
    );
  });

  it('maps retired aliases to v4-flash with the matching thinking mode', () => {
    expect(preset.rewrite({ model: 'deepseek-reasoner', messages: [] }).request).toMatchObject({
      model: 'deepseek-v4-flash',
      thinking: { type: 'enabled' },
    });
    const chat = preset.rewrite({ model: 'deepseek-chat', messages: [], logprobs: true }).request;
    expect(chat).toMatchObject({
      model: 'deepseek-v4-flash',
      thinking: { type: 'disabled' },
      logprobs: true,
    });
  });

  it('drops logprobs only in thinking mode', () => {
    expect(isDeepSeekThinking({ model: 'deepseek-v4-pro' })).toBe(true);
    expect(isDeepSeekThinking({ model: 'deepseek-v4-pro', thinking: { type: 'disabled' } })).toBe(false);
    expect(
      preset.rewrite({ model: 'deepseek-v4-pro', messages: [], logprobs: true }).request,
    ).not.toHaveProperty('logprobs');
    expect(
      preset.rewrite({
        model: 'deepseek-v4-pro',
        messages: [],
        logprobs: true,
        thinking: { type: 'disabled' },
      }).request,
    ).toHaveProperty('logprobs', true);
  });

  it('turns json_schema into json_object', () => {
    const { request } = preset.rewrite({
      model: 'deepseek-v4-flash',
      messages: [],
      response_format: { type: 'json_schema', json_schema: { name: 'x', schema: {} } },
    });
    expect(request.response_format).toEqual({ type: 'json_object' });
  });
});

describe('Mistral', () => {
  const preset = getProviderPreset('mistral');
  it('sends a named tool_choice as "any" with only that tool', () => {
    const { request } = preset.rewrite(
      kitchenSinkRequest('mistral-large-latest', {
        tool_choice: { type: 'function', function: { name: 'weather' } },
        tools: [
          { type: 'function', function: { name: 'weather' } },
          { type: 'function', function: { name: 'other' } },
        ],
      }),
    );
    expect(request.tool_choice).toBe('any');
    expect(request.tools?.map((tool) => tool.function.name)).toEqual(['weather']);
  });
  it('renames seed and drops empty assistant turns', () => {
    const { request } = preset.rewrite(kitchenSinkRequest('mistral-large-latest'));
    expect(request.random_seed).toBe(7);
    expect(request.messages).toHaveLength(6);
  });
});

describe('Groq', () => {
  it('refuses a streamed structured response_format before sending', () => {
    const preset = getProviderPreset('groq');
    let error: unknown;
    try {
      preset.rewrite({ model: 'm', messages: [], stream: true, response_format: { type: 'json_object' } });
    } catch (caught) {
      error = caught;
    }
    expect(isUnsupportedRequestError(error)).toBe(true);
    expect(
      preset.rewrite({ model: 'm', messages: [], response_format: { type: 'json_object' } }).request
        .response_format,
    ).toEqual({
      type: 'json_object',
    });
  });
});

describe('vLLM and llama.cpp', () => {
  it('strip strict and additionalProperties at every depth', () => {
    const { request, changes } = getProviderPreset('vllm').rewrite(kitchenSinkRequest('m'));
    expect(JSON.stringify(request.tools)).not.toMatch(/additionalProperties|strict/);
    expect(changes.filter((change) => change.path.startsWith('tools[0]'))).toHaveLength(2);
  });
});

describe('getProviderPreset', () => {
  it('accepts aliases and rejects unknown names', () => {
    expect(getProviderPreset('llama.cpp').name).toBe('llamacpp');
    expect(isProviderName('azure-openai')).toBe(true);
    expect(isProviderName('toString')).toBe(false);
    expect(() => getProviderPreset('nope')).toThrow(/known: openai/);
    expect(() => getProviderPreset('__proto__')).toThrow(RangeError);
  });
  it('no-key local servers send no auth header', () => {
    expect(getProviderPreset('ollama').endpoint({ model: 'm', messages: [] }, undefined).headers).toEqual({});
    expect(getProviderPreset('ollama').apiKeyRequired).toBe(false);
  });
});
