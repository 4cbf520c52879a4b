import {
  type ChatCompletion,
  type ChatCompletionChunk,
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
import type { SendFunction, SendRequest, SendResult, StreamSendResult } from './send.js';
import type { Transport, TransportBody, TransportResponse } from './transport.js';

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
  /** Clock in ms (latency, `retry-after` dates). */
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
      signal: attempt.controller.signal,
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

/** The timers, abort link and failure mapping of one attempt. Methods, not closures, on the hot path. */
class Attempt {
  readonly controller = new AbortController();
  readonly #signal: AbortSignal | undefined;
  readonly #secrets: readonly string[];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  #released = false;

  constructor(signal: AbortSignal | undefined, timeoutMs: number, secrets: readonly string[]) {
    this.#signal = signal;
    this.#secrets = secrets;
    if (timeoutMs > 0 && timeoutMs <= MAX_TIMER_MS)
      this.#timer = setTimeout(onTotalTimeout, timeoutMs, this, timeoutMs);
    // The attempt itself is the listener (`handleEvent`), so nothing is allocated per request for it.
    signal?.addEventListener('abort', this);
  }

  /** Called by the caller's signal. */
  handleEvent(): void {
    if (this.#signal !== undefined) this.abort(abortError(this.#signal));
  }

  abort(reason: ChatloopError): void {
    if (!this.controller.signal.aborted) this.controller.abort(reason);
  }

  /** Arms the idle deadline (streams), re-armed by {@link touch} on every read. */
  watchIdle(idleTimeoutMs: number): void {
    if (idleTimeoutMs > 0 && idleTimeoutMs <= MAX_TIMER_MS && !this.#released) {
      this.#idleTimer = setTimeout(onIdleTimeout, idleTimeoutMs, this, idleTimeoutMs);
    }
  }

  touch(): void {
    this.#idleTimer?.refresh();
  }

  /** Clears the timers and removes the listener. Idempotent. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (this.#idleTimer !== undefined) clearTimeout(this.#idleTimer);
    this.#signal?.removeEventListener('abort', this);
  }

  /** The typed error for whatever the transport or decoder threw. */
  failure(error: unknown): ChatloopError {
    const own = this.controller.signal;
    if (own.aborted && ChatloopError.is(own.reason)) return own.reason;
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

function onIdleTimeout(attempt: Attempt, timeoutMs: number): void {
  attempt.abort(
    new TimeoutError(`The stream sent nothing for ${timeoutMs} ms (idle timeout).`, {
      kind: 'idle',
      timeoutMs,
    }),
  );
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
    now: Date.now,
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
  const chunks = streamChunks(response.body, attempt, accumulator);
  // Wait for the first chunk: until it arrives nothing has reached the caller, so a failure here
  // rejects the send (and may be retried); after it, failures surface through the iterator.
  const first = await chunks.next();
  const meta = metaOf(response, request, config.now() - started);
  return { kind: 'stream', meta, chunks: new PeekedIterator(first, chunks), accumulator };
}

async function* streamChunks(
  body: TransportBody,
  attempt: Attempt,
  accumulator: ChunkAccumulator,
): AsyncGenerator<ChatCompletionChunk, void, undefined> {
  let ended = false;
  try {
    yield* decodeChatCompletionStream(watched(body, attempt), { accumulator });
    ended = true;
  } catch (error) {
    const failure = attempt.failure(error);
    if (failure.code === 'api_connection' && accumulator.chunkCount > 0) {
      const content = accumulator.snapshot().choices[0]?.message.content;
      throw new StreamInterruptedError(
        `The stream broke after ${accumulator.chunkCount} chunk(s): ${failure.message}`,
        { partialText: typeof content === 'string' ? content : '', cause: failure },
      );
    }
    throw failure;
  } finally {
    attempt.release();
    if (!ended) body.destroy();
  }
}

async function* watched(body: TransportBody, attempt: Attempt): AsyncGenerator<Uint8Array, void, undefined> {
  for await (const bytes of body) {
    attempt.touch();
    yield bytes;
  }
}

/** An iterator that gives an already-read first result, then the rest of `rest`. */
class PeekedIterator<T> implements AsyncIterator<T, void, undefined> {
  #first: IteratorResult<T, void> | undefined;
  readonly #rest: AsyncGenerator<T, void, undefined>;

  constructor(first: IteratorResult<T, void>, rest: AsyncGenerator<T, void, undefined>) {
    this.#first = first;
    this.#rest = rest;
  }

  next(): Promise<IteratorResult<T, void>> {
    const first = this.#first;
    if (first !== undefined) {
      this.#first = undefined;
      return Promise.resolve(first);
    }
    return this.#rest.next();
  }

  return(): Promise<IteratorResult<T, void>> {
    this.#first = undefined;
    return this.#rest.return(undefined);
  }
}
