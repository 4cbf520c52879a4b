/** One HTTP request as the client hands it to a {@link Transport}. */
export interface TransportRequest {
  /** Scheme, host and port, e.g. `https://api.openai.com` (no trailing slash). */
  readonly origin: string;
  /** Path and query, e.g. `/v1/chat/completions`. */
  readonly path: string;
  readonly method: 'POST' | 'GET';
  /** Request headers, lowercase names. Contains credentials: a transport never exposes them. */
  readonly headers: Readonly<Record<string, string>>;
  /** The JSON body. */
  readonly body: string | undefined;
  /**
   * Aborts the request and, once answered, its body; the transport then rejects with `signal.reason`.
   * An EventEmitter-like source (what undici's dispatcher takes), lighter than an `AbortSignal`; use
   * {@link toAbortSignal} where a real one is needed.
   */
  readonly signal: TransportSignal;
}

/** The abort source of a {@link TransportRequest}: emits `abort` once, then stays aborted. */
export interface TransportSignal {
  readonly aborted: boolean;
  /** Why it aborted (a typed chatloop error), once aborted. */
  readonly reason: unknown;
  on(event: 'abort', listener: () => void): unknown;
  once(event: 'abort', listener: () => void): unknown;
  removeListener(event: 'abort', listener: () => void): unknown;
}

/**
 * A real `AbortSignal` that follows `signal` (for `fetch` and other Web APIs). The link lives as long as
 * `signal` does: a client's signals are released after each request.
 */
export function toAbortSignal(signal: TransportSignal): AbortSignal {
  const controller = new AbortController();
  if (signal.aborted) controller.abort(signal.reason);
  else signal.once('abort', () => controller.abort(signal.reason));
  return controller.signal;
}

/** A response body: read once, as text or as byte chunks. */
export interface TransportBody extends AsyncIterable<Uint8Array> {
  /** The whole body decoded as UTF-8. */
  text(): Promise<string>;
  /** Stops reading and releases the connection (the socket is closed, not reused). Never throws. */
  destroy(): unknown;
}

/** The status line and headers of an answer, with its unread body. */
export interface TransportResponse {
  readonly status: number;
  /** Lowercase header names; multi-valued headers as arrays. */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  readonly body: TransportBody;
}

/**
 * How the client talks HTTP. The default sits on undici's dispatcher ({@link createUndiciTransport});
 * {@link createFetchTransport} runs on any WHATWG `fetch`.
 */
export interface Transport {
  /** Sends a request and resolves with the answer's head once it arrives; rejects on network failure. */
  send(request: TransportRequest): Promise<TransportResponse>;
  /** Releases what the transport owns (idle keep-alive sockets). Idempotent. */
  close(): Promise<void>;
}
