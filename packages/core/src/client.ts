import { type ChatCompletionRequest, ChatloopError } from '@chatloop/protocol';
import type { Dispatcher } from 'undici';
import { ChatStream, type ChatStreamSource } from './chat-stream.js';
import { type ResilienceOptions, resilienceMiddleware, resolveConnection } from './client-resilience.js';
import { ClientUsage } from './client-usage.js';
import { createFetchTransport, type FetchFunction } from './fetch-transport.js';
import { createHttpSend } from './http-send.js';
import { CREDENTIAL_HEADERS } from './redact.js';
import { type ChatResponse, withMeta } from './response-meta.js';
import type { SendFunction, SendMiddleware, SendRequest, StreamSendResult } from './send.js';
import type { Transport } from './transport.js';
import { createUndiciTransport } from './undici-transport.js';

/** Options of {@link createClient}. */
export interface ClientOptions extends ResilienceOptions {
  /**
   * The API's base URL, up to and including the version segment, e.g. `https://api.openai.com/v1`.
   * Optional with a `provider` preset that has a default (Azure: the resource endpoint).
   */
  baseURL?: string;
  /** The API key, sent as `Authorization: Bearer <key>` (or bare in `apiKeyHeader`). Never exposed. */
  apiKey?: string;
  /**
   * The header that carries the key: `authorization` (as `Bearer <key>`, the default) or another
   * name such as Azure's `api-key` (the key as is).
   */
  apiKeyHeader?: string;
  /** Headers sent with every request. */
  headers?: Readonly<Record<string, string>>;
  /** Query parameters added to every request URL (e.g. Azure's `api-version`). */
  query?: Readonly<Record<string, string>>;
  /**
   * A WHATWG `fetch` to send requests with (other runtimes, tests, interceptors). Default: undici's
   * dispatcher API directly, which is much faster on Node.
   */
  fetch?: FetchFunction;
  /** A custom transport; wins over `fetch` and `dispatcher`. */
  transport?: Transport;
  /** The undici dispatcher of the default transport (proxy, custom `connect`); not closed by `close()`. */
  dispatcher?: Dispatcher;
  /** Total deadline of each request, in ms, a stream's whole body included. Default 600,000 (10 min). */
  timeoutMs?: number;
  /** Longest silence between a stream's reads, in ms. Default 120,000. 0 disables it. */
  idleTimeoutMs?: number;
  /**
   * Ask for the usage chunk in streams (`stream_options.include_usage`) when the request does not say,
   * so usage totals stay exact. Default true.
   */
  streamUsage?: boolean;
  /** Wrappers of the single HTTP attempt (retries, rate limiting, rewrites); the first is outermost. */
  middleware?: readonly SendMiddleware[];
  /** Wall clock in epoch milliseconds: latency, and `retry-after` HTTP dates. Default `Date.now`. */
  now?: () => number;
}

/** Defaults of {@link ClientOptions}. */
export const CLIENT_DEFAULTS = {
  timeoutMs: 600_000,
  idleTimeoutMs: 120_000,
  streamUsage: true,
  apiKeyHeader: 'authorization',
} as const;

/** Options of one call. */
export interface RequestOptions {
  /** Aborts the call at once, with an `AbortError`. */
  signal?: AbortSignal;
  /** This call's total deadline, in ms (over the client's). */
  timeoutMs?: number;
  /** This call's idle deadline between stream reads, in ms (over the client's). */
  idleTimeoutMs?: number;
  /** Extra headers of this call, over the client's. */
  headers?: Readonly<Record<string, string>>;
  /** Sent as the `idempotency-key` header, so a retried request is not processed twice. */
  idempotencyKey?: string;
  /** Retries of this call after the first attempt, over the client's `maxRetries`. */
  maxRetries?: number;
}

/** A ChatCompletions client for one OpenAI-compatible endpoint. Create it with {@link createClient}. */
export interface ChatClient {
  /** The base URL requests go to. */
  readonly baseURL: string;
  /** The provider preset in use (`openai`, `deepseek`, ...), if any. */
  readonly provider?: string | undefined;
  /** Running usage totals of every completed call. */
  readonly usage: ClientUsage;
  /**
   * Sends a request and resolves with the completion, with its `meta` (non-enumerable).
   * @throws `APIError` subclasses for HTTP errors, `APIConnectionError`, `TimeoutError`, `AbortError`,
   *   `MalformedResponseError` for an unreadable body.
   */
  chat(request: ChatCompletionRequest, options?: RequestOptions): Promise<ChatResponse>;
  /** Streams a request; see {@link ChatStream}. The request starts when the stream is first used. */
  stream(request: ChatCompletionRequest, options?: RequestOptions): ChatStream;
  /** Releases idle sockets of the client's own transport. Calls already made keep working. */
  close(): Promise<void>;
}

const NO_OPTIONS: RequestOptions = Object.freeze({});

/**
 * Creates a client for an OpenAI-compatible ChatCompletions endpoint.
 * @throws ChatloopError (`invalid_options`) when `baseURL` is not an absolute http(s) URL.
 */
export function createClient(options: ClientOptions): ChatClient {
  return new Client(options);
}

