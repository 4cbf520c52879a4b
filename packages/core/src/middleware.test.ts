import { describe, expect, it } from 'vitest';
import { createFakeClock, flush } from '../test/fake-clock.js';
import { chatResult, sendRequest, streamResult } from '../test/fake-send.js';
import {
  type AbortError,
  APIConnectionError,
  BadRequestError,
  InsufficientQuotaError,
  InternalServerError,
  isAbortError,
  RateLimitError,
} from './errors.js';
import { estimateRequestTokens } from './estimate-request-tokens.js';
import type { Limiter, LimiterAcquireOptions } from './limiter.js';
import { createLimiterMiddleware, type LimiterPauseEvent } from './limiter-middleware.js';
import { createProviderMiddleware, type RewriteEvent } from './provider-middleware.js';
import { getProviderPreset } from './providers/provider-registry.js';
import { createRetryMiddleware } from './retry-middleware.js';
import type { SendFunction, SendRequest, SendResult } from './send.js';

const serverError = () => new InternalServerError('boom', { status: 503 });

function scriptedSend(outcomes: Array<Error | 'ok'>) {
  const seen: SendRequest[] = [];
  const send: SendFunction = async (request) => {
    seen.push(request);
    const outcome = outcomes[Math.min(seen.length - 1, outcomes.length - 1)];
    if (outcome instanceof Error) throw outcome;
    return chatResult(request);
  };
  return { send, seen };
}

