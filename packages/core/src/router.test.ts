import { describe, expect, it } from 'vitest';
import { completion, fakeMeta, sendRequest, streamResult } from '../test/fake-send.js';
import { ChatStream } from './chat-stream.js';
import type { ChatClient } from './client.js';
import { ClientUsage } from './client-usage.js';
import {
  AuthenticationError,
  ContextLengthError,
  InsufficientQuotaError,
  InternalServerError,
  isAbortError,
} from './errors.js';
import { withMeta } from './response-meta.js';
import { createRouter, isNoHealthyTargetError, type RouterEvent } from './router.js';

type Outcome = 'ok' | Error | { streamFailAfter: number };

/** A fake client answering from a script; `calls` records the models it was asked for. */
function fakeClient(baseURL: string, script: Outcome[], latencyMs = 10) {
  const calls: string[] = [];
  const next = (): Outcome => script[Math.min(calls.length - 1, script.length - 1)] as Outcome;
  const client: ChatClient = {
    baseURL,
    usage: new ClientUsage(),
    async chat(request) {
      calls.push(request.model);
      const outcome = next();
      if (outcome instanceof Error) throw outcome;
      const answer = { ...completion(20, `from ${baseURL}`), model: request.model };
      return withMeta(answer, { ...fakeMeta(sendRequest()), latencyMs });
    },
    stream(request, options) {
      return new ChatStream(
        {
          start: async () => {
            calls.push(request.model);
            const outcome = next();
            if (outcome instanceof Error) throw outcome;
            const result = streamResult(sendRequest({ kind: 'stream' }), ['a', 'b', 'c']);
            if (outcome === 'ok') return result;
            let served = 0;
            const inner = result.chunks;
            return {
              ...result,
              chunks: {
                next: async () => {
                  if (served++ >= outcome.streamFailAfter)
                    throw new InternalServerError('cut', { status: 502 });
                  return inner.next();
                },
                return: async () => ({ done: true, value: undefined }),
              },
            };
          },
          settle: () => undefined,
        },
        options?.signal,
      );
    },
    close: async () => undefined,
  };
  return { client, calls };
}

const outage = () => new InternalServerError('down', { status: 503 });
const request = {
  model: 'req-model',
  messages: [{ role: 'user' as const, content: 'hello' }],
  max_tokens: 100,
};

