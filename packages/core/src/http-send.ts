import {
  type ChatCompletion,
  type ChatloopError,
  ChunkAccumulator,
  isApiErrorBody,
  MalformedResponseError,
  safeJsonParse,
} from '@chatloop/protocol';
import { Attempt, abortError } from './attempt.js';
import { ChunkIterator } from './chunk-iterator.js';
import { errorFromResponse } from './error-from-response.js';
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
  /** Wall clock in epoch ms (latency, `retry-after` dates). */
  now: () => number;
}

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

/**
 * Most bytes of an error answer that are read (64 KiB): more than any provider's error JSON; of a larger
 * body (an HTML error page from a gateway) only a snippet is kept anyway, so the rest is not read and
 * the connection is closed instead.
 */
export const MAX_ERROR_BODY_BYTES = 65_536;

/** Reads an error answer's body (under the attempt's deadline) into its typed error. */
async function readError(
  config: HttpSendConfig,
  attempt: Attempt,
  response: TransportResponse,
): Promise<ChatloopError> {
  let text: string;
  try {
    text = await readErrorText(response.body);
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

/** The body as UTF-8 text, at most {@link MAX_ERROR_BODY_BYTES} of it. */
async function readErrorText(body: TransportBody): Promise<string> {
  const pieces: Uint8Array[] = [];
  let size = 0;
  for await (const piece of body) {
    pieces.push(piece);
    size += piece.byteLength;
    // Leaving the loop early destroys the body: the connection is closed, not drained.
    if (size >= MAX_ERROR_BODY_BYTES) break;
  }
  const bytes = Buffer.concat(pieces, Math.min(size, MAX_ERROR_BODY_BYTES));
  return new TextDecoder().decode(bytes);
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
