import { randomUUID } from 'node:crypto';
import type { LookupAddress } from 'node:dns';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { LookupFunction, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { baselineResources, type LocalServer, leftBehind, startLocalServer } from '../test/http-server.js';
import { BlockedAddressError } from './blocked-address-error.js';
import {
  createSafeFetch,
  guardLookup,
  SAFE_FETCH_DEFAULTS,
  type SafeFetch,
  type SafeFetchOptions,
} from './safe-fetch.js';

// Network rule of this file: traffic goes only to the loopback servers started here, or to a Unix-socket
// trap. Every case with a non-loopback address sends through the trap (`connect.socketPath`), so even a
// broken guard could only reach the trap, which counts what arrives.

/** A server on a Unix socket that records every connection and request it gets. */
interface Trap {
  path: string;
  connections: number;
  requests: Array<{ url: string; host: string | undefined }>;
  /** The answer to the next request: `[status, headers]`; default 200. */
  answer: (url: string) => [number, Record<string, string>];
  close(): Promise<void>;
}

async function startTrap(): Promise<Trap> {
  const sockets = new Set<Socket>();
  const trap: Trap = {
    path: join(tmpdir(), `chatloop-safe-fetch-${process.pid}-${randomUUID()}.sock`),
    connections: 0,
    requests: [],
    answer: () => [200, {}],
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = createServer((request, response) => {
    trap.requests.push({ url: request.url ?? '', host: request.headers.host });
    const [status, headers] = trap.answer(request.url ?? '');
    response.writeHead(status, headers).end('trapped');
  });
  server.on('connection', (socket) => {
    trap.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(trap.path, resolve));
  return trap;
}

/** A lookup that answers every name with `addresses` and records the names asked for. */
function fixedLookup(addresses: readonly string[], asked: string[] = []): LookupFunction {
  const answer: LookupAddress[] = addresses.map((address) => ({
    address,
    family: address.includes(':') ? 6 : 4,
  }));
  return (hostname, options, callback) => {
    asked.push(hostname);
    const first = answer[0] ?? { address: '', family: 4 };
    if (options.all) callback(null, answer);
    else callback(null, first.address, first.family);
  };
}

let server: LocalServer;
let other: LocalServer;
let trap: Trap;
let origin: string;
let host: string;
let port: string;
let otherOrigin: string;
let fetches: SafeFetch[] = [];

function safeFetchWith(options?: SafeFetchOptions): SafeFetch {
  const safeFetch = createSafeFetch(options);
  fetches.push(safeFetch);
  return safeFetch;
}

/** What the local servers and the trap received in all. */
function received(): number {
  return server.requests.length + other.requests.length + trap.connections;
}

/** Routes of both local servers: `/ok`, `/redirect?status=&to=`, `/loop/<n>`. */
function route(request: { url?: string | undefined }, response: ServerResponse): void {
  const url = new URL(request.url ?? '/', 'http://local');
  if (url.pathname === '/v1/redirect') {
    response
      .writeHead(Number(url.searchParams.get('status') ?? 302), {
        location: url.searchParams.get('to') ?? '/',
      })
      .end('moved');
  } else if (url.pathname.startsWith('/v1/loop/')) {
    response.writeHead(302, { location: `/v1/loop/${Number(url.pathname.slice(9)) + 1}` }).end();
  } else {
    response.writeHead(200, { 'content-type': 'text/plain' }).end(`ok ${request.url}`);
  }
}

function redirectUrl(status: number, to: string): string {
  return `${origin}/v1/redirect?status=${status}&to=${encodeURIComponent(to)}`;
}

beforeAll(async () => {
  server = await startLocalServer(route);
  other = await startLocalServer(route);
  trap = await startTrap();
  origin = new URL(server.url).origin;
  host = new URL(server.url).host;
  port = new URL(server.url).port;
  otherOrigin = new URL(other.url).origin;
});

afterEach(async () => {
  await Promise.all(fetches.map((safeFetch) => safeFetch.close()));
  fetches = [];
  server.requests.length = 0;
  other.requests.length = 0;
  trap.requests.length = 0;
  trap.connections = 0;
  trap.answer = () => [200, {}];
});

afterAll(async () => {
  await Promise.all([server.close(), other.close(), trap.close()]);
});

describe('createSafeFetch: loopback targets', () => {
  it('refuses a loopback server by default, before anything reaches it', async () => {
    const safeFetch = safeFetchWith();
    const error = await safeFetch(`${origin}/v1/ok`).catch((thrown: unknown) => thrown);
    expect(BlockedAddressError.is(error)).toBe(true);
    expect(error).toMatchObject({ code: 'blocked_address', host, address: '127.0.0.1', kind: 'loopback' });
    expect((error as Error).message).toContain(`"${host}" to allowHosts`);
    expect((error as Error).message).toContain('allowPrivateNetwork');
    expect(received()).toBe(0);
  });

  it('fetches from a host:port named in allowHosts, and only that port', async () => {
    const safeFetch = safeFetchWith({ allowHosts: [host] });
    const response = await safeFetch(`${origin}/v1/ok`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('ok /v1/ok');
    await expect(safeFetch(`${otherOrigin}/v1/ok`)).rejects.toSatisfy(BlockedAddressError.is);
    expect(other.requests).toHaveLength(0);
  });

  it('fetches from any port of a host named without one', async () => {
    const safeFetch = safeFetchWith({ allowHosts: ['127.0.0.1'] });
    expect((await safeFetch(`${origin}/v1/ok`)).status).toBe(200);
    expect((await safeFetch(`${otherOrigin}/v1/ok`)).status).toBe(200);
  });

  it('fetches from anywhere with allowPrivateNetwork', async () => {
    const safeFetch = safeFetchWith({ allowPrivateNetwork: true });
    const response = await safeFetch(new URL(`${origin}/v1/ok`));
    expect(await response.text()).toBe('ok /v1/ok');
  });

  it('takes a Request with a method, headers and a body', async () => {
    const safeFetch = safeFetchWith({ allowHosts: [host] });
    const request = new Request(`${origin}/v1/ok`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-tool': 'weather' },
      body: JSON.stringify({ city: 'Oslo' }),
    });
    expect((await safeFetch(request)).status).toBe(200);
    expect(server.requests[0]).toMatchObject({ body: { city: 'Oslo' }, headers: { 'x-tool': 'weather' } });
  });

  it('rejects with the signal reason when aborted, sending nothing', async () => {
    const safeFetch = safeFetchWith({ allowHosts: [host] });
    const reason = new Error('stop');
    await expect(safeFetch(`${origin}/v1/ok`, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(received()).toBe(0);
  });

  it('never puts header values, the path or the query into the refusal', async () => {
    const safeFetch = safeFetchWith();
    const error = await safeFetch(`${origin}/v1/secret-path?token=query-secret`, {
      headers: { authorization: 'Bearer sk-header-secret', cookie: 'session=cookie-secret' },
    }).catch((thrown: unknown) => thrown);
    const text = `${(error as Error).message} ${JSON.stringify(error)}`;
    for (const secret of ['sk-header-secret', 'cookie-secret', 'query-secret', 'secret-path']) {
      expect(text).not.toContain(secret);
    }
  });
});

describe('createSafeFetch: IP literals (through the Unix-socket trap)', () => {
  it('sends through the trap when allowed, so a broken guard could only reach the trap', async () => {
    // Were the trap not used, this would reach the `other` loopback server, never leave the machine.
    const safeFetch = safeFetchWith({ allowPrivateNetwork: true, connect: { socketPath: trap.path } });
    const otherHost = new URL(otherOrigin).host;
    expect(await (await safeFetch(`${otherOrigin}/probe`)).text()).toBe('trapped');
    expect(trap.requests).toEqual([{ url: '/probe', host: otherHost }]);
    expect(other.requests).toHaveLength(0);
  });

  it.each([
    ['http://10.0.0.1/', '10.0.0.1', 'private'],
    ['http://172.16.0.1/', '172.16.0.1', 'private'],
    ['http://192.168.1.1:8080/', '192.168.1.1', 'private'],
    ['http://169.254.169.254/latest/meta-data/', '169.254.169.254', 'link-local'],
    ['http://[::ffff:169.254.169.254]/', '::ffff:a9fe:a9fe', 'link-local'],
    ['http://100.64.0.1/', '100.64.0.1', 'carrier-grade-nat'],
    ['http://0.0.0.0/', '0.0.0.0', 'unspecified'],
    ['http://[::]/', '::', 'unspecified'],
    ['http://127.0.0.1/', '127.0.0.1', 'loopback'],
    ['http://2130706433/', '127.0.0.1', 'loopback'],
    ['http://0x7f.1/', '127.0.0.1', 'loopback'],
    ['http://[::1]/', '::1', 'loopback'],
    ['http://[::ffff:127.0.0.1]/', '::ffff:7f00:1', 'loopback'],
    ['https://[fe80::1]/', 'fe80::1', 'link-local'],
    ['http://[fd00::1]/', 'fd00::1', 'unique-local'],
    ['http://224.0.0.1/', '224.0.0.1', 'multicast'],
    ['http://255.255.255.255/', '255.255.255.255', 'reserved'],
  ])('refuses %s before connecting', async (url, address, kind) => {
    const safeFetch = safeFetchWith({ connect: { socketPath: trap.path } });
    const error = await safeFetch(url).catch((thrown: unknown) => thrown);
    expect(BlockedAddressError.is(error)).toBe(true);
    expect(error).toMatchObject({ address, kind, host: new URL(url).host });
    expect(received()).toBe(0);
  });

  it('refuses a redirect to the metadata address', async () => {
    trap.answer = () => [302, { location: 'http://169.254.169.254/latest/meta-data/iam/' }];
    const otherHost = new URL(otherOrigin).host;
    const safeFetch = safeFetchWith({ allowHosts: [otherHost], connect: { socketPath: trap.path } });
    const error = await safeFetch(`${otherOrigin}/start`).catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ code: 'blocked_address', address: '169.254.169.254', kind: 'link-local' });
    expect(trap.requests).toEqual([{ url: '/start', host: otherHost }]);
  });
});

describe('createSafeFetch: host names (checked at connect time)', () => {
  it.each([['127.0.0.1'], ['::1'], ['::ffff:127.0.0.1']])(
    'refuses a name that resolves to %s',
    async (address) => {
      const asked: string[] = [];
      const safeFetch = safeFetchWith({ lookup: fixedLookup([address], asked) });
      const error = await safeFetch(`http://api.example.test:${port}/v1/ok`).catch(
        (thrown: unknown) => thrown,
      );
      expect(BlockedAddressError.is(error)).toBe(true);
      expect(error).toMatchObject({ host: `api.example.test:${port}`, address, kind: 'loopback' });
      expect(asked).toEqual(['api.example.test']);
      expect(received()).toBe(0);
    },
  );

  it('fetches from a name in allowHosts that resolves to a private address', async () => {
    const safeFetch = safeFetchWith({
      allowHosts: [`api.example.test:${port}`],
      lookup: fixedLookup(['127.0.0.1']),
    });
    const response = await safeFetch(`http://API.example.test:${port}/v1/ok`);
    expect(await response.text()).toBe('ok /v1/ok');
    expect(server.requests[0]?.headers.host).toBe(`api.example.test:${port}`);
  });

  it('checks every lookup, not only the first: a name re-pointed at loopback is refused', async () => {
    let calls = 0;
    const rebinding: LookupFunction = (hostname, options, callback) => {
      calls++;
      fixedLookup([calls === 1 ? '127.0.0.1' : '::1'])(hostname, options, callback);
    };
    const safeFetch = safeFetchWith({ lookup: rebinding });
    const url = `http://rebind.example.test:${port}/v1/ok`;
    await expect(safeFetch(url)).rejects.toMatchObject({ address: '127.0.0.1' });
    await expect(safeFetch(url)).rejects.toMatchObject({ address: '::1' });
    expect(calls).toBe(2);
    expect(received()).toBe(0);
  });
});

describe('guardLookup', () => {
  function run(lookup: LookupFunction, all: boolean) {
    return new Promise<{ error: unknown; address: unknown; family: unknown }>((resolve) => {
      guardLookup(lookup, 'api.example.test')('api.example.test', { all }, (error, address, family) =>
        resolve({ error, address, family }),
      );
    });
  }

  it('passes public answers through unchanged, one address or all', async () => {
    expect(await run(fixedLookup(['8.8.8.8']), false)).toEqual({
      error: null,
      address: '8.8.8.8',
      family: 4,
    });
    expect((await run(fixedLookup(['8.8.8.8', '2606:4700::1111']), true)).address).toEqual([
      { address: '8.8.8.8', family: 4 },
      { address: '2606:4700::1111', family: 6 },
    ]);
  });

  it('refuses the whole answer when any address in it is private', async () => {
    const { error } = await run(fixedLookup(['8.8.8.8', '10.0.0.7']), true);
    expect(error).toBeInstanceOf(BlockedAddressError);
    expect(error).toMatchObject({ host: 'api.example.test', address: '10.0.0.7', kind: 'private' });
  });

  it('refuses an answer that is not an IP address, and passes lookup errors on', async () => {
    expect((await run(fixedLookup(['not-an-address']), false)).error).toMatchObject({ kind: 'reserved' });
    const failure = Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    const failing: LookupFunction = (_hostname, _options, callback) => callback(failure, '');
    expect((await run(failing, false)).error).toBe(failure);
  });
});

describe('createSafeFetch: redirects', () => {
  it('refuses a redirect from an allowed server to a port that is not allowed', async () => {
    const safeFetch = safeFetchWith({ allowHosts: [host] });
    const error = await safeFetch(redirectUrl(302, `${otherOrigin}/v1/ok`)).catch(
      (thrown: unknown) => thrown,
    );
    expect(error).toMatchObject({
      code: 'blocked_address',
      host: new URL(otherOrigin).host,
      kind: 'loopback',
    });
    expect(server.requests).toHaveLength(1);
    expect(other.requests).toHaveLength(0);
  });

  it('refuses a redirect to a name that resolves to loopback, at connect time', async () => {
    const safeFetch = safeFetchWith({ allowHosts: [host], lookup: fixedLookup(['127.0.0.1']) });
    const to = `http://internal.example.test:${new URL(otherOrigin).port}/v1/ok`;
    await expect(safeFetch(redirectUrl(307, to))).rejects.toMatchObject({ address: '127.0.0.1' });
    expect(other.requests).toHaveLength(0);
  });

  it('refuses a redirect to a scheme other than http and https', async () => {
    const safeFetch = safeFetchWith({ allowHosts: [host] });
    await expect(safeFetch(redirectUrl(302, 'file:///etc/passwd'))).rejects.toThrow(TypeError);
    await expect(safeFetch('file:///etc/passwd')).rejects.toThrow(/http: and https:/);
  });

  it('follows at most maxRedirects redirects', async () => {
    const limited = safeFetchWith({ allowHosts: [host], maxRedirects: 2 });
    await expect(limited(`${origin}/v1/loop/0`)).rejects.toThrow('More than 2 redirects');
    expect(server.requests.map((request) => request.url)).toEqual(['/v1/loop/0', '/v1/loop/1', '/v1/loop/2']);
    server.requests.length = 0;
    await expect(safeFetchWith({ allowHosts: [host] })(`${origin}/v1/loop/0`)).rejects.toThrow(TypeError);
    expect(server.requests).toHaveLength(SAFE_FETCH_DEFAULTS.maxRedirects + 1);
  });

  it('follows allowed redirects to the end, and returns the 3xx itself with redirect: manual', async () => {
    const safeFetch = safeFetchWith({ allowHosts: [host], maxRedirects: 0 });
    const manual = await safeFetch(redirectUrl(302, '/v1/ok'), { redirect: 'manual' });
    expect(manual.status).toBe(302);
    expect(manual.headers.get('location')).toBe('/v1/ok');
    await manual.body?.cancel();
    await expect(safeFetch(redirectUrl(302, '/v1/ok'), { redirect: 'error' })).rejects.toThrow(TypeError);
    const following = safeFetchWith({ allowHosts: [host] });
    const response = await following(redirectUrl(301, `${origin}/v1/ok`));
    expect(response.url).toBe(`${origin}/v1/ok`);
    expect(await response.text()).toBe('ok /v1/ok');
  });

  it('turns a POST into a body-less GET on 303 and on 301/302, and keeps it on 307', async () => {
    const safeFetch = safeFetchWith({ allowHosts: [host] });
    const post = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' };
    for (const status of [303, 301, 302, 307]) {
      server.requests.length = 0;
      await safeFetch(redirectUrl(status, '/v1/ok'), post);
      const [first, second] = server.requests;
      expect(first?.body).toEqual({ a: 1 });
      if (status === 307) {
        expect(second).toMatchObject({ body: { a: 1 }, headers: { 'content-type': 'application/json' } });
      } else {
        expect(second?.body).toBeUndefined();
        expect(second?.headers['content-type']).toBeUndefined();
      }
    }
  });

  it('drops authorization and cookie headers when a redirect changes origin, and keeps them otherwise', async () => {
    const safeFetch = safeFetchWith({ allowHosts: [host, new URL(otherOrigin).host] });
    const headers = { authorization: 'Bearer sk-test', cookie: 'session=1', 'x-trace': 'abc' };
    await safeFetch(redirectUrl(302, '/v1/ok'), { headers });
    await safeFetch(redirectUrl(302, `${otherOrigin}/v1/ok`), { headers });
    const seenHeaders = (seen: IncomingHttpHeaders | undefined) => [
      seen?.authorization,
      seen?.cookie,
      seen?.['x-trace'],
    ];
    expect(seenHeaders(server.requests[1]?.headers)).toEqual(['Bearer sk-test', 'session=1', 'abc']);
    expect(seenHeaders(other.requests[0]?.headers)).toEqual([undefined, undefined, 'abc']);
  });
});

describe('createSafeFetch: options and resources', () => {
  it('has its defaults in SAFE_FETCH_DEFAULTS and refuses bad options', () => {
    expect(SAFE_FETCH_DEFAULTS).toMatchObject({
      allowPrivateNetwork: false,
      allowHosts: [],
      maxRedirects: 5,
    });
    for (const entry of [
      '',
      'http://example.com',
      'example.com/path',
      'user@example.com',
      'host:99999',
      ':80',
    ]) {
      expect(() => createSafeFetch({ allowHosts: [entry] }), entry).toThrow(TypeError);
    }
    expect(() => createSafeFetch({ maxRedirects: -1 })).toThrow(RangeError);
    expect(() => createSafeFetch({ maxRedirects: 1.5 })).toThrow(RangeError);
  });

  it('accepts IPv6 allowHosts entries with and without a port', async () => {
    const safeFetch = safeFetchWith({
      allowHosts: ['::1', '[::1]:8081'],
      connect: { socketPath: trap.path },
    });
    expect((await safeFetch('http://[::1]:8080/')).status).toBe(200);
    expect((await safeFetch('http://[0:0::1]:8081/')).status).toBe(200);
    expect(trap.requests).toHaveLength(2);
  });

  it('leaves no socket or timer behind once closed', async () => {
    const before = await baselineResources(server);
    const safeFetch = createSafeFetch({ allowHosts: [host], lookup: fixedLookup(['127.0.0.1']) });
    expect(await (await safeFetch(`${origin}/v1/ok`)).text()).toBe('ok /v1/ok');
    expect(await (await safeFetch(redirectUrl(302, '/v1/ok'))).text()).toBe('ok /v1/ok');
    await expect(safeFetch(`${otherOrigin}/v1/ok`)).rejects.toSatisfy(BlockedAddressError.is);
    await expect(safeFetch(`http://name.example.test:${port}/v1/ok`)).rejects.toSatisfy(
      BlockedAddressError.is,
    );
    await safeFetch.close();
    await safeFetch.close();
    expect(await leftBehind(before)).toEqual([]);
  });
});