describe('createRouter', () => {
  it('falls back on a retryable failure and reports the cause', async () => {
    const a = fakeClient('http://a', [outage()]);
    const b = fakeClient('http://b', ['ok']);
    const events: RouterEvent[] = [];
    const router = createRouter({
      targets: [
        { client: a.client, name: 'A' },
        { client: b.client, name: 'B', model: 'b-model' },
      ],
      onEvent: (event) => events.push(event),
    });
    const answer = await router.chat(request, { tags: ['t'] });
    expect(answer.choices[0]?.message.content).toBe('from http://b');
    expect(b.calls).toEqual(['b-model']);
    expect(events.map((event) => event.type)).toEqual(['route', 'fallback']);
    expect(events[1]).toMatchObject({ from: 'A', to: 'B', cause: 'retryable' });
    expect(router.usage.snapshot()).toMatchObject({
      requests: 1,
      byModel: { 'b-model': { requests: 1 } },
      byTag: { t: {} },
    });
  });

  it('falls back on insufficient quota', async () => {
    const a = fakeClient('http://a', [new InsufficientQuotaError('no credit', { status: 429 })]);
    const b = fakeClient('http://b', ['ok']);
    const events: RouterEvent[] = [];
    const router = createRouter({
      targets: [{ client: a.client }, { client: b.client }],
      onEvent: (e) => events.push(e),
    });
    await router.chat(request);
    expect(events[1]).toMatchObject({ type: 'fallback', cause: 'insufficient-quota' });
  });

  it('on a context-length error tries only larger windows', async () => {
    const small = fakeClient('http://small', [new ContextLengthError('too long', { status: 400 })]);
    const smaller = fakeClient('http://smaller', ['ok']);
    const large = fakeClient('http://large', ['ok']);
    const events: RouterEvent[] = [];
    const router = createRouter({
      targets: [
        { client: small.client, name: 'small', contextWindow: 32_000 },
        { client: smaller.client, name: 'smaller', contextWindow: 16_000 },
        { client: large.client, name: 'large', contextWindow: 1_000_000 },
      ],
      onEvent: (e) => events.push(e),
    });
    await router.chat(request);
    expect(smaller.calls).toEqual([]);
    expect(large.calls).toHaveLength(1);
    expect(events[1]).toMatchObject({ from: 'small', to: 'large', cause: 'context-length' });
  });

  it('does not fall back on errors the next target would repeat, nor on abort', async () => {
    const a = fakeClient('http://a', [new AuthenticationError('bad key', { status: 401 })]);
    const b = fakeClient('http://b', ['ok']);
    const router = createRouter({ targets: [{ client: a.client }, { client: b.client }] });
    await expect(router.chat(request)).rejects.toBeInstanceOf(AuthenticationError);
    expect(b.calls).toEqual([]);
  });

  it('opens a deployment breaker after repeated failures, skips it, half-opens after the cool-down', async () => {
    let time = 0;
    const a = fakeClient('http://a', [outage(), outage(), 'ok']);
    const b = fakeClient('http://b', ['ok']);
    const events: RouterEvent[] = [];
    const router = createRouter({
      targets: [
        { client: a.client, name: 'A' },
        { client: b.client, name: 'B' },
      ],
      breaker: { failureThreshold: 2, cooldownMs: 1000 },
      now: () => time,
      onEvent: (e) => events.push(e),
    });
    await router.chat(request);
    await router.chat(request);
    expect(router.health()[0]).toMatchObject({ name: 'A', circuit: 'open' });
    expect(events).toContainEqual({ type: 'circuit', target: 'A', state: 'open' });
    events.length = 0;
    await router.chat(request);
    expect(a.calls).toHaveLength(2);
    expect(events).toEqual([{ type: 'fallback', from: 'A', to: 'B', cause: 'circuit-open' }]);
    time = 1000;
    await router.chat(request);
    expect(a.calls).toHaveLength(3);
    expect(router.health()[0]?.circuit).toBe('closed');
  });

  it('fails with NoHealthyTargetError when every circuit is open, and the last error when all failed', async () => {
    const a = fakeClient('http://a', [outage()]);
    const router = createRouter({
      targets: [{ client: a.client }],
      breaker: { failureThreshold: 1, cooldownMs: 60_000 },
    });
    await expect(router.chat(request)).rejects.toBeInstanceOf(InternalServerError);
    const error = await router.chat(request).catch((caught: unknown) => caught);
    expect(isNoHealthyTargetError(error)).toBe(true);
  });

  it('picks the cheapest target first by estimated cost', async () => {
    const pricey = fakeClient('http://pricey', ['ok']);
    const cheap = fakeClient('http://cheap', ['ok']);
    const unpriced = fakeClient('http://unpriced', ['ok']);
    const router = createRouter({
      strategy: 'cost',
      targets: [
        { client: unpriced.client },
        { client: pricey.client, pricing: { inputPerMTok: 2.5, outputPerMTok: 10 } },
        { client: cheap.client, pricing: { inputPerMTok: 0.14, outputPerMTok: 0.28 } },
      ],
    });
    const answer = await router.chat(request);
    expect(answer.choices[0]?.message.content).toBe('from http://cheap');
  });

  it('picks the fastest observed target by latency', async () => {
    const slow = fakeClient('http://slow', ['ok'], 500);
    const fast = fakeClient('http://fast', ['ok'], 20);
    const router = createRouter({
      strategy: 'latency',
      targets: [{ client: slow.client }, { client: fast.client }],
    });
    await router.chat(request);
    expect(slow.calls).toHaveLength(1);
    await router.chat(request);
    await router.chat(request);
    expect(fast.calls.length + slow.calls.length).toBe(3);
    expect(router.health().map((health) => health.latencyMs)).toEqual([500, 20]);
    await router.chat(request);
    expect(fast.calls.length).toBeGreaterThanOrEqual(2);
  });

  it('streams fall back before the first chunk, never after', async () => {
    const a = fakeClient('http://a', [outage()]);
    const b = fakeClient('http://b', ['ok']);
    const router = createRouter({ targets: [{ client: a.client }, { client: b.client }] });
    const text: string[] = [];
    const stream = router.stream(request);
    for await (const piece of stream.textStream) text.push(piece);
    expect(text.join('')).toBe('abc');
    expect((await stream.final()).choices[0]?.message.content).toBe('abc');

    const cut = fakeClient('http://cut', [{ streamFailAfter: 1 }]);
    const spare = fakeClient('http://spare', ['ok']);
    const noFallback = createRouter({ targets: [{ client: cut.client }, { client: spare.client }] });
    const seen: string[] = [];
    const failing = noFallback.stream(request);
    const error = await (async () => {
      for await (const chunk of failing) seen.push(chunk.choices[0]?.delta.content ?? '');
    })().catch((caught: unknown) => caught);
    expect(seen).toEqual(['a']);
    expect(error).toBeInstanceOf(InternalServerError);
    expect(spare.calls).toEqual([]);
    await expect(failing.final()).rejects.toBe(error);
  });

  it('a stream consumed only through final() falls back too', async () => {
    const a = fakeClient('http://a', [outage()]);
    const b = fakeClient('http://b', ['ok']);
    const router = createRouter({ targets: [{ client: a.client }, { client: b.client }] });
    const response = await router.stream(request, { tags: ['x'] }).final();
    expect(response.choices[0]?.message.content).toBe('abc');
    expect(router.usage.snapshot().byTag.x?.requests).toBe(1);
  });

  it('leaving a routed stream early stops it', async () => {
    const a = fakeClient('http://a', ['ok']);
    const router = createRouter({ targets: [{ client: a.client }] });
    const stream = router.stream(request);
    for await (const chunk of stream) {
      expect(chunk.choices[0]?.delta.content).toBe('a');
      break;
    }
    const error = await stream.final().catch((caught: unknown) => caught);
    expect(isAbortError(error)).toBe(true);
  });

  it('abort() ends a routed stream with an AbortError', async () => {
    const a = fakeClient('http://a', ['ok']);
    const router = createRouter({ targets: [{ client: a.client }] });
    const stream = router.stream(request);
    stream.abort('enough');
    const error = await stream.final().catch((caught: unknown) => caught);
    expect(isAbortError(error)).toBe(true);
  });

  it('needs a target', () => {
    expect(() => createRouter({ targets: [] })).toThrow(RangeError);
  });
});
