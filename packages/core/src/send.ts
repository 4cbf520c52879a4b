import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  ChunkAccumulator,
} from '@chatloop/protocol';
import type { ResponseMeta } from './response-meta.js';

/**
 * Everything one HTTP attempt needs. The client builds it once per call; a middleware (retries, rate
 * limits, provider rewrites) passes it on, changed or not, e.g. `{ ...request, attempt: 2 }`.
 */
export interface SendRequest {
  /** The wire request. `stream` is set by the client from `kind`. */
  readonly body: ChatCompletionRequest;
  /** `chat`: a JSON answer; `stream`: Server-Sent Events. */
  readonly kind: 'chat' | 'stream';
  /** Aborts the attempt at once (the caller's signal, joined with `ChatStream.abort()`). */
  readonly signal: AbortSignal | undefined;
  /** This attempt's total deadline, in ms (0 or `Infinity`: none). */
  readonly timeoutMs: number;
  /** Longest silence between stream reads, in ms (0 or `Infinity`: none). Streams only. */
  readonly idleTimeoutMs: number;
  /** Extra request headers for this call (lowercase names), over the client's. */
  readonly headers: Readonly<Record<string, string>> | undefined;
  /** 1 for the first attempt; a retry layer counts up. Reported as `meta.attempts`. */
  readonly attempt: number;
  /** Milliseconds waited between attempts so far; reported as `meta.waitedMs`. */
  readonly waitedMs: number;
  /** This call's retry limit (`RequestOptions.maxRetries`), over the client's; read by the retry layer. */
  readonly maxRetries?: number;
}

/** A JSON answer: the completion and what is known about the exchange. */
export interface ChatSendResult {
  readonly kind: 'chat';
  readonly completion: ChatCompletion;
  readonly meta: ResponseMeta;
}

/**
 * A stream whose first chunk has arrived (or that ended cleanly without any): once a send resolves,
 * nothing was lost, so everything before this point may be retried and nothing after it.
 */
export interface StreamSendResult {
  readonly kind: 'stream';
  readonly meta: ResponseMeta;
  /**
   * The chunks, the first one included. Each chunk is already added to `accumulator`. Calling
   * `return()` stops the request and releases everything it holds.
   */
  readonly chunks: StreamChunks;
  /** Assembles the chunks read so far (`toCompletion()` once `chunks` is done). */
  readonly accumulator: ChunkAccumulator;
}

/**
 * The chunks of a streamed attempt. The client's own iterator also reads to the end without handing
 * chunks out (`drain`), and hands out a chunk already received without a promise (`nextBuffered`);
 * a middleware that wraps the iterator may leave both out.
 */
export interface StreamChunks extends AsyncIterator<ChatCompletionChunk, void, undefined> {
  drain?(): Promise<void>;
  nextBuffered?(): IteratorYieldResult<ChatCompletionChunk> | undefined;
}

/** The result of one attempt. */
export type SendResult = ChatSendResult | StreamSendResult;

/**
 * Makes one HTTP attempt. Rejects with a typed error (`APIError` subclasses, `APIConnectionError`,
 * `TimeoutError`, `AbortError`, protocol errors), having released everything the attempt held.
 */
export type SendFunction = (request: SendRequest) => Promise<SendResult>;

/**
 * Wraps the client's send (retries, limiter, provider rewrites, logging). Middlewares given to
 * `createClient` apply in order, the first one outermost.
 */
export type SendMiddleware = (next: SendFunction) => SendFunction;
