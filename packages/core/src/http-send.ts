import {
  type ChatCompletion,
  type ChatCompletionChunk,
  type ChatCompletionStream,
  ChatloopError,
  ChunkAccumulator,
  decodeChatCompletionStream,
  isApiErrorBody,
  MalformedResponseError,
  safeJsonParse,
} from '@chatloop/protocol';
import { errorFromResponse } from './error-from-response.js';
import { AbortError, APIConnectionError, StreamInterruptedError, TimeoutError } from './errors.js';
import { redactHeaders, redactSecrets } from './redact.js';
import { type ResponseMeta, requestIdOf } from './response-meta.js';
import type { SendFunction, SendRequest, SendResult, StreamChunks, StreamSendResult } from './send.js';
import type { Transport, TransportBody, TransportResponse, TransportSignal } from './transport.js';

/** What {@link createHttpSend} needs, computed once per client. */
export interface HttpSendConfig {
  transport: Transport;
  /** e.g. `https://api.openai.com` */
  origin: string;
  /** e.g. `/v1/chat/completions?api-version=...` */
  path: string;
  /** Headers of a JSON request (content type, accept, credentials, the client's own). */
  chatHeaders: Readonly<Record<string, string>>;
  /** Headers of a streamed request. */
  streamHeaders: Readonly<Record<string, string>>;
  /** Strings never to expose (the API key). */
  secrets: readonly string[];
  /** Wall clock in epoch ms (latency, `retry-after` dates). */
  now: () => number;
}

/** Longest `setTimeout` delay; longer deadlines mean none. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * The client's single HTTP attempt: sends the request through the transport under the attempt's
 * deadline and the caller's signal, maps every failure to a typed error, and always releases its
 * timers, listener and response body.
 */
export function createHttpSend(config: HttpSendConfig): SendFunction {
  return (request) => sendOnce(config, request);
}

async function sendOnce(config: HttpSendConfig, request: SendRequest): Promise<SendResult> {
  const signal = request.signal;
  if (signal?.aborted) throw abortError(signal);
  const stream = request.kind === 'stream';
  const body = JSON.stringify(stream ? streamBody(request.body) : chatBody(request.body));
  const base = stream ? config.streamHeaders : config.chatHeaders;
  const headers = request.headers === undefined ? base : { ...base, ...request.headers };
  const attempt = new Attempt(signal, request.timeoutMs, config.secrets);
  const started = config.now();
  let response: TransportResponse;
  try {
    response = await config.transport.send({
      origin: config.origin,
      path: config.path,
      method: 'POST',
      headers,
      body,
      signal: attempt,
    });
  } catch (error) {
    attempt.release();
    throw attempt.failure(error);
  }
  const status = response.status;
  if (status < 200 || status >= 300) {
    const error = await readError(config, attempt, response);
    throw error;
  }
  if (!stream) {
    let text: string;
    try {
      text = await response.body.text();
    } catch (error) {
      throw attempt.failure(error);
    } finally {
      attempt.release();
    }
    const meta = metaOf(response, request, config.now() - started);
    return { kind: 'chat', completion: parseCompletion(text, config, response, meta), meta };
  }
  if (isJson(response.headers['content-type'])) {
    // A provider that answers a stream request with JSON is reporting an error (or ignoring `stream`).
    const error = await readError(config, attempt, response);
    throw error;
  }
  return startStream(config, request, attempt, response, started);
}

/**
 * The timers, abort source and failure mapping of one attempt. It is itself the transport's abort
 * signal (an EventEmitter-like `abort` source, which undici takes) and the caller signal's listener
 * (`handleEvent`): no `AbortController`, closure or `EventTarget` listener per request on this hot path.
 */
class Attempt implements TransportSignal {
  aborted = false;
  reason: ChatloopError | undefined;
  readonly #signal: AbortSignal | undefined;
  readonly #secrets: readonly string[];
  #listeners: Array<() => void> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  #idleTimeoutMs = 0;
  /** `performance.now()` at the last read: a read costs a clock read, not a timer re-arm. */
  #lastReadAt = 0;
  #released = false;

