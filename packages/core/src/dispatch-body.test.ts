import type { Dispatcher } from 'undici';
import { describe, expect, it } from 'vitest';
import { DISPATCH_BODY_HIGH_WATER_BYTES, DispatchBody } from './dispatch-body.js';

/** A controller that records what the body asked of it, as undici's would. */
function fakeController() {
  const calls: string[] = [];
  let paused = false;
  let aborted: Error | undefined;
  const controller = {
    get aborted() {
      return aborted !== undefined;
    },
    get paused() {
      return paused;
    },
    get reason() {
      return aborted ?? null;
    },
    abort(reason: Error) {
      calls.push('abort');
      aborted = reason;
    },
    pause() {
      calls.push('pause');
      paused = true;
    },
    resume() {
      calls.push('resume');
      paused = false;
    },
  } as unknown as Dispatcher.DispatchController;
  return { controller, calls, reason: () => aborted };
}

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('DispatchBody', () => {
  it('hands out chunks pushed before and after the read, then ends', async () => {
    const { controller } = fakeController();
    const body = new DispatchBody(controller);
    body.push(bytes('a'));
    const iterator = body[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toEqual(bytes('a'));
    const waiting = iterator.next();
    body.push(bytes('b'));
    expect((await waiting).value).toEqual(bytes('b'));
    const last = iterator.next();
    body.end();
    expect(await last).toEqual({ done: true, value: undefined });
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  it('hands out everything queued as one read, and the pieces of one socket read together', async () => {
    const { controller } = fakeController();
    const body = new DispatchBody(controller);
    body.push(bytes('a'));
    body.push(bytes('b'));
    const iterator = body[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toEqual(bytes('ab'));
    // A waiting reader is woken once the pieces handed over together are all queued.
    const waiting = iterator.next();
    body.push(bytes('c'));
    body.push(bytes('d'));
    body.end();
    expect((await waiting).value).toEqual(bytes('cd'));
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  it('pauses the socket past the high-water mark and resumes once the reader catches up', async () => {
    const { controller, calls } = fakeController();
    const body = new DispatchBody(controller);
    const iterator = body[Symbol.asyncIterator]();
    const piece = Buffer.alloc(DISPATCH_BODY_HIGH_WATER_BYTES / 4);
    for (let i = 0; i < 4; i++) body.push(piece);
    expect(calls).toEqual(['pause']);
    expect((await iterator.next()).value?.byteLength).toBe(DISPATCH_BODY_HIGH_WATER_BYTES);
    expect(calls).toEqual(['pause', 'resume']);
    body.end();
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  it('rejects a waiting read with the failure, and every read after it', async () => {
    const { controller } = fakeController();
    const body = new DispatchBody(controller);
    const iterator = body[Symbol.asyncIterator]();
    const waiting = iterator.next();
    const failure = new Error('socket hang up');
    body.fail(failure);
    await expect(waiting).rejects.toBe(failure);
    await expect(iterator.next()).rejects.toBe(failure);
  });

  it('hands out the bytes received before a failure, then the failure', async () => {
    const { controller } = fakeController();
    const body = new DispatchBody(controller);
    const iterator = body[Symbol.asyncIterator]();
    const waiting = iterator.next();
    body.push(bytes('data: {}'));
    const failure = new Error('socket hang up');
    body.fail(failure);
    expect((await waiting).value).toEqual(bytes('data: {}'));
    await expect(iterator.next()).rejects.toBe(failure);
  });

  it('reads as text: joins the chunks, drops a BOM, replaces invalid bytes, ignores backpressure', async () => {
    const { controller, calls } = fakeController();
    const body = new DispatchBody(controller);
    const text = body.text();
    const euro = bytes('€');
    body.push(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes('{"a":"x'), euro.subarray(0, 1)]));
    body.push(Buffer.concat([euro.subarray(1), Buffer.from([0xff]), bytes('"}')]));
    body.push(Buffer.alloc(DISPATCH_BODY_HIGH_WATER_BYTES, 0x20));
    body.end();
    expect((await text).trimEnd()).toBe('{"a":"x€\uFFFD"}');
    expect(calls).toEqual([]);
  });

  it('reads as text after the body already ended', async () => {
    const { controller } = fakeController();
    const body = new DispatchBody(controller);
    body.push(bytes('{}'));
    body.end();
    expect(await body.text()).toBe('{}');
  });

  it('is read once', async () => {
    const { controller } = fakeController();
    const body = new DispatchBody(controller);
    const text = body.text();
    await expect(body.text()).rejects.toBeInstanceOf(TypeError);
    expect(() => body[Symbol.asyncIterator]()).toThrow(TypeError);
    body.end();
    expect(await text).toBe('');
  });

  it('destroy aborts the request once, ends a waiting read, and drops later bytes', async () => {
    const { controller, calls, reason } = fakeController();
    const body = new DispatchBody(controller);
    const iterator = body[Symbol.asyncIterator]();
    const waiting = iterator.next();
    body.destroy();
    body.destroy();
    expect(await waiting).toEqual({ done: true, value: undefined });
    expect(calls).toEqual(['abort']);
    expect(reason()).toBeInstanceOf(Error);
    // undici reports the abort back as an error; the reader has left and never sees it.
    body.fail(new Error('aborted'));
    body.push(bytes('late'));
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  it('destroy after the end does not abort, and rejects a waiting text()', async () => {
    const ended = fakeController();
    const done = new DispatchBody(ended.controller);
    done.end();
    done.destroy();
    expect(ended.calls).toEqual([]);

    const { controller } = fakeController();
    const body = new DispatchBody(controller);
    const text = body.text();
    body.destroy();
    await expect(text).rejects.toThrow(/destroyed/);
  });

  it('leaving a for-await loop early destroys the body', async () => {
    const { controller, calls } = fakeController();
    const body = new DispatchBody(controller);
    body.push(bytes('a'));
    body.push(bytes('b'));
    for await (const _chunk of body) break;
    expect(calls).toEqual(['abort']);
  });
});