class Client implements ChatClient {
  readonly baseURL: string;
  readonly provider: string | undefined;
  readonly usage = new ClientUsage();
  readonly #transport: Transport;
  readonly #send: SendFunction;
  readonly #timeoutMs: number;
  readonly #idleTimeoutMs: number;
  readonly #streamUsage: boolean;

  constructor(options: ClientOptions) {
    const connection = resolveConnection(options);
    const url = parseBaseURL(connection.baseURL);
    this.baseURL = connection.baseURL;
    this.provider = connection.preset?.name;
    this.#timeoutMs = options.timeoutMs ?? CLIENT_DEFAULTS.timeoutMs;
    this.#idleTimeoutMs = options.idleTimeoutMs ?? CLIENT_DEFAULTS.idleTimeoutMs;
    this.#streamUsage = options.streamUsage ?? CLIENT_DEFAULTS.streamUsage;
    this.#transport =
      options.transport ??
      (options.fetch === undefined
        ? createUndiciTransport(options.dispatcher === undefined ? {} : { dispatcher: options.dispatcher })
        : createFetchTransport(options.fetch));

    const secrets: string[] = [];
    const base: Record<string, string> = {};
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      const lower = name.toLowerCase();
      base[lower] = value;
      if (CREDENTIAL_HEADERS.has(lower)) secrets.push(value.replace(/^(Bearer|Basic)\s+/i, ''));
    }
    const apiKey = connection.apiKey;
    if (apiKey !== undefined && apiKey !== '') {
      const header = (
        options.apiKeyHeader ??
        connection.apiKeyHeader ??
        CLIENT_DEFAULTS.apiKeyHeader
      ).toLowerCase();
      base[header] = header === 'authorization' ? `Bearer ${apiKey}` : apiKey;
      secrets.push(apiKey);
    }
    let path = `${url.pathname.replace(/\/+$/, '')}/chat/completions`;
    const search = new URLSearchParams(url.search);
    for (const [name, value] of Object.entries({ ...connection.query, ...options.query }))
      search.set(name, value);
    if (search.size > 0) path += `?${search.toString()}`;

    let send = createHttpSend({
      transport: this.#transport,
      origin: url.origin,
      path,
      chatHeaders: { 'content-type': 'application/json', accept: 'application/json', ...base },
      streamHeaders: { 'content-type': 'application/json', accept: 'text/event-stream', ...base },
      secrets,
      now: options.now ?? Date.now,
    });
    const middleware = [...resilienceMiddleware(options, connection), ...(options.middleware ?? [])];
    for (let i = middleware.length - 1; i >= 0; i--) send = middleware[i]!(send);
    this.#send = send;
  }

  async chat(request: ChatCompletionRequest, options: RequestOptions = NO_OPTIONS): Promise<ChatResponse> {
    const result = await this.#send(this.#sendRequest(request, 'chat', options, options.signal));
    if (result.kind !== 'chat')
      throw new ChatloopError('invalid_state', 'A middleware answered a chat call with a stream.');
    this.usage.record(result.completion.usage);
    return withMeta(result.completion, result.meta);
  }

  stream(request: ChatCompletionRequest, options: RequestOptions = NO_OPTIONS): ChatStream {
    const body =
      this.#streamUsage && request.stream_options === undefined
        ? { ...request, stream: true, stream_options: { include_usage: true } }
        : { ...request, stream: true };
    const source: ChatStreamSource = {
      start: async (signal: AbortSignal): Promise<StreamSendResult> => {
        const result = await this.#send(this.#sendRequest(body, 'stream', options, signal));
        if (result.kind !== 'stream') {
          throw new ChatloopError('invalid_state', 'A middleware answered a stream call with a completion.');
        }
        return result;
      },
      settle: (usage, completed) => {
        if (completed || (usage !== null && usage !== undefined)) this.usage.record(usage);
      },
    };
    return new ChatStream(source, options.signal);
  }

  close(): Promise<void> {
    return this.#transport.close();
  }

  #sendRequest(
    body: ChatCompletionRequest,
    kind: 'chat' | 'stream',
    options: RequestOptions,
    signal: AbortSignal | undefined,
  ): SendRequest {
    return {
      body,
      kind,
      signal,
      timeoutMs: options.timeoutMs ?? this.#timeoutMs,
      idleTimeoutMs: options.idleTimeoutMs ?? this.#idleTimeoutMs,
      headers: callHeaders(options),
      attempt: 1,
      ...(options.maxRetries === undefined ? {} : { maxRetries: options.maxRetries }),
      waitedMs: 0,
    };
  }
}

function callHeaders(options: RequestOptions): Record<string, string> | undefined {
  if (options.headers === undefined && options.idempotencyKey === undefined) return undefined;
  const headers: Record<string, string> = {};
  for (const name in options.headers) headers[name.toLowerCase()] = options.headers[name]!;
  if (options.idempotencyKey !== undefined) headers['idempotency-key'] = options.idempotencyKey;
  return headers;
}

function parseBaseURL(baseURL: string): URL {
  let url: URL;
  try {
    url = new URL(baseURL);
  } catch (cause) {
    throw new ChatloopError('invalid_options', `baseURL is not a valid URL: ${JSON.stringify(baseURL)}.`, {
      cause,
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ChatloopError('invalid_options', `baseURL must be http(s), got ${url.protocol}.`);
  }
  return url;
}
