import { describe, expect, it } from 'vitest';
import { compileSchema, hasOpenapi } from '../test/openapi-schemas.js';
import type { ChatCompletionChunk } from './chunk.js';
import { accumulateChunks } from './chunk-accumulator.js';

const token = (text: string) => ({
  token: text,
  logprob: -0.25,
  bytes: [...new TextEncoder().encode(text)],
  top_logprobs: [{ token: text, logprob: -0.25, bytes: null }],
});

const base = {
  id: 'chatcmpl-schema',
  object: 'chat.completion.chunk',
  created: 1_767_225_600,
  model: 'gpt-5.5',
  service_tier: 'default',
  system_fingerprint: 'fp_1',
};

/** An OpenAI-style stream with role, content, logprobs, two tool calls, finish_reason and usage. */
const chunks: ChatCompletionChunk[] = [
  {
    ...base,
    choices: [
      {
        index: 0,
        delta: { role: 'assistant', content: '', refusal: null },
        logprobs: null,
        finish_reason: null,
      },
    ],
  },
  {
    ...base,
    choices: [
      {
        index: 0,
        delta: { content: 'Checking.' },
        logprobs: { content: [token('Checking.')], refusal: null },
        finish_reason: null,
      },
    ],
  },
  {
    ...base,
    choices: [
      {
        index: 0,
        delta: {
          tool_calls: [
            {
              index: 0,
              id: 'call_a',
              type: 'function',
              function: { name: 'weather', arguments: '{"city":' },
            },
            { index: 1, id: 'call_b', type: 'function', function: { name: 'time', arguments: '{}' } },
          ],
        },
        logprobs: null,
        finish_reason: null,
      },
    ],
  },
  {
    ...base,
    choices: [
      {
        index: 0,
        delta: { tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] },
        logprobs: null,
        finish_reason: null,
      },
    ],
  },
  { ...base, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'tool_calls' }] },
  {
    ...base,
    choices: [],
    usage: {
      prompt_tokens: 20,
      completion_tokens: 9,
      total_tokens: 29,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: {
        reasoning_tokens: 0,
        audio_tokens: 0,
        accepted_prediction_tokens: 0,
        rejected_prediction_tokens: 0,
      },
    },
  },
];

describe.skipIf(!hasOpenapi)('wire types against the official response and chunk schemas', () => {
  it('every chunk of an OpenAI-style stream validates against the chunk schema', () => {
    const validate = compileSchema('chunk');
    for (const chunk of chunks) {
      validate(chunk);
      expect(validate.errors ?? []).toEqual([]);
    }
  });

  it('the assembled completion validates against the response schema', () => {
    const validate = compileSchema('response');
    const completion = accumulateChunks(chunks);
    validate(completion);
    expect(validate.errors ?? []).toEqual([]);
    expect(completion.choices[0]?.message.tool_calls?.map((call) => call.function.arguments)).toEqual([
      '{"city":"Paris"}',
      '{}',
    ]);
  });

  it('the schema check can fail: a completion without choices is rejected', () => {
    const validate = compileSchema('response');
    const { choices: _dropped, ...withoutChoices } = accumulateChunks(chunks);
    expect(validate(withoutChoices)).toBe(false);
  });
});