describe('createRetryMiddleware', () => {
  it('re-sends retryable failures with attempt and waitedMs for meta', async () => {
    const clock = createFakeClock();
    const { send, seen } = scriptedSend([serverError(), new APIConnectionError('reset'), 'ok']);
    const wrapped = createRetryMiddleware({ now: clock.now, sleep: clock.sleep, random: () => 0.5 })(send);
    const promise = wrapped(sendRequest());
    await clock.runAll();
    const result = await promise;
    expect(seen.map((request) => [request.attempt, request.waitedMs])).toEqual([
      [1, 0],
      [2, 250],
      [3, 750],
    ]);
    expect(result.meta).toMatchObject({ attempts: 3, retries: 2, waitedMs: 750 });
  });

  it('gives the final error its attempt count', async () => {
    const clock = createFakeClock();
    const { send } = scriptedSend([serverError()]);
    const wrapped = createRetryMiddleware({ now: clock.now, sleep: clock.sleep })(send);
    const settled = wrapped(sendRequest()).catch((error: unknown) => error);
    await clock.runAll();
    const error = await settled;
    expect(error).toBeInstanceOf(InternalServerError);
    expect((error as InternalServerError).attempts).toBe(3);
    expect((error as InternalServerError).toJSON()).toMatchObject({ attempts: 3 });
  });

  it('never retries 400 or insufficient_quota', async () => {
    for (const failure of [
      new BadRequestError('bad', { status: 400 }),
      new InsufficientQuotaError('no credit', { status: 429, headers: { 'retry-after': '1' } }),
    ]) {
      const { send, seen } = scriptedSend([failure, 'ok']);
      await expect(createRetryMiddleware()(send)(sendRequest())).rejects.toBe(failure);
      expect(seen).toHaveLength(1);
    }
  });

  it('honours per-call settings', async () => {
    const { send, seen } = scriptedSend([serverError(), 'ok']);
    const wrapped = createRetryMiddleware({ perCall: () => ({ maxRetries: 0 }) })(send);
    await expect(wrapped(sendRequest())).rejects.toBeInstanceOf(InternalServerError);
    expect(seen).toHaveLength(1);
  });

  it('a 429 past the cap fails at once with retryAfterMs', async () => {
    const clock = createFakeClock();
    const limited = new RateLimitError('slow down', { status: 429, retryAfterMs: 3_600_000 });
    const { send, seen } = scriptedSend([limited, 'ok']);
    const error = await createRetryMiddleware({ now: clock.now, sleep: clock.sleep })(send)(
      sendRequest(),
    ).catch((caught: unknown) => caught);
    expect(error).toBe(limited);
    expect(limited).toMatchObject({ retryAfterMs: 3_600_000, attempts: 1 });
    expect(seen).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('abort during the backoff wait ends at once with an AbortError', async () => {
    const clock = createFakeClock();
    const controller = new AbortController();
    const { send, seen } = scriptedSend([serverError(), 'ok']);
    const wrapped = createRetryMiddleware({ now: clock.now, sleep: clock.sleep, retry: { jitter: 'none' } })(
      send,
    );
    const settled = wrapped(sendRequest({ signal: controller.signal })).catch((error: unknown) => error);
    await flush();
    expect(clock.pendingTimers).toBe(1);
    controller.abort(new Error('user left'));
    const error = await settled;
    expect(isAbortError(error)).toBe(true);
    expect((error as AbortError).cause).toMatchObject({ message: 'user left' });
    expect(clock.pendingTimers).toBe(0);
    expect(seen).toHaveLength(1);
  });
});

function recordingLimiter() {
  const calls: Array<{ acquire: LimiterAcquireOptions; settled: number[]; released: number }> = [];
  const pauses: Array<[string, number]> = [];
  const limiter: Limiter = {
    async acquire(options) {
      const call = { acquire: options, settled: [] as number[], released: 0 };
      calls.push(call);
      return {
        scope: options.scope,
        tokens: options.tokens ?? 0,
        settle: async ({ tokens }) => {
          call.settled.push(tokens);
        },
        release: async () => {
          call.released++;
        },
      };
    },
    async pause(scope, ms) {
      pauses.push([scope, ms]);
    },
  };
  return { limiter, calls, pauses };
}

describe('createLimiterMiddleware', () => {
  it('charges the estimate, settles with the real usage and releases', async () => {
    const { limiter, calls } = recordingLimiter();
    const wrapped = createLimiterMiddleware({ limiter, scope: 's' })(async (request) =>
      chatResult(request, 42),
    );
    const request = sendRequest({}, { max_tokens: 100 });
    await wrapped(request);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.acquire).toMatchObject({
      scope: 's',
      requests: 1,
      tokens: estimateRequestTokens(request.body),
    });
    expect(estimateRequestTokens(request.body)).toBe(Math.ceil((11 + 16) / 4) + 100);
    expect(calls[0]).toMatchObject({ settled: [42], released: 1 });
  });

  it('a 429 pauses the whole scope for its retry-after and settles the charge to 0', async () => {
    const { limiter, calls, pauses } = recordingLimiter();
    const events: LimiterPauseEvent[] = [];
    const wrapped = createLimiterMiddleware({ limiter, scope: 's', onPause: (event) => events.push(event) })(
      async () => {
        throw new RateLimitError('slow', {
          status: 429,
          headers: { 'retry-after': '7' },
          retryAfterMs: 7000,
        });
      },
    );
    await expect(wrapped(sendRequest())).rejects.toBeInstanceOf(RateLimitError);
    expect(pauses).toEqual([['s', 7000]]);
    expect(events).toEqual([{ type: 'limiter-pause', scope: 's', pauseMs: 7000, cause: 'rate-limited' }]);
    expect(calls[0]).toMatchObject({ settled: [0], released: 1 });
  });

  it('a spent x-ratelimit budget pauses until its reset; a dropped connection keeps its charge', async () => {
    const { limiter, calls, pauses } = recordingLimiter();
    const headers = { 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '1.5s' };
    await createLimiterMiddleware({ limiter, scope: 's' })(async (request) =>
      chatResult(request, 10, headers),
    )(sendRequest());
    expect(pauses).toEqual([['s', 1500]]);
    await expect(
      createLimiterMiddleware({ limiter, scope: 's' })(async () => {
        throw new APIConnectionError('reset');
      })(sendRequest()),
    ).rejects.toBeInstanceOf(APIConnectionError);
    expect(calls[1]).toMatchObject({ settled: [], released: 1 });
  });

  it('holds a stream permit until the stream ends, then settles with its usage', async () => {
    const { limiter, calls } = recordingLimiter();
    const wrapped = createLimiterMiddleware({ limiter, scope: 's' })(async (request) =>
      streamResult(request, ['a', 'b'], 55),
    );
    const result = (await wrapped(sendRequest({ kind: 'stream' }))) as Extract<
      SendResult,
      { kind: 'stream' }
    >;
    expect(calls[0]?.released).toBe(0);
    while (!(await result.chunks.next()).done) {
      expect(calls[0]?.released).toBe(0);
    }
    expect(calls[0]).toMatchObject({ settled: [55], released: 1 });
  });

  it('releases a stream permit when the consumer stops early', async () => {
    const { limiter, calls } = recordingLimiter();
    const wrapped = createLimiterMiddleware({ limiter, scope: 's' })(async (request) =>
      streamResult(request, ['a', 'b']),
    );
    const result = (await wrapped(sendRequest({ kind: 'stream' }))) as Extract<
      SendResult,
      { kind: 'stream' }
    >;
    await result.chunks.next();
    await result.chunks.return?.();
    await result.chunks.return?.();
    expect(calls[0]).toMatchObject({ settled: [], released: 1 });
  });

  it('passes the signal and priority to acquire', async () => {
    const { limiter, calls } = recordingLimiter();
    const controller = new AbortController();
    await createLimiterMiddleware({ limiter, scope: 's', priority: () => 3 })(async (request) =>
      chatResult(request),
    )(sendRequest({ signal: controller.signal }));
    expect(calls[0]?.acquire).toMatchObject({ priority: 3, signal: controller.signal });
  });
});

describe('createProviderMiddleware', () => {
  it('rewrites the body and reports each change; unchanged requests pass as they are', async () => {
    const events: RewriteEvent[] = [];
    const seen: SendRequest[] = [];
    const send: SendFunction = async (request) => {
      seen.push(request);
      return chatResult(request);
    };
    const wrapped = createProviderMiddleware(getProviderPreset('deepseek'), (event) => events.push(event))(
      send,
    );
    await wrapped(sendRequest({}, { model: 'deepseek-v4-pro', max_completion_tokens: 5 }));
    expect(seen[0]?.body).toMatchObject({ max_tokens: 5 });
    expect(events[0]).toMatchObject({ type: 'rewrite', provider: 'deepseek', model: 'deepseek-v4-pro' });
    expect(events[0]?.changes[0]).toMatchObject({ path: 'max_completion_tokens', action: 'renamed' });
    const plain = sendRequest({}, { model: 'deepseek-v4-pro' });
    await wrapped(plain);
    expect(seen[1]).toBe(plain);
    expect(events).toHaveLength(1);
  });
});
