import {
  type Transport,
  type TransportBody,
  type TransportRequest,
  type TransportResponse,
  toAbortSignal,
} from './transport.js';

/** The subset of WHATWG `fetch` the client needs. */
export type FetchFunction = (input: string, init: RequestInit) => Promise<Response>;

/**
 * A transport on a WHATWG `fetch` (other runtimes, tests, interceptors). Slower than the default undici
 * transport on Node. Its `close()` does nothing: the fetch implementation owns the sockets.
 */
export function createFetchTransport(fetch: FetchFunction): Transport {
  return {
    async send(request: TransportRequest): Promise<TransportResponse> {
      const response = await fetch(request.origin + request.path, {
        method: request.method,
        headers: request.headers,
        body: request.body ?? null,
        signal: toAbortSignal(request.signal),
      });
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        headers[name] = value;
      });
      return { status: response.status, headers, body: fetchBody(response) };
    },
    close: () => Promise.resolve(),
  };
}

function fetchBody(response: Response): TransportBody {
  return {
    text: () => response.text(),
    destroy(): void {
      if (response.body !== null && !response.bodyUsed) {
        response.body.cancel().catch(() => undefined);
      }
    },
    async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
      if (response.body === null) return;
      const reader = response.body.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          yield value;
        }
      } finally {
        // Reached on early exit too: cancel what is left so the connection is released.
        reader.cancel().catch(() => undefined);
        reader.releaseLock();
      }
    },
  };
}
