import type { ChatCompletionChunk, ChatCompletionRequest } from '@chatloop/protocol';
import { estimateRequestTokens } from './estimate-request-tokens.js';
import type { Limiter, Permit } from './limiter.js';
import { pauseFromRateLimitHeaders } from './rate-limit-headers.js';
import { abortErrorOf } from './retry-middleware.js';
import { serverRetryAfterMs } from './retry-policy.js';
import type { SendMiddleware, SendRequest, StreamChunks, StreamSendResult } from './send.js';

/** A pause the limiter middleware put on a scope. */
export interface LimiterPauseEvent {
  type: 'limiter-pause';
  scope: string;
  /** How long, in ms. */
  pauseMs: number;
  /** `rate-limited`: a 429's retry-after; `budget-spent`: `x-ratelimit-remaining-*` reached 0. */
  cause: 'rate-limited' | 'budget-spent';
}

/** Options of {@link createLimiterMiddleware}. */
export interface LimiterMiddlewareOptions {
  limiter: Limiter;
  /** The budget this client draws on. */
  scope: string;
  /** The token charge of a request. Default {@link estimateRequestTokens}. */
  estimateTokens?: (request: ChatCompletionRequest) => number;
  /** Priority of a call (higher first). Default 0. */
  priority?: (request: SendRequest) => number;
  /** Wall clock in ms (for header dates). Default `Date.now`. */
  now?: () => number;
  /** Observes pauses. */
  onPause?: (event: LimiterPauseEvent) => void;
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

function headersOf(error: unknown): Readonly<Record<string, string>> | undefined {
  const headers = (error as { headers?: unknown } | null)?.headers;
  return typeof headers === 'object' && headers !== null ? (headers as Record<string, string>) : undefined;
}

/**
 * Runs each attempt under a limiter permit: acquire (charging one request and the estimated tokens;
 * abortable), then settle with the usage the answer reports and release when the answer (or the whole
 * stream) ends. It learns from the server: `x-ratelimit-remaining-*` at 0 pauses the scope until the
 * reset, and a 429 pauses the whole scope for its retry-after, so queued calls wait instead of hitting
 * the wall in turn.
 */
export function createLimiterMiddleware(options: LimiterMiddlewareOptions): SendMiddleware {
  const { limiter, scope } = options;
  const estimate = options.estimateTokens ?? estimateRequestTokens;
  const now = options.now ?? Date.now;
  const pause = async (pauseMs: number | undefined, cause: LimiterPauseEvent['cause']) => {
    if (pauseMs === undefined || !(pauseMs > 0)) return;
    await limiter.pause(scope, pauseMs);
    options.onPause?.({ type: 'limiter-pause', scope, pauseMs, cause });
  };

  return (next) => async (request) => {
    let permit: Permit;
    try {
      permit = await limiter.acquire({
        scope,
        requests: 1,
        tokens: estimate(request.body),
        priority: options.priority?.(request) ?? 0,
        ...(request.signal === undefined ? {} : { signal: request.signal }),
      });
    } catch (error) {
      // A limiter rejects an abort with the signal's reason; callers get the typed AbortError.
      if (request.signal?.aborted) throw abortErrorOf(request.signal);
      throw error;
    }
    let result: Awaited<ReturnType<typeof next>>;
    try {
      result = await next(request);
    } catch (error) {
      const status = statusOf(error);
      const headers = headersOf(error);
      try {
        if (status === 429) await pause(serverRetryAfterMs(headers, status, now()), 'rate-limited');
        else await pause(pauseFromRateLimitHeaders(headers, now()), 'budget-spent');
        // An answer with an error status consumed no tokens; a dropped connection's cost is unknown.
        if (status !== undefined) await permit.settle({ tokens: 0 });
      } finally {
        await permit.release();
      }
      throw error;
    }
    try {
      await pause(pauseFromRateLimitHeaders(result.meta.headers, now()), 'budget-spent');
    } catch (error) {
      await permit.release();
      throw error;
    }
    if (result.kind === 'chat') {
      const usage = result.completion.usage;
      try {
        if (usage !== null && usage !== undefined) await permit.settle({ tokens: usage.total_tokens });
      } finally {
        await permit.release();
      }
      return result;
    }
    return holdUntilStreamEnds(result, permit);
  };
}

/** Keeps the permit until the stream ends (done, failed or returned), then settles and releases it. */
function holdUntilStreamEnds(result: StreamSendResult, permit: Permit): StreamSendResult {
  const inner = result.chunks;
  let finished = false;
  const finish = async () => {
    if (finished) return;
    finished = true;
    try {
      const usage = result.accumulator.snapshot().usage;
      if (usage !== null && usage !== undefined) await permit.settle({ tokens: usage.total_tokens });
    } finally {
      await permit.release();
    }
  };
  const drain = inner.drain?.bind(inner);
  const chunks: StreamChunks = {
    // A buffered chunk is never the end of the stream: nothing to settle.
    nextBuffered: () => inner.nextBuffered?.(),
    ...(drain === undefined
      ? {}
      : {
          async drain() {
            try {
              await drain();
            } finally {
              await finish();
            }
          },
        }),
    async next() {
      let step: IteratorResult<ChatCompletionChunk, void>;
      try {
        step = await inner.next();
      } catch (error) {
        await finish();
        throw error;
      }
      if (step.done === true) await finish();
      return step;
    },
    async return() {
      try {
        return (await inner.return?.()) ?? { done: true, value: undefined };
      } finally {
        await finish();
      }
    },
  };
  return { ...result, chunks };
}
