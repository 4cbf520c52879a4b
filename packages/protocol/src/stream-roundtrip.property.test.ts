import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { byteStream, collect, splitAt } from '../test/byte-stream.js';
import { decodeChatCompletionStream } from './chat-completion-stream.js';
import type { ChatCompletionChunk, ChunkDelta } from './chunk.js';
import { accumulateChunks, ChunkAccumulator } from './chunk-accumulator.js';

const text = fc.string({ unit: 'grapheme', maxLength: 12 });

/** One delta of a random stream: content, reasoning, or a fragment of one of two tool calls. */
const deltaArbitrary = fc.oneof(
  text.map((content) => ({ content })),
  text.map((reasoning_content) => ({ reasoning_content })),
  fc.record({ call: fc.integer({ min: 0, max: 1 }), args: text }).map(({ call, args }) => ({
    tool_calls: [
      {
        index: call,
        id: `call_${call}`,
        type: 'function',
        function: { name: `tool_${call}`, arguments: args },
      },
    ],
  })),
);

const streamArbitrary = fc.record({
  deltas: fc.array(deltaArbitrary, { maxLength: 15 }),
  finish: fc.constantFrom('stop', 'tool_calls', 'length'),
  withUsage: fc.boolean(),
  crlf: fc.boolean(),
  spaceAfterColon: fc.boolean(),
  pretty: fc.boolean(),
  comments: fc.boolean(),
  done: fc.boolean(),
});

type StreamSpec = typeof streamArbitrary extends fc.Arbitrary<infer T> ? T : never;

function buildChunks(spec: StreamSpec): ChatCompletionChunk[] {
  const base = { id: 'chatcmpl-p', object: 'chat.completion.chunk', created: 7, model: 'm' };
  const chunks: ChatCompletionChunk[] = spec.deltas.map((delta, position) => ({
    ...base,
    choices: [
      {
        index: 0,
        delta: (position === 0 ? { role: 'assistant', ...delta } : delta) as ChunkDelta,
        finish_reason: null,
      },
    ],
  }));
  chunks.push({ ...base, choices: [{ index: 0, delta: {}, finish_reason: spec.finish }] });
  if (spec.withUsage) {
    chunks.push({ ...base, choices: [], usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 } });
  }
  return chunks;
}

function frame(chunks: ChatCompletionChunk[], spec: StreamSpec): Uint8Array {
  const eol = spec.crlf ? '\r\n' : '\n';
  const prefix = spec.spaceAfterColon ? 'data: ' : 'data:';
  let body = spec.comments ? `: keep-alive${eol}${eol}` : '';
  for (const item of chunks) {
    const json = spec.pretty ? JSON.stringify(item, null, 1) : JSON.stringify(item);
    body += json
      .split('\n')
      .map((line) => `${prefix}${line}${eol}`)
      .join('');
    body += spec.comments ? `: ping${eol}${eol}` : eol;
  }
  if (spec.done) body += `${prefix}[DONE]${eol}${eol}`;
  return new TextEncoder().encode(body);
}

async function decodeAll(
  pieces: Uint8Array[],
): Promise<{ chunks: ChatCompletionChunk[]; accumulator: ChunkAccumulator }> {
  const accumulator = new ChunkAccumulator();
  const chunks = await collect(decodeChatCompletionStream(byteStream(pieces), { accumulator }));
  return { chunks, accumulator };
}

describe('decodeChatCompletionStream + ChunkAccumulator (property)', () => {
  it('gives the same chunks and completion for every cut of a random stream as for the uncut one', async () => {
    const cases = fc.tuple(
      streamArbitrary,
      fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 30 }),
    );
    await fc.assert(
      fc.asyncProperty(cases, async ([spec, fractions]) => {
        const chunks = buildChunks(spec);
        const body = frame(chunks, spec);
        const positions = [...new Set(fractions.map((f) => Math.floor(f * body.length)))].sort(
          (a, b) => a - b,
        );
        const uncut = await decodeAll([body]);
        const cut = await decodeAll(splitAt(body, positions));
        expect(uncut.chunks).toEqual(chunks);
        expect(cut.chunks).toEqual(chunks);
        const expected = accumulateChunks(chunks);
        expect(uncut.accumulator.toCompletion()).toEqual(expected);
        expect(cut.accumulator.toCompletion()).toEqual(expected);
      }),
      { numRuns: 150, seed: 42 },
    );
  });

  it('splits at every single byte position of one stream with multi-byte text', async () => {
    const spec: StreamSpec = {
      deltas: [{ content: 'Grüße 🌍' }, { reasoning_content: '世界' }, { content: '!' }],
      finish: 'stop',
      withUsage: true,
      crlf: true,
      spaceAfterColon: false,
      pretty: false,
      comments: true,
      done: true,
    };
    const chunks = buildChunks(spec);
    const body = frame(chunks, spec);
    const expected = accumulateChunks(chunks);
    for (let position = 1; position < body.length; position++) {
      const { accumulator } = await decodeAll(splitAt(body, [position]));
      expect(accumulator.toCompletion()).toEqual(expected);
    }
    expect(expected.choices[0]?.message).toMatchObject({ content: 'Grüße 🌍!', reasoning_content: '世界' });
  });
});