  constructor(signal: AbortSignal | undefined, timeoutMs: number, secrets: readonly string[]) {
    this.#signal = signal;
    this.#secrets = secrets;
    if (timeoutMs > 0 && timeoutMs <= MAX_TIMER_MS) {
      this.#timer = setTimeout(onTotalTimeout, timeoutMs, this, timeoutMs);
    }
    signal?.addEventListener('abort', this);
  }

  on(_event: 'abort', listener: () => void): this {
    if (this.#listeners === undefined) this.#listeners = [listener];
    else this.#listeners.push(listener);
    return this;
  }

  once(event: 'abort', listener: () => void): this {
    return this.on(event, listener);
  }

  removeListener(_event: 'abort', listener: () => void): this {
    const listeners = this.#listeners;
    const at = listeners === undefined ? -1 : listeners.indexOf(listener);
    if (at !== -1) listeners!.splice(at, 1);
    return this;
  }

  /** Called by the caller's signal. */
  handleEvent(): void {
    if (this.#signal !== undefined) this.abort(abortError(this.#signal));
  }

  abort(reason: ChatloopError): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listeners = this.#listeners;
    this.#listeners = undefined;
    if (listeners !== undefined) for (const listener of listeners) listener();
  }

  /**
   * Arms the idle deadline (streams): it passes once `idleTimeoutMs` go by without a read
   * ({@link touch}). One timer per attempt; when it fires after a read, it re-arms for what is left.
   */
  watchIdle(idleTimeoutMs: number): void {
    if (idleTimeoutMs > 0 && idleTimeoutMs <= MAX_TIMER_MS && !this.#released) {
      this.#idleTimeoutMs = idleTimeoutMs;
      this.#lastReadAt = performance.now();
      this.#idleTimer = setTimeout(onIdleTimer, idleTimeoutMs, this);
    }
  }

  /** A read arrived: the idle deadline starts again. */
  touch(): void {
    this.#lastReadAt = performance.now();
  }

  /** The idle timer fired: times out, or waits for the rest of the deadline since the last read. */
  checkIdle(): void {
    if (this.#released) return;
    const leftMs = this.#idleTimeoutMs - (performance.now() - this.#lastReadAt);
    if (leftMs > 0) {
      this.#idleTimer = setTimeout(onIdleTimer, Math.ceil(leftMs), this);
      return;
    }
    this.abort(
      new TimeoutError(`The stream sent nothing for ${this.#idleTimeoutMs} ms (idle timeout).`, {
        kind: 'idle',
        timeoutMs: this.#idleTimeoutMs,
      }),
    );
  }

  /** Clears the timers, the caller-signal listener and the transport's listeners. Idempotent. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (this.#idleTimer !== undefined) clearTimeout(this.#idleTimer);
    this.#signal?.removeEventListener('abort', this);
    this.#listeners = undefined;
  }

  /** The typed error for whatever the transport or decoder threw. */
  failure(error: unknown): ChatloopError {
    if (this.reason !== undefined) return this.reason;
    if (ChatloopError.is(error)) return error;
    const detail = error instanceof Error ? error.message : String(error);
    return new APIConnectionError(`Connection error: ${redactSecrets(detail, this.#secrets)}`, {
      cause: error,
    });
  }
}

function onTotalTimeout(attempt: Attempt, timeoutMs: number): void {
  attempt.abort(
    new TimeoutError(`The request took longer than its ${timeoutMs} ms timeout.`, {
      kind: 'total',
      timeoutMs,
    }),
  );
}

function onIdleTimer(attempt: Attempt): void {
  attempt.checkIdle();
}

function abortError(signal: AbortSignal): AbortError {
  return new AbortError('The request was aborted.', { cause: signal.reason });
}

function chatBody(body: SendRequest['body']): SendRequest['body'] {
  return body.stream === undefined ? body : { ...body, stream: undefined, stream_options: undefined };
}

function streamBody(body: SendRequest['body']): SendRequest['body'] {
  return body.stream === true ? body : { ...body, stream: true };
}

function isJson(contentType: string | readonly string[] | undefined): boolean {
  return typeof contentType === 'string' && contentType.includes('json');
}

function metaOf(response: TransportResponse, request: SendRequest, latencyMs: number): ResponseMeta {
  const headers = redactHeaders(response.headers);
  return {
    requestId: requestIdOf(headers),
    status: response.status,
    headers,
    latencyMs,
    attempts: request.attempt,
    retries: request.attempt - 1,
    waitedMs: request.waitedMs,
  };
}

/** Reads an error answer's body (under the attempt's deadline) into its typed error. */
async function readError(
  config: HttpSendConfig,
  attempt: Attempt,
  response: TransportResponse,
): Promise<ChatloopError> {
  let text: string;
  try {
    text = await response.body.text();
  } catch (error) {
    return attempt.failure(error);
  } finally {
    attempt.release();
  }
  let status = response.status;
  if (status < 400) {
    // A 2xx whose body is an error object (some gateways): take the provider's numeric code if any.
    const code = errorCodeOf(text);
    status = code !== undefined && code >= 400 && code < 600 ? code : 500;
  }
  return errorFromResponse({
    status,
    headers: redactHeaders(response.headers),
    bodyText: text,
    secrets: config.secrets,
    now: config.now,
  });
}

function errorCodeOf(text: string): number | undefined {
  try {
    const parsed = safeJsonParse(text);
    if (isApiErrorBody(parsed) && typeof parsed.error.code === 'number') return parsed.error.code;
  } catch {
    return undefined;
  }
  return undefined;
}

function parseCompletion(
  text: string,
  config: HttpSendConfig,
  response: TransportResponse,
  meta: ResponseMeta,
): ChatCompletion {
  let parsed: unknown;
  try {
    parsed = safeJsonParse(text);
  } catch (cause) {
    throw new MalformedResponseError(
      `The server answered ${response.status} with a body that is not JSON${meta.requestId === undefined ? '' : ` (request id ${meta.requestId})`}.`,
      redactSecrets(text, config.secrets),
      { cause },
    );
  }
  if (typeof parsed === 'object' && parsed !== null && Array.isArray((parsed as ChatCompletion).choices)) {
    return parsed as ChatCompletion;
  }
  if (isApiErrorBody(parsed)) {
    const code = parsed.error.code;
    throw errorFromResponse({
      status: typeof code === 'number' && code >= 400 && code < 600 ? code : 500,
      headers: meta.headers,
      bodyText: text,
      secrets: config.secrets,
      now: config.now,
    });
  }
  throw new MalformedResponseError(
    `The server answered ${response.status} with JSON that is not a chat completion (no "choices").`,
    redactSecrets(text, config.secrets),
  );
}

async function startStream(
  config: HttpSendConfig,
  request: SendRequest,
  attempt: Attempt,
  response: TransportResponse,
  started: number,
): Promise<StreamSendResult> {
  const accumulator = new ChunkAccumulator();
  attempt.watchIdle(request.idleTimeoutMs);
  const chunks = new ChunkIterator(response.body, attempt, accumulator);
  // Wait for the first chunk: until it arrives nothing has reached the caller, so a failure here
  // rejects the send (and may be retried); after it, failures surface through the iterator.
  await chunks.peek();
  const meta = metaOf(response, request, config.now() - started);
  return { kind: 'stream', meta, chunks, accumulator };
}

const DONE: IteratorReturnResult<void> = Object.freeze({ done: true, value: undefined });

/**
 * The decoded chunks of one attempt's body. Maps failures to typed errors, and on every end (done,
 * failure, `return()`) releases the attempt: a complete body is drained so its socket is reused, any
 * other is destroyed. One `then` per chunk, no async-generator layers, on this hot path.
 */
export class ChunkIterator implements StreamChunks {
  readonly #body: TransportBody;
  readonly #reader: BodyReader;
  readonly #decoder: ChatCompletionStream;
  readonly #attempt: Attempt;
  readonly #accumulator: ChunkAccumulator;
  #first: IteratorResult<ChatCompletionChunk, void> | undefined;
  #closed = false;

  constructor(body: TransportBody, attempt: Attempt, accumulator: ChunkAccumulator) {
    this.#body = body;
    this.#reader = new BodyReader(body, attempt);
    this.#decoder = decodeChatCompletionStream(this.#reader, { accumulator });
    this.#attempt = attempt;
    this.#accumulator = accumulator;
  }

  /** Reads the first result ahead, so the send can settle on it. */
  async peek(): Promise<void> {
    this.#first = await this.next();
  }

  next(): Promise<IteratorResult<ChatCompletionChunk, void>> {
    const first = this.#first;
    if (first !== undefined) {
      this.#first = undefined;
      return Promise.resolve(first);
    }
    if (this.#closed) return Promise.resolve(DONE);
    return this.#decoder.next().then(this.#onStep, this.#onError);
  }

  /** The next chunk if it is already received (see `ChatCompletionStream.nextBuffered`). */
  nextBuffered(): IteratorYieldResult<ChatCompletionChunk> | undefined {
    const first = this.#first;
    if (first !== undefined) {
      if (first.done === true) return undefined;
      this.#first = undefined;
      return first;
    }
    if (this.#closed) return undefined;
    return this.#decoder.nextBuffered();
  }

  /**
   * Reads every remaining chunk without handing them out (they still reach the accumulator): the
   * `final()`-only path, one await per read of the body. Rejects like `next()`.
   */
  async drain(): Promise<void> {
    this.#first = undefined;
    if (this.#closed) return;
    try {
      await this.#decoder.drain();
    } catch (error) {
      this.#onError(error);
    }
    await this.#finish();
  }

  return(): Promise<IteratorResult<ChatCompletionChunk, void>> {
    this.#first = undefined;
    if (!this.#closed) {
      this.#closed = true;
      this.#attempt.release();
      this.#body.destroy();
      this.#decoder.return(undefined).catch(() => undefined);
    }
    return Promise.resolve(DONE);
  }

  readonly #onStep = (
    step: IteratorResult<ChatCompletionChunk, void>,
  ): IteratorResult<ChatCompletionChunk, void> | Promise<IteratorResult<ChatCompletionChunk, void>> => {
    if (step.done !== true) return step;
    return this.#finish();
  };

  readonly #onError = (error: unknown): never => {
    if (!this.#closed) {
      this.#closed = true;
      this.#attempt.release();
      this.#body.destroy();
    }
    const failure = this.#attempt.failure(error);
    const accumulator = this.#accumulator;
    if (failure.code === 'api_connection' && accumulator.chunkCount > 0) {
      const content = accumulator.snapshot().choices[0]?.message.content;
      throw new StreamInterruptedError(
        `The stream broke after ${accumulator.chunkCount} chunk(s): ${failure.message}`,
        {
          partialText: typeof content === 'string' ? content : '',
          cause: failure,
        },
      );
    }
    throw failure;
  };

  async #finish(): Promise<IteratorResult<ChatCompletionChunk, void>> {
    if (this.#closed) return DONE;
    this.#closed = true;
    // The decoder stops at `[DONE]`; read what little may follow so the socket is reused, not closed.
    const drained = await this.#reader.drain();
    this.#attempt.release();
    if (!drained) this.#body.destroy();
    return DONE;
  }
}

/** Most bytes read after `[DONE]` to keep a connection; past it the connection is closed instead. */
const MAX_DRAIN_BYTES = 65_536;

/**
 * The body's bytes for the decoder, re-arming the idle deadline on every read. Leaving a `for await`
 * over it does not close the body: its owner either drains it (normal end) or destroys it.
 */
class BodyReader implements AsyncIterableIterator<Uint8Array> {
  readonly #iterator: AsyncIterator<Uint8Array>;
  readonly #attempt: Attempt;

  constructor(body: TransportBody, attempt: Attempt) {
    this.#iterator = body[Symbol.asyncIterator]();
    this.#attempt = attempt;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<Uint8Array>> {
    return this.#iterator.next().then(this.#onRead);
  }

  readonly #onRead = (step: IteratorResult<Uint8Array>): IteratorResult<Uint8Array> => {
    this.#attempt.touch();
    return step;
  };

  return(): Promise<IteratorResult<Uint8Array>> {
    return Promise.resolve({ done: true, value: undefined });
  }

  /**
   * Reads to the end; true when the body ended cleanly within {@link MAX_DRAIN_BYTES}. A failure here
   * comes after a complete stream, so it only means the connection is not reused.
   */
  async drain(): Promise<boolean> {
    let bytes = 0;
    try {
      for (;;) {
        const step = await this.#iterator.next();
        if (step.done === true) return true;
        bytes += step.value.byteLength;
        if (bytes > MAX_DRAIN_BYTES) return false;
      }
    } catch {
      return false;
    }
  }
}
