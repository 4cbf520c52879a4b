import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { ConformanceCase } from './corpus.js';

/** A loopback HTTP server that serves recorded cases, each at its own base URL. */
export interface CaseServer {
  /**
   * The base URL (ending in `/v1`) under which `POST .../chat/completions` answers with `testCase`
   * as recorded (status, headers, body), the body written in `pieces`, each flushed on its own.
   */
  baseURL(testCase: ConformanceCase, pieces: readonly Uint8Array[]): string;
  /** Stops the server and ends every connection. */
  close(): Promise<void>;
}

interface Route {
  testCase: ConformanceCase;
  pieces: readonly Uint8Array[];
}

/**
 * Starts a {@link CaseServer} on 127.0.0.1 on a free port. Each `baseURL()` call registers one route
 * (`/r<n>/v1`); a request to an unknown route gets a 404 error body.
 */
export async function startCaseServer(): Promise<CaseServer> {
  const routes = new Map<string, Route>();
  const server = createServer((request, response) => {
    void answer(routes, request, response);
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let next = 0;
  return {
    baseURL(testCase, pieces) {
      const name = `r${next++}`;
      routes.set(name, { testCase, pieces });
      return `http://127.0.0.1:${port}/${name}/v1`;
    },
    close: () => closeServer(server, sockets),
  };
}

async function answer(
  routes: Map<string, Route>,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  // Read the request body first, as a real server does, so the client never sees a reset.
  for await (const _piece of request) {
    // The request itself is not checked: the case decides the answer.
  }
  const match = /^\/(r\d+)\/v1\/chat\/completions$/.exec(request.url ?? '');
  const route = match === null ? undefined : routes.get(match[1] as string);
  if (route === undefined || request.method !== 'POST') {
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        error: { message: `No case at ${request.method} ${request.url}`, type: 'not_found' },
      }),
    );
    return;
  }
  const { testCase, pieces } = route;
  const contentType = testCase.kind === 'stream' ? 'text/event-stream; charset=utf-8' : 'application/json';
  response.socket?.setNoDelay(true);
  response.writeHead(testCase.status, { 'content-type': contentType, ...testCase.headers });
  for (const piece of pieces) {
    // Each piece goes out on its own: written, flushed to the socket, then a turn of the event loop.
    await new Promise<void>((resolve, reject) => {
      response.write(piece, (error) => (error ? reject(error) : resolve()));
    });
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  response.end();
}

/** Closes the server and waits until its listening handle and every socket are really closed. */
async function closeServer(server: Server, sockets: ReadonlySet<Socket>): Promise<void> {
  const socketsClosed = [...sockets].map((socket) => new Promise((resolve) => socket.once('close', resolve)));
  const serverClosed = new Promise<void>((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
  });
  server.closeAllConnections();
  await Promise.all([serverClosed, ...socketsClosed]);
  // 'close' is emitted before libuv has released the handles; one turn of the loop later they are gone.
  await new Promise((resolve) => setImmediate(resolve));
}
