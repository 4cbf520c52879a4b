import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { byteStream, chunk, collect, splitAt, sseBody } from '../test/byte-stream.js';
import { decodeChatCompletionStream } from './chat-completion-stream.js';
import { ChunkAccumulator } from './chunk-accumulator.js';
import {
  IncompleteStreamError,
  isIncompleteStreamError,
  isMalformedResponseError,
  isStreamEventError,
  type StreamEventError,
} from './stream-errors.js';

const text = (content: string, finish: string | null = null) =>
  chunk([{ index: 0, delta: { content }, finish_reason: finish }]);

const decode = (body: string) => collect(decodeChatCompletionStream(byteStream([body])));
const failure = (body: string) =>
  decode(body).then(
    () => undefined,
    (error: unknown) => error,
  );

describe('decodeChatCompletionStream', () => {
  it('yields the chunks and stops at [DONE], ignoring anything after it', async () => {
    const chunks = await decode(`${sseBody([text('a'), text('b', 'stop')])}data: {"not":"read"}\n\n`);
    expect(chunks.map((c) => c.choices[0]?.delta.content)).toEqual(['a', 'b']);
  });

  it('accepts a stream without [DONE] once every choice has a finish_reason', async () => {
    const chunks = await decode(sseBody([text('a'), text('b', 'stop')], false));
    expect(chunks).toHaveLength(2);
  });

  it('accepts a final [DONE] without its blank line', async () => {
    expect(await decode(`data: ${JSON.stringify(text('a'))}\n\ndata: [DONE]`)).toHaveLength(1);
  });

  it('throws IncompleteStreamError with the partial when the stream just ends', async () => {
    const error = await failure(sseBody([text('Hel'), text('lo')], false));
    expect(isIncompleteStreamError(error)).toBe(true);
    const incomplete = error as IncompleteStreamError;
    expect(incomplete).toBeInstanceOf(IncompleteStreamError);
    expect(incomplete.partial.choices[0]?.message.content).toBe('Hello');
    expect(incomplete.partial.choices[0]?.finish_reason).toBeNull();
    expect(incomplete.chunkCount).toBe(2);
    expect(JSON.parse(JSON.stringify(incomplete))).toMatchObject({
      code: 'incomplete_stream',
      chunkCount: 2,
    });
  });

  it('throws IncompleteStreamError for an empty body', async () => {
    expect(isIncompleteStreamError(await failure(''))).toBe(true);
  });

  it('throws IncompleteStreamError when the body ends inside an event', async () => {
    const error = await failure(`data: ${JSON.stringify(text('a'))}\n\ndata: {"id":"x","cho`);
    expect(isIncompleteStreamError(error)).toBe(true);
    expect((error as IncompleteStreamError).partial.choices[0]?.message.content).toBe('a');
  });

  it('waits for every choice of n > 1 to finish', async () => {
    const first = chunk([{ index: 0, delta: { content: 'a' }, finish_reason: 'stop' }]);
    const second = chunk([{ index: 1, delta: { content: 'b' }, finish_reason: null }]);
    expect(isIncompleteStreamError(await failure(sseBody([first, second], false)))).toBe(true);
  });

  it('turns an event: error frame into StreamEventError carrying the body', async () => {
    const body = { error: { message: 'overloaded', type: 'server_error', code: 'overloaded' } };
    const error = await failure(
      `data: ${JSON.stringify(text('a'))}\n\nevent: error\ndata: ${JSON.stringify(body)}\n\n`,
    );
    expect(isStreamEventError(error)).toBe(true);
    expect((error as StreamEventError).body).toEqual(body);
    expect((error as StreamEventError).error).toEqual(body.error);
    expect((error as Error).message).toContain('overloaded');
  });

  it('turns an error frame with plain-text data into StreamEventError', async () => {
    const error = await failure('event: error\ndata: upstream went away\n\n');
    expect((error as StreamEventError).error).toEqual({ message: 'upstream went away' });
  });

  it('turns a {"error":{...}} data payload into StreamEventError', async () => {
    const error = await failure('data: {"error":{"message":"rate limited","type":"rate_limit_error"}}\n\n');
    expect(isStreamEventError(error)).toBe(true);
    expect((error as StreamEventError).error.type).toBe('rate_limit_error');
  });

  it('throws MalformedResponseError for invalid JSON, keeping a snippet', async () => {
    const error = await failure('data: {nope}\n\ndata: [DONE]\n\n');
    expect(isMalformedResponseError(error)).toBe(true);
    expect(error).toMatchObject({ snippet: '{nope}' });
  });

  it('throws MalformedResponseError for JSON that is not an object', async () => {
    expect(isMalformedResponseError(await failure('data: [1,2]\n\ndata: [DONE]\n\n'))).toBe(true);
    expect(isMalformedResponseError(await failure('data: 42\n\ndata: [DONE]\n\n'))).toBe(true);
  });

  it('skips empty data events and keep-alive comments', async () => {
    const chunks = await decode(`: ping\n\ndata:\n\n${sseBody([text('a', 'stop')])}`);
    expect(chunks).toHaveLength(1);
  });

  it('reads the plain framing, then comments, fields, multi-line data and CRLF once they appear', async () => {
    const a = JSON.stringify(text('a'));
    const b = JSON.stringify(text('b'));
    const pieces = [
      `data: ${a}\n\ndata: ${a.slice(0, 10)}`,
      `${a.slice(10)}\n\n: ping\n\nevent: message\ndata: ${b.slice(0, 5)}\ndata: ${b.slice(5)}\n\n`,
      `data: ${JSON.stringify(text('c', 'stop'))}\r\n\r\ndata: [DONE]\r\n\r\n`,
    ];
    const chunks = await collect(decodeChatCompletionStream(byteStream(pieces)));
    expect(chunks.map((c) => c.choices[0]?.delta.content)).toEqual(['a', 'a', 'b', 'c']);
  });

  it('rejects an event longer than maxBufferSize that arrives over several reads', async () => {
    const pieces = ['data: {"id":"', 'x'.repeat(40), 'x'.repeat(40), 'x'.repeat(40), '"}\n\n'];
    const error = await collect(decodeChatCompletionStream(byteStream(pieces), { maxBufferSize: 50 })).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(isMalformedResponseError(error)).toBe(true);
  });

  it('drain() reads every chunk into the accumulator, and rejects like next()', async () => {
    const accumulator = new ChunkAccumulator();
    const pieces = [sseBody([text('a'), text('b')], false), sseBody([text('c', 'stop')])];
    await decodeChatCompletionStream(byteStream(pieces), { accumulator }).drain();
    expect(accumulator.toCompletion().choices[0]?.message.content).toBe('abc');
    const partial = new ChunkAccumulator();
    const cut = decodeChatCompletionStream(
      byteStream([sseBody([text('a')], false), sseBody([text('b')], false)]),
      {
        accumulator: partial,
      },
    );
    await expect(cut.drain()).rejects.toBeInstanceOf(IncompleteStreamError);
    expect(partial.chunkCount).toBe(2);
    const broken = decodeChatCompletionStream(byteStream([sseBody([text('a')], false), 'data: {oops\n\n']));
    await expect(broken.drain()).rejects.toSatisfy(isMalformedResponseError);
  });

  it('parses payloads prototype-safely', async () => {
    const body = `data: {"id":"x","choices":[],"__proto__":{"polluted":true}}\n\n${sseBody([text('a', 'stop')])}`;
    const chunks = await decode(body);
    expect(Object.hasOwn(chunks[0] as object, '__proto__')).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('strips prototype keys wherever the reads cut the body, escaped spellings included', async () => {
    const payloads = [
      '{"id":"x","choices":[],"__proto__":{"polluted":true}}',
      '{"id":"x","choices":[],"\\u005f_proto__":{"polluted":true}}',
      '{"id":"x","choices":[],"constructor":{"prototype":{"polluted":true}}}',
    ];
    for (const payload of payloads) {
      const bytes = new TextEncoder().encode(`data: ${payload}\n\n${sseBody([text('a', 'stop')])}`);
      // Every cut puts a different part of the payload into the read the fast path checks.
      for (let cut = 1; cut < bytes.length; cut++) {
        const chunks = await collect(decodeChatCompletionStream(byteStream(splitAt(bytes, [cut]))));
        const first = chunks[0] as Record<string, unknown>;
        expect(Object.hasOwn(first, '__proto__')).toBe(false);
        expect(Object.hasOwn(first, 'constructor')).toBe(false);
        expect(chunks[1]?.choices[0]?.delta.content).toBe('a');
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('nextBuffered takes received chunks in order and leaves [DONE] and errors to next()', async () => {
    const accumulator = new ChunkAccumulator();
    const stream = decodeChatCompletionStream(
      byteStream([sseBody([text('a'), text('b'), text('c', 'stop')])]),
      { accumulator },
    );
    expect(stream.nextBuffered()).toBeUndefined();
    expect((await stream.next()).value?.choices[0]?.delta.content).toBe('a');
    expect(stream.nextBuffered()?.value.choices[0]?.delta.content).toBe('b');
    expect(stream.nextBuffered()?.value.choices[0]?.delta.content).toBe('c');
    expect(accumulator.chunkCount).toBe(3);
    expect(stream.nextBuffered()).toBeUndefined();
    expect(await stream.next()).toEqual({ done: true, value: undefined });
    expect(accumulator.toCompletion().choices[0]?.message.content).toBe('abc');

    const broken = decodeChatCompletionStream(
      byteStream([`data: ${JSON.stringify(text('a'))}\n\ndata: {oops\n\n${sseBody([text('b', 'stop')])}`]),
    );
    await broken.next();
    expect(broken.nextBuffered()).toBeUndefined();
    expect(broken.nextBuffered()).toBeUndefined();
    await expect(broken.next()).rejects.toSatisfy(isMalformedResponseError);
  });

  it('nextBuffered answers undefined while a read is in progress', async () => {
    let release: (() => void) | undefined;
    async function* slow(): AsyncGenerator<Uint8Array> {
      yield new TextEncoder().encode(`data: ${JSON.stringify(text('a'))}\n\n`);
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      yield new TextEncoder().encode(sseBody([text('b', 'stop')]));
    }
    const stream = decodeChatCompletionStream(slow());
    await stream.next();
    const pending = stream.next();
    expect(stream.nextBuffered()).toBeUndefined();
    release?.();
    expect((await pending).value?.choices[0]?.delta.content).toBe('b');
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });

  it('adds every chunk to a given accumulator', async () => {
    const accumulator = new ChunkAccumulator();
    await collect(
      decodeChatCompletionStream(byteStream([sseBody([text('a'), text('b', 'stop')])]), { accumulator }),
    );
    expect(accumulator.toCompletion().choices[0]?.message.content).toBe('ab');
  });

  it('hands out the chunks received before an error, then the error', async () => {
    const stream = decodeChatCompletionStream(byteStream([`${sseBody([text('a')], false)}data: {oops}\n\n`]));
    expect((await stream.next()).value).toMatchObject({ choices: [{ delta: { content: 'a' } }] });
    expect(isMalformedResponseError(await stream.next().catch((e: unknown) => e))).toBe(true);
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });

  it('answers concurrent next() calls in order', async () => {
    const stream = decodeChatCompletionStream(
      byteStream([sseBody([text('a')], false), sseBody([text('b', 'stop')])]),
    );
    const results = await Promise.all([stream.next(), stream.next(), stream.next(), stream.next()]);
    expect(results.map((r) => (r.done ? 'done' : r.value.choices[0]?.delta.content))).toEqual([
      'a',
      'b',
      'done',
      'done',
    ]);
  });

  it('releases a Node stream body when the consumer breaks early', async () => {
    const body = Readable.from([
      Buffer.from(sseBody([text('a')], false)),
      Buffer.from(sseBody([text('b', 'stop')])),
    ]);
    for await (const received of decodeChatCompletionStream(body)) {
      expect(received.choices[0]?.delta.content).toBe('a');
      break;
    }
    expect(body.destroyed).toBe(true);
  });

  it('cancels a ReadableStream body on return() and answers done afterwards', async () => {
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new TextEncoder().encode(sseBody([text('a')], false)));
      },
      cancel() {
        cancelled = true;
      },
    });
    const stream = decodeChatCompletionStream(body);
    expect((await stream.next()).done).toBe(false);
    expect(await stream.return()).toEqual({ done: true, value: undefined });
    expect(cancelled).toBe(true);
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });

  it('releases the body at [DONE] even if the server keeps it open', async () => {
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(sseBody([text('a', 'stop')])));
      },
      cancel() {
        cancelled = true;
      },
    });
    expect(await collect(decodeChatCompletionStream(body))).toHaveLength(1);
    expect(cancelled).toBe(true);
  });

  it('rejects with the given error on throw() and releases the body', async () => {
    const body = Readable.from([
      Buffer.from(sseBody([text('a')], false)),
      Buffer.from(sseBody([text('b', 'stop')])),
    ]);
    const stream = decodeChatCompletionStream(body);
    await stream.next();
    const reason = new Error('consumer gave up');
    await expect(stream.throw(reason)).rejects.toBe(reason);
    expect(body.destroyed).toBe(true);
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });

  it('works as the target of yield* and returns itself as its async iterator', async () => {
    const stream = decodeChatCompletionStream(byteStream([sseBody([text('a'), text('b', 'stop')])]));
    expect(stream[Symbol.asyncIterator]()).toBe(stream);
    async function* wrapped() {
      yield* stream;
    }
    expect((await collect(wrapped())).length).toBe(2);
  });
});
