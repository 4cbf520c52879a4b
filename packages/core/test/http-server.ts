import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A handler of the test server: the request with its body read. */
export type TestHandler = (request: IncomingMessage & { body: string }, response: ServerResponse) => void;

/** A tiny loopback server for core's tests; `close()` destroys every connection. */
export interface LocalServer {
  /** Base URL ending in `/v1`. */
  url: string;
  /** Requests seen: headers and parsed JSON body. */
  requests: Array<{ headers: IncomingMessage['headers']; body: unknown; url: string }>;
  /** Destroys open connections (keep-alive included) and waits for them to close. */
  dropConnections(): Promise<void>;
  close(): Promise<void>;
}

/** Starts a server on 127.0.0.1 that answers every request with `handler`. */
export async function startLocalServer(handler: TestHandler): Promise<LocalServer> {
  const sockets = new Set<Socket>();
  const requests: LocalServer['requests'] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (text: string) => {
      body += text;
    });
    request.on('end', () => {
      requests.push({
        headers: request.headers,
        body: body === '' ? undefined : JSON.parse(body),
        url: request.url ?? '',
      });
      handler(Object.assign(request, { body }), response);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const dropConnections = async (): Promise<void> => {
    const closing = [...sockets].map((socket) => new Promise((resolve) => socket.once('close', resolve)));
    for (const socket of sockets) socket.destroy();
    await Promise.all(closing);
    // Let the client side see the close.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
  };
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    dropConnections,
    async close() {
      await dropConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A plain completion body with `text` and usage. */
export function completionBody(
  text: string,
  usage = { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 },
) {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1,
    model: 'test-model',
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
    usage,
  };
}

/** SSE text of a stream that sends `parts` as content deltas, then a usage chunk, then `[DONE]`. */
export function sseBody(
  parts: readonly string[],
  options: { done?: boolean; finish?: boolean } = {},
): string {
  const base = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'test-model' };
  const events: unknown[] = [
    { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] },
  ];
  for (const part of parts)
    events.push({ ...base, choices: [{ index: 0, delta: { content: part }, finish_reason: null }] });
  if (options.finish !== false) {
    events.push({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
    events.push({
      ...base,
      choices: [],
      usage: { prompt_tokens: 7, completion_tokens: parts.length, total_tokens: 7 + parts.length },
    });
  }
  let text = events.map((event) => `data: ${JSON.stringify(event)}\n\n`).join('');
  if (options.done !== false) text += 'data: [DONE]\n\n';
  return text;
}

/** The active resources, sorted, for before/after comparisons. */
export function activeResources(): string[] {
  return process.getActiveResourcesInfo().slice().sort();
}

/** Resources in `after` that were not in `before` (as multisets). */
export function addedResources(before: readonly string[], after: readonly string[]): string[] {
  const left = [...before];
  const added: string[] = [];
  for (const name of after) {
    const at = left.indexOf(name);
    if (at === -1) added.push(name);
    else left.splice(at, 1);
  }
  return added;
}

/**
 * What is still active beyond `before` once closing sockets have finished closing: turns the event loop
 * (bounded: at most about 2 s) until nothing new is left, then returns what is, for
 * `expect(...).toEqual([])`. A real leak (a timer, a socket in use) stays and fails the test.
 */
export async function leftBehind(before: readonly string[]): Promise<string[]> {
  let added = addedResources(before, activeResources());
  for (let turn = 0; turn < 500 && added.length > 0; turn++) {
    await new Promise((resolve) => setImmediate(resolve));
    added = addedResources(before, activeResources());
  }
  // On a loaded machine a socket's close can take a little real time: wait in short steps, bounded.
  for (let turn = 0; turn < 200 && added.length > 0; turn++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    added = addedResources(before, activeResources());
  }
  return added;
}

/** A quiet starting set: drops the server's connections and lets closing sockets finish. */
export async function baselineResources(server: LocalServer): Promise<string[]> {
  await server.dropConnections();
  let previous: string[] = [];
  let current = activeResources();
  for (let turn = 0; turn < 50 && JSON.stringify(current) !== JSON.stringify(previous); turn++) {
    await new Promise((resolve) => setImmediate(resolve));
    previous = current;
    current = activeResources();
  }
  return current;
}

/**
 * Writes `totalBytes` of filler to `response` in 64 KiB pieces, waiting for `drain` as a real server
 * does (a reader that stops reading stops the writes), then ends it.
 */
export function writeFiller(response: ServerResponse, totalBytes: number): void {
  const piece = Buffer.alloc(64 * 1024, 0x61);
  let sent = 0;
  const write = (): void => {
    while (sent < totalBytes) {
      sent += piece.length;
      if (!response.write(piece)) {
        response.once('drain', write);
        return;
      }
    }
    response.end();
  };
  write();
}
