import { describe, expect, it } from 'vitest';
import { chunk } from '../test/byte-stream.js';
import type { ChatCompletionChunk } from './chunk.js';
import { accumulateChunks, ChunkAccumulator } from './chunk-accumulator.js';

const c = (choices: unknown[], extra: Record<string, unknown> = {}) =>
  chunk(choices, extra) as ChatCompletionChunk;
const delta = (value: Record<string, unknown>, finish: string | null = null, index = 0) =>
  c([{ index, delta: value, finish_reason: finish }]);
const message0 = (chunks: ChatCompletionChunk[]) => accumulateChunks(chunks).choices[0]?.message;

describe('ChunkAccumulator', () => {
  it('assembles content into a chat.completion with role, refusal null and finish_reason', () => {
    const completion = accumulateChunks([
      delta({ role: 'assistant', content: '' }),
      delta({ content: 'Hel' }),
      delta({ content: 'lo' }),
      delta({}, 'stop'),
    ]);
    expect(completion).toEqual({
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1,
      model: 'm',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Hello', refusal: null },
          finish_reason: 'stop',
          logprobs: null,
        },
      ],
    });
  });

  it('gives content "" when only empty strings were sent and null when none was', () => {
    expect(message0([delta({ content: '' }), delta({ content: '' }, 'stop')])?.content).toBe('');
    expect(message0([delta({ content: null }), delta({}, 'tool_calls')])?.content).toBeNull();
  });

  it('defaults the role to assistant when the first chunk has none', () => {
    expect(message0([delta({ content: 'x' }, 'stop')])?.role).toBe('assistant');
  });

  it('assembles reasoning_content and reasoning separately', () => {
    const message = message0([
      delta({ reasoning_content: 'think ' }),
      delta({ reasoning_content: 'more' }),
      delta({ reasoning: 'r1' }),
      delta({ reasoning: 'r2', content: 'answer' }, 'stop'),
    ]);
    expect(message?.reasoning_content).toBe('think more');
    expect(message?.reasoning).toBe('r1r2');
    expect(message?.content).toBe('answer');
  });

  it('assembles a refusal', () => {
    const message = message0([delta({ refusal: "I can't" }), delta({ refusal: ' help.' }, 'stop')]);
    expect(message?.refusal).toBe("I can't help.");
    expect(message?.content).toBeNull();
  });

  it('assembles interleaved tool calls by index, id and name sent once', () => {
    const message = message0([
      delta({
        tool_calls: [{ index: 0, id: 'a', type: 'function', function: { name: 'f', arguments: '' } }],
      }),
      delta({
        tool_calls: [{ index: 1, id: 'b', type: 'function', function: { name: 'g', arguments: '{"y"' } }],
      }),
      delta({ tool_calls: [{ index: 0, function: { arguments: '{"x":' } }] }),
      delta({ tool_calls: [{ index: 1, function: { arguments: ':2}' } }] }),
      delta({ tool_calls: [{ index: 0, function: { arguments: '1}' } }] }, 'tool_calls'),
    ]);
    expect(message?.tool_calls).toEqual([
      { id: 'a', type: 'function', function: { name: 'f', arguments: '{"x":1}' } },
      { id: 'b', type: 'function', function: { name: 'g', arguments: '{"y":2}' } },
    ]);
  });

  it('orders tool calls by index even when a later index arrives first', () => {
    const message = message0([
      delta({ tool_calls: [{ index: 1, id: 'b', function: { name: 'g', arguments: '{}' } }] }),
      delta({ tool_calls: [{ index: 0, id: 'a', function: { name: 'f', arguments: '{}' } }] }, 'tool_calls'),
    ]);
    expect(message?.tool_calls?.map((call) => call.id)).toEqual(['a', 'b']);
  });

  it('matches tool-call deltas without index by id, or continues the last call (Mistral, GLM)', () => {
    const message = message0([
      delta({ tool_calls: [{ id: 'a', function: { name: 'f', arguments: '{"x"' } }] }),
      delta({ tool_calls: [{ function: { arguments: ':1}' } }] }),
      delta({ tool_calls: [{ id: 'b', function: { name: 'g', arguments: '{' } }] }),
      delta({ tool_calls: [{ id: 'a', function: { arguments: '' } }] }),
      delta({ tool_calls: [{ id: 'b', function: { arguments: '}' } }] }, 'tool_calls'),
    ]);
    expect(message?.tool_calls).toEqual([
      { id: 'a', type: 'function', function: { name: 'f', arguments: '{"x":1}' } },
      { id: 'b', type: 'function', function: { name: 'g', arguments: '{}' } },
    ]);
  });

  it('keeps a name already set when a later delta sends an empty one, and mixes indexed and unindexed deltas', () => {
    const message = message0([
      delta({ tool_calls: [{ id: 'a', type: 'function', function: { name: 'search', arguments: '' } }] }),
      delta(
        { tool_calls: [{ index: 0, type: 'function', function: { name: '', arguments: '{"q":1}' } }] },
        'tool_calls',
      ),
    ]);
    expect(message?.tool_calls).toEqual([
      { id: 'a', type: 'function', function: { name: 'search', arguments: '{"q":1}' } },
    ]);
  });

  it('opens a new call when a server reuses an index with a new id', () => {
    const message = message0([
      delta({ tool_calls: [{ index: 0, id: 'a', function: { name: 'f', arguments: '{}' } }] }),
      delta({ tool_calls: [{ index: 0, id: 'b', function: { name: 'g', arguments: '{}' } }] }, 'tool_calls'),
    ]);
    expect(message?.tool_calls?.map((call) => [call.id, call.function.name])).toEqual([
      ['a', 'f'],
      ['b', 'g'],
    ]);
  });

  it('stringifies tool-call arguments sent as an object and keeps provider fields of a call', () => {
    const message = message0([
      delta({
        tool_calls: [
          {
            index: 0,
            id: 'a',
            function: { name: 'f', arguments: { x: 1 } },
            extra_content: { google: { sig: 's' } },
          },
        ],
      }),
      delta({}, 'tool_calls'),
    ]);
    expect(message?.tool_calls).toEqual([
      {
        id: 'a',
        type: 'function',
        function: { name: 'f', arguments: '{"x":1}' },
        extra_content: { google: { sig: 's' } },
      },
    ]);
  });

  it('assembles a legacy function_call and audio', () => {
    const message = message0([
      delta({
        function_call: { name: 'f', arguments: '{"a"' },
        audio: { id: 'au', data: 'AA', transcript: 'he' },
      }),
      delta(
        { function_call: { arguments: ':1}' }, audio: { data: 'BB', transcript: 'llo' } },
        'function_call',
      ),
    ]);
    expect(message?.function_call).toEqual({ name: 'f', arguments: '{"a":1}' });
    expect(message?.audio).toEqual({ id: 'au', data: 'AABB', transcript: 'hello' });
  });

  it('takes usage from the last choice chunk', () => {
    const usage = { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 };
    expect(
      accumulateChunks([
        delta({ content: 'a' }),
        c([{ index: 0, delta: {}, finish_reason: 'stop' }], { usage }),
      ]).usage,
    ).toEqual(usage);
  });

  it('takes usage from a chunk with empty choices, ignoring null usage on the others', () => {
    const usage = { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 };
    const completion = accumulateChunks([
      c([{ index: 0, delta: { content: 'a' }, finish_reason: 'stop' }], { usage: null }),
      c([], { usage }),
    ]);
    expect(completion.usage).toEqual(usage);
    expect(completion.choices).toHaveLength(1);
  });

  it('takes usage reported inside a choice (Moonshot)', () => {
    const usage = { prompt_tokens: 4, completion_tokens: 5, total_tokens: 9 };
    expect(
      accumulateChunks([c([{ index: 0, delta: { content: 'a' }, finish_reason: 'stop', usage }])]).usage,
    ).toEqual(usage);
  });

  it('leaves usage out when none was sent', () => {
    expect('usage' in accumulateChunks([delta({ content: 'a' }, 'stop')])).toBe(false);
  });

  it('assembles n > 1 choices, each on its own, sorted by index', () => {
    const completion = accumulateChunks([
      c([
        { index: 1, delta: { role: 'assistant', content: 'B' }, finish_reason: null },
        { index: 0, delta: { role: 'assistant', content: 'A' }, finish_reason: null },
      ]),
      delta({ content: '2' }, 'length', 1),
      delta({ content: '1' }, 'stop', 0),
    ]);
    expect(
      completion.choices.map((choice) => [choice.index, choice.message.content, choice.finish_reason]),
    ).toEqual([
      [0, 'A1', 'stop'],
      [1, 'B2', 'length'],
    ]);
  });

  it('concatenates logprobs of content and refusal', () => {
    const token = (t: string) => ({ token: t, logprob: -0.1, bytes: null, top_logprobs: [] });
    const completion = accumulateChunks([
      c([
        {
          index: 0,
          delta: { content: 'a' },
          finish_reason: null,
          logprobs: { content: [token('a')], refusal: null },
        },
      ]),
      c([{ index: 0, delta: { content: 'b' }, finish_reason: null, logprobs: null }]),
      c([
        {
          index: 0,
          delta: { content: 'c' },
          finish_reason: 'stop',
          logprobs: { content: [token('c')], refusal: [token('r')] },
        },
      ]),
    ]);
    expect(completion.choices[0]?.logprobs).toEqual({
      content: [token('a'), token('c')],
      refusal: [token('r')],
    });
  });

  it('keeps provider fields: top-level and choice last value wins, delta strings concatenate', () => {
    const completion = accumulateChunks([
      c([{ index: 0, delta: { role: 'assistant', content: '', index: 0 }, finish_reason: null }], {
        x_groq: { id: 'req_1' },
        system_fingerprint: 'fp_1',
        obfuscation: 'abc',
      }),
      c(
        [{ index: 0, delta: { content: 'a', citations_text: 'x' }, finish_reason: null, stop_reason: null }],
        {
          system_fingerprint: null,
        },
      ),
      c([{ index: 0, delta: { citations_text: 'y' }, finish_reason: 'stop', stop_reason: 42 }], {
        x_groq: { id: 'req_1', usage: { total_tokens: 3 } },
        service_tier: 'default',
      }),
    ]);
    expect(completion.x_groq).toEqual({ id: 'req_1', usage: { total_tokens: 3 } });
    expect(completion.system_fingerprint).toBe('fp_1');
    expect(completion.service_tier).toBe('default');
    expect('obfuscation' in completion).toBe(false);
    expect(completion.choices[0]?.stop_reason).toBe(42);
    expect(completion.choices[0]?.message.citations_text).toBe('xy');
    expect('index' in (completion.choices[0]?.message ?? {})).toBe(false);
  });

  it('takes id, model and created from the first chunk that has them (Azure sends an empty first chunk)', () => {
    const completion = accumulateChunks([
      { id: '', object: '', created: 0, model: '', choices: [], prompt_filter_results: [] },
      delta({ content: 'a' }, 'stop'),
    ] as ChatCompletionChunk[]);
    expect([completion.id, completion.model, completion.created, completion.object]).toEqual([
      'chatcmpl-1',
      'm',
      1,
      'chat.completion',
    ]);
    expect(completion.prompt_filter_results).toEqual([]);
  });

  it('gives snapshots that later chunks do not change, and reports finished', () => {
    const accumulator = new ChunkAccumulator();
    accumulator.add(
      delta({ content: 'a', tool_calls: [{ index: 0, id: 't', function: { name: 'f', arguments: '{' } }] }),
    );
    const early = accumulator.snapshot();
    expect(accumulator.finished).toBe(false);
    accumulator.add(
      delta({ content: 'b', tool_calls: [{ index: 0, function: { arguments: '}' } }] }, 'stop'),
    );
    expect(early.choices[0]?.message.content).toBe('a');
    expect(early.choices[0]?.message.tool_calls?.[0]?.function.arguments).toBe('{');
    expect(accumulator.finished).toBe(true);
    expect(accumulator.chunkCount).toBe(2);
    expect(accumulator.toCompletion().choices[0]?.message.content).toBe('ab');
  });

  it('is not finished before any choice arrived', () => {
    const accumulator = new ChunkAccumulator();
    accumulator.add(c([], { usage: { prompt_tokens: 1, completion_tokens: 0, total_tokens: 1 } }));
    expect(accumulator.finished).toBe(false);
  });
});

describe('accumulateChunks', () => {
  it('accepts an async iterable and resolves to the completion', async () => {
    async function* chunks() {
      yield delta({ content: 'a' });
      yield delta({ content: 'b' }, 'stop');
    }
    const completion = await accumulateChunks(chunks());
    expect(completion.choices[0]?.message.content).toBe('ab');
  });
});
