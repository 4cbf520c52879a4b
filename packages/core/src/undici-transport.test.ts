import { EventEmitter } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalServer, startLocalServer, writeFiller } from '../test/http-server.js';
import type { TransportRequest, TransportSignal } from './transport.js';
import { createUndiciTransport } from './undici-transport.js';

/** A transport signal as the client's attempt is one: emits `abort` once with a reason. */
class TestSignal extends EventEmitter implements TransportSignal {
  aborted = false;
  reason: unknown;

  abort(reason: Error): void {
    this.aborted = true;
    this.reason = reason;
    this.emit('abort');
  }
}

const BIG_BYTES = 4 * 1024 * 1024;
let server: LocalServer;
const hanging = new Set<() => void>();
let origin: string;

beforeAll(async () => {
  server = await startLocalServer((request, response) => {
    if (request.url?.endsWith('/hang')) {
      hanging.add(() => response.end('{}'));
      return;
    }
    if (request.url?.endsWith('/big')) {
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      writeFiller(response, BIG_BYTES);
      return;
    }
    if (request.url?.endsWith('/cut')) {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: {}\n\n');
      setImmediate(() => response.socket?.destroy());
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req_t' });
    response.end(JSON.stringify({ path: request.url, port: request.socket.remotePort }));
  });
  origin = new URL(server.url).origin;
});

afterAll(async () => {
  for (const release of hanging) release();
  await server.close();
});

const post = (path: string, signal: TransportSignal = new TestSignal()): TransportRequest => ({
  origin,
  path,
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: '{}',
  signal,
});

describe('createUndiciTransport', () => {
  it('answers with status, lowercase headers and the body, reusing keep-alive sockets', async () => {
    const transport = createUndiciTransport();
    const ports = new Set<number>();
    for (let i = 0; i < 6; i++) {
      const response = await transport.send(post('/v1/ok'));
      expect(response.status).toBe(200);
      expect(response.headers['x-request-id']).toBe('req_t');
      const answer = JSON.parse(await response.body.text()) as { path: string; port: number };
      expect(answer.path).toBe('/v1/ok');
      ports.add(answer.port);
    }
    // A request sent as the last one completes may open a second socket; after that they are reused.
    expect(ports.size).toBeLessThanOrEqual(2);
    await transport.close();
  });

  it('rejects at once with the reason when aborted while waiting for a socket', async () => {
    const transport = createUndiciTransport({ connections: 1 });
    const first = transport.send(post('/v1/hang'));
    while (hanging.size === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const signal = new TestSignal();
    const queued = transport.send(post('/v1/ok', signal));
    const reason = new Error('stop waiting');
    signal.abort(reason);
    await expect(queued).rejects.toBe(reason);
    for (const release of hanging) release();
    hanging.clear();
    await (await first).body.text();
    expect(signal.listenerCount('abort')).toBe(0);
    await transport.close();
  });

  it('rejects before sending when the signal is already aborted', async () => {
    const transport = createUndiciTransport();
    const signal = new TestSignal();
    const reason = new Error('too late');
    signal.abort(reason);
    const seen = server.requests.length;
    await expect(transport.send(post('/v1/ok', signal))).rejects.toBe(reason);
    expect(server.requests.length).toBe(seen);
    await transport.close();
  });

  it('aborts a body being read, and the read rejects with the reason', async () => {
    const transport = createUndiciTransport();
    const signal = new TestSignal();
    const response = await transport.send(post('/v1/big', signal));
    const iterator = response.body[Symbol.asyncIterator]();
    await iterator.next();
    const reason = new Error('enough');
    signal.abort(reason);
    let error: unknown;
    try {
      while ((await iterator.next()).done !== true);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBe(reason);
    await transport.close();
  });

  it('delivers a large body whole to a slow reader (the socket is paused, not buffered without end)', async () => {
    const transport = createUndiciTransport();
    const response = await transport.send(post('/v1/big'));
    let received = 0;
    let reads = 0;
    for await (const chunk of response.body) {
      received += chunk.byteLength;
      if (++reads % 8 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    expect(received).toBe(BIG_BYTES);
    await transport.close();
  });

  it('fails the read when the connection drops after the head', async () => {
    const transport = createUndiciTransport();
    const response = await transport.send(post('/v1/cut'));
    const read = (async () => {
      for await (const _chunk of response.body);
    })();
    await expect(read).rejects.toThrow();
    await transport.close();
  });
});
