import { describe, expect, it } from 'vitest';
import { compileSchema, hasOpenapi, readSchema } from '../test/openapi-schemas.js';
import type { ChatCompletionRequest } from './request.js';

/** A request that sets every parameter of the 2026 request schema, every message role and content part. */
const everyParameter: ChatCompletionRequest = {
  model: 'gpt-5.5',
  messages: [
    { role: 'developer', content: [{ type: 'text', text: 'Be brief.' }], name: 'dev' },
    { role: 'system', content: 'You are helpful.' },
    {
      role: 'user',
      name: 'ana',
      content: [
        { type: 'text', text: 'Look at these.', prompt_cache_breakpoint: { mode: 'explicit' } },
        { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'low' } },
        { type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } },
        { type: 'file', file: { filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBERg==' } },
        { type: 'file', file: { file_id: 'file-123' } },
      ],
    },
    {
      role: 'assistant',
      content: null,
      refusal: null,
      tool_calls: [
        { id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
      ],
    },
    { role: 'tool', tool_call_id: 'call_1', content: '{"temp":21}' },
    {
      role: 'assistant',
      content: [
        { type: 'text', text: 'It is 21°C.' },
        { type: 'refusal', refusal: 'No more.' },
      ],
    },
    { role: 'user', content: 'Thanks' },
  ],
  temperature: 0.7,
  top_p: 0.9,
  max_tokens: 256,
  max_completion_tokens: 512,
  n: 2,
  stop: ['\n\n', 'END'],
  seed: 42,
  presence_penalty: 0.5,
  frequency_penalty: -0.5,
  logit_bias: { '50256': -100 },
  logprobs: true,
  top_logprobs: 5,
  user: 'user-1',
  safety_identifier: 'hashed-user-1',
  prompt_cache_key: 'tenant-1',
  prompt_cache_retention: '24h',
  prompt_cache_options: { mode: 'explicit', ttl: '30m' },
  tools: [
    {
      type: 'function',
      function: {
        name: 'weather',
        description: 'Weather for a city',
        parameters: {
          type: 'object',
          properties: { city: { type: 'string' } },
          required: ['city'],
          additionalProperties: false,
        },
        strict: true,
      },
    },
  ],
  tool_choice: { type: 'function', function: { name: 'weather' } },
  parallel_tool_calls: false,
  response_format: {
    type: 'json_schema',
    json_schema: { name: 'answer', description: 'The answer', schema: { type: 'object' }, strict: true },
  },
  stream: true,
  stream_options: { include_usage: true, include_obfuscation: false },
  reasoning_effort: 'high',
  verbosity: 'low',
  service_tier: 'flex',
  metadata: { tenant: 'acme' },
  store: true,
  prediction: { type: 'content', content: 'The predicted file.' },
  modalities: ['text', 'audio'],
  audio: { voice: 'marin', format: 'mp3' },
  web_search_options: {
    search_context_size: 'medium',
    user_location: {
      type: 'approximate',
      approximate: { country: 'FR', city: 'Paris', region: 'IDF', timezone: 'Europe/Paris' },
    },
  },
  moderation: {
    model: 'omni-moderation-latest',
    policy: { input: { mode: 'block' }, output: { mode: 'score' } },
  },
  function_call: { name: 'weather' },
  functions: [{ name: 'weather', description: 'Weather', parameters: { type: 'object' } }],
};

type Schema = { $defs: Record<string, SchemaNode> } & SchemaNode;
type SchemaNode = { $ref?: string; allOf?: SchemaNode[]; properties?: Record<string, unknown> };

/** Every property name the request schema defines, following `$ref` and `allOf`. */
function schemaProperties(schema: Schema, node: SchemaNode = schema): Set<string> {
  const names = new Set<string>(Object.keys(node.properties ?? {}));
  const referenced =
    node.$ref === undefined ? [] : [schema.$defs[node.$ref.replace('#/$defs/', '')] as SchemaNode];
  for (const child of [...referenced, ...(node.allOf ?? [])]) {
    for (const name of schemaProperties(schema, child)) names.add(name);
  }
  return names;
}

describe.skipIf(!hasOpenapi)('ChatCompletionRequest against the official request schema', () => {
  it('sets every parameter the schema defines', () => {
    const schema = readSchema('request') as Schema;
    expect(Object.keys(everyParameter).sort()).toEqual([...schemaProperties(schema)].sort());
  });

  it('validates a request that sets every parameter', () => {
    const validate = compileSchema('request');
    const valid = validate(everyParameter);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('rejects a request the schema forbids (the check can fail)', () => {
    const validate = compileSchema('request');
    expect(validate({ ...everyParameter, messages: [] })).toBe(false);
    expect(validate({ ...everyParameter, audio: { voice: 'marin', format: 'ogg' } })).toBe(false);
  });
});
