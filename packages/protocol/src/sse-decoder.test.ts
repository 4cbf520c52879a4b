import { describe, expect, it } from 'vitest';
import { byteStream, collect, splitAt } from '../test/byte-stream.js';
import { decodeSseEvents } from './sse-decoder.js';
import { isMalformedResponseError } from './stream-errors.js';

const decode = (pieces: Array<string | Uint8Array>) => collect(decodeSseEvents(byteStream(pieces)));

describe('decodeSseEvents', () => {
  it('decodes LF-framed data events', async () => {
    expect(await decode(['data: a\n\ndata: b\n\n'])).toEqual([{ data: 'a' }, { data: 'b' }]);
  });

  it('decodes CRLF and bare CR line ends', async () => {
    expect(await decode(['data: a\r\n\r\ndata: b\r\rdata: c\n\n'])).toEqual([
      { data: 'a' },
      { data: 'b' },
      { data: 'c' },
    ]);
  });

  it('handles a CRLF split between two chunks', async () => {
    expect(await decode(['data: a\r', '\n\r', '\ndata: b\r\n\r\n'])).toEqual([{ data: 'a' }, { data: 'b' }]);
  });

  it('ignores comment lines and reports them to onComment', async () => {
    const comments: string[] = [];
    const events = await collect(
      decodeSseEvents(byteStream([': keep-alive\n\ndata: x\n: inside\n\n']), {
        onComment: (c) => comments.push(c),
      }),
    );
    expect(events).toEqual([{ data: 'x' }]);
    expect(comments).toEqual(['keep-alive', 'inside']);
  });

  it('joins multi-line data with \\n', async () => {
    expect(await decode(['data: {"a":\ndata: 1}\n\n'])).toEqual([{ data: '{"a":\n1}' }]);
  });

  it('reads data with or without the space after the colon', async () => {
    expect(await decode(['data:x\n\ndata: y\n\ndata:  z\n\n'])).toEqual([
      { data: 'x' },
      { data: 'y' },
      { data: ' z' },
    ]);
  });

  it('reads event and id fields and reports retry', async () => {
    const retries: number[] = [];
    const events = await collect(
      decodeSseEvents(byteStream(['retry: 3000\nevent: error\nid: 7\ndata: {"e":1}\n\n']), {
        onRetry: (ms) => retries.push(ms),
      }),
    );
    expect(events).toEqual([{ event: 'error', id: '7', data: '{"e":1}' }]);
    expect(retries).toEqual([3000]);
  });

  it('joins a UTF-8 character split across chunks', async () => {
    const bytes = new TextEncoder().encode('data: héllo 🌍 世界\n\n');
    const positions = [8, 9, 14, 15, 16, 19];
    expect(await decode(splitAt(bytes, positions))).toEqual([{ data: 'héllo 🌍 世界' }]);
  });

  it('turns invalid UTF-8 into U+FFFD instead of throwing', async () => {
    const bytes = Uint8Array.from([
      ...new TextEncoder().encode('data: a'),
      0xff,
      0xfe,
      ...new TextEncoder().encode('b\n\n'),
    ]);
    expect(await decode([bytes])).toEqual([{ data: 'a\uFFFD\uFFFDb' }]);
  });

  it('flushes an incomplete character at the end of the body as U+FFFD', async () => {
    const bytes = new TextEncoder().encode('data: 🌍');
    expect(await decode([bytes.subarray(0, bytes.length - 1)])).toEqual([
      { data: '\uFFFD', unterminated: true },
    ]);
  });

  it('delivers a last event that lacks the closing blank line', async () => {
    expect(await decode(['data: a\n\ndata: b'])).toEqual([{ data: 'a' }, { data: 'b', unterminated: true }]);
    expect(await decode(['data: a\r'])).toEqual([{ data: 'a', unterminated: true }]);
    expect(await decode(['data: a\n'])).toEqual([{ data: 'a', unterminated: true }]);
    expect(await decode(['data: a\n\n'])).toEqual([{ data: 'a' }]);
  });

  it('strips a leading byte order mark', async () => {
    expect(await decode([Uint8Array.from([0xef, 0xbb]), Uint8Array.from([0xbf]), 'data: a\n\n'])).toEqual([
      { data: 'a' },
    ]);
  });

  it('reads a Web ReadableStream', async () => {
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('data: a\n\n'));
        controller.close();
      },
    });
    expect(await collect(decodeSseEvents(stream))).toEqual([{ data: 'a' }]);
  });

  it('cancels a ReadableStream whose consumer stops early', async () => {
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new TextEncoder().encode('data: a\n\n'));
      },
      cancel() {
        cancelled = true;
      },
    });
    // A bare reader-based stream: hide the async iterator so the reader path is used.
    const bare = { getReader: () => stream.getReader() } as unknown as ReadableStream<Uint8Array>;
    for await (const event of decodeSseEvents(bare)) {
      expect(event).toEqual({ data: 'a' });
      break;
    }
    expect(cancelled).toBe(true);
  });

  it('rejects a line longer than maxBufferSize with a MalformedResponseError', async () => {
    const limited = await collect(
      decodeSseEvents(byteStream(['data: ', 'x'.repeat(100)]), { maxBufferSize: 50 }),
    ).catch((e: unknown) => e);
    expect(isMalformedResponseError(limited)).toBe(true);
  });
});
