import { Agent, type Dispatcher } from 'undici';
import { DispatchBody } from './dispatch-body.js';
import type { Transport, TransportRequest, TransportResponse } from './transport.js';

/** Options of {@link createUndiciTransport}. */
export interface UndiciTransportOptions {
  /**
   * The undici dispatcher to send through (an `Agent`, `Pool`, `ProxyAgent`, or one with a
   * `connect.lookup` hook). It is not closed by `close()`. Default: an own `Agent` with keep-alive and
   * no pipelining, closed by `close()`.
   */
  dispatcher?: Dispatcher;
  /** Keep-alive time of idle sockets of the own `Agent`, in milliseconds. Default 4,000. */
  keepAliveTimeoutMs?: number;
  /** Most sockets per origin of the own `Agent`. Default unlimited. */
  connections?: number;
}

/** Defaults of {@link createUndiciTransport}. */
export const UNDICI_TRANSPORT_DEFAULTS = {
  keepAliveTimeoutMs: 4_000,
} as const;

/**
 * The default transport: undici's dispatcher directly (no WHATWG `fetch`, no per-request URL parsing,
 * no Node `Readable` per response: the body is fed from the dispatch handler, see {@link DispatchBody}),
 * keep-alive sockets shared by every request of the client. Request deadlines are the client's, so
 * undici's own header/body timeouts are switched off on the own `Agent`.
 */
export function createUndiciTransport(options: UndiciTransportOptions = {}): Transport {
  const owned = options.dispatcher === undefined;
  const dispatcher: Dispatcher =
    options.dispatcher ??
    new Agent({
      pipelining: 1,
      keepAliveTimeout: options.keepAliveTimeoutMs ?? UNDICI_TRANSPORT_DEFAULTS.keepAliveTimeoutMs,
      headersTimeout: 0,
      bodyTimeout: 0,
      ...(options.connections === undefined ? {} : { connections: options.connections }),
    });
  let closed: Promise<void> | undefined;
  return {
    send(request: TransportRequest): Promise<TransportResponse> {
      return new Promise((resolve, reject) => {
        const signal = request.signal;
        if (signal.aborted) {
          reject(signal.reason);
          return;
        }
        const handler = new ResponseHandler(signal, resolve, reject);
        try {
          dispatcher.dispatch(
            {
              origin: request.origin,
              path: request.path,
              method: request.method,
              headers: request.headers,
              body: request.body ?? null,
            },
            handler,
          );
        } catch (error) {
          handler.onResponseError(undefined, error as Error);
        }
      });
    },
    close(): Promise<void> {
      if (!owned) return Promise.resolve();
      closed ??= dispatcher.close();
      return closed;
    },
  };
}

/**
 * One request's dispatch handler: settles the send with the answer's head (or the failure before it),
 * then feeds the body. The request's signal aborts it at any point; before the head arrives the send
 * rejects at once with the signal's reason, even while the request still waits for a socket.
 */
class ResponseHandler implements Dispatcher.DispatchHandler {
  readonly #signal: TransportRequest['signal'];
  readonly #resolve: (response: TransportResponse) => void;
  readonly #reject: (error: unknown) => void;
  readonly #onAbort = (): void => this.#abort();
  #controller: Dispatcher.DispatchController | undefined;
  #body: DispatchBody | undefined;
  /** The send has resolved or rejected. */
  #settled = false;
  /** The request is over (ended, failed or aborted): the abort listener is gone. */
  #done = false;

  constructor(
    signal: TransportRequest['signal'],
    resolve: (response: TransportResponse) => void,
    reject: (error: unknown) => void,
  ) {
    this.#signal = signal;
    this.#resolve = resolve;
    this.#reject = reject;
    signal.on('abort', this.#onAbort);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#done) controller.abort(abortReason(this.#signal));
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: ResponseHeaders,
  ): void {
    // 1xx informational heads come before the real one.
    if (statusCode < 200 || this.#settled) return;
    this.#settled = true;
    const body = new DispatchBody(controller);
    this.#body = body;
    this.#resolve({ status: statusCode, headers, body });
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#body?.push(chunk);
  }

  onResponseEnd(): void {
    this.#finish();
    this.#body?.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
    this.#finish();
    if (!this.#settled) {
      this.#settled = true;
      this.#reject(error);
    } else {
      this.#body?.fail(error);
    }
  }

  #abort(): void {
    if (this.#done) return;
    const reason = abortReason(this.#signal);
    this.#controller?.abort(reason);
    // Waiting for a socket (no controller yet), or undici reports the abort later: settle now.
    this.onResponseError(undefined, reason);
  }

  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    this.#signal.removeListener('abort', this.#onAbort);
  }
}

type ResponseHeaders = Parameters<NonNullable<Dispatcher.DispatchHandler['onResponseStart']>>[2];

/** The signal's reason as the `Error` undici's `abort` takes (the client's reasons are errors). */
function abortReason(signal: TransportRequest['signal']): Error {
  const reason = signal.reason;
  return reason instanceof Error ? reason : new Error(String(reason));
}
