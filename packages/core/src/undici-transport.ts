import { Agent, type Dispatcher } from 'undici';
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
 * The default transport: undici's dispatcher API directly (no WHATWG `fetch`, no per-request URL
 * parsing), keep-alive sockets shared by every request of the client. Request deadlines are the
 * client's, so undici's own header/body timeouts are switched off on the own `Agent`.
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
    async send(request: TransportRequest): Promise<TransportResponse> {
      const response = await dispatcher.request({
        origin: request.origin,
        path: request.path,
        method: request.method,
        headers: request.headers,
        body: request.body ?? null,
        signal: request.signal,
      });
      return { status: response.statusCode, headers: response.headers, body: response.body };
    },
    close(): Promise<void> {
      if (!owned) return Promise.resolve();
      closed ??= dispatcher.close();
      return closed;
    },
  };
}
