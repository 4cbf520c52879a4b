import { lookup as dnsLookup } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { Agent, type buildConnector, Pool, fetch as undiciFetch } from 'undici';
import { BlockedAddressError } from './blocked-address-error.js';
import { classifyAddress } from './network-address.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * Socket options of the safe fetch's own undici `Agent` (TLS `ca`, connect `timeout`, `socketPath`, ...).
 * There is no `lookup`: the guard owns it; inject DNS through {@link SafeFetchOptions.lookup}.
 */
export type SafeFetchConnectOptions = DistributiveOmit<buildConnector.BuildOptions, 'lookup'>;

/** Options of {@link createSafeFetch}; defaults in {@link SAFE_FETCH_DEFAULTS}. */
export interface SafeFetchOptions {
  /**
   * Fetch from any address, private ones included: the guard is off. For local development only.
   * Default `false`.
   */
  allowPrivateNetwork?: boolean;
  /**
   * Hosts fetched from even when they are (or resolve to) private addresses: `host:port` for one port
   * (`'127.0.0.1:3000'`, `'[::1]:8080'`, `'api.internal:443'`), or `host` for any port. Names are
   * compared as the URL parser writes them (lowercase, IPv6 in brackets, compressed). Default none.
   * @throws TypeError from `createSafeFetch` for an entry that is not a host or `host:port`.
   */
  allowHosts?: readonly string[];
  /** Redirects followed per call before it rejects with a `TypeError`. Default 5; 0 follows none. */
  maxRedirects?: number;
  /**
   * The DNS lookup the sockets use, with `dns.lookup`'s callback signature; every address it returns is
   * checked before connecting. Default `dns.lookup` from `node:dns`.
   */
  lookup?: LookupFunction;
  /** Socket options of the own undici `Agent`. Default none (undici's). */
  connect?: SafeFetchConnectOptions;
}

/** Defaults of {@link createSafeFetch}. */
export const SAFE_FETCH_DEFAULTS = {
  allowPrivateNetwork: false,
  allowHosts: [] as readonly string[],
  maxRedirects: 5,
  lookup: dnsLookup as LookupFunction,
} as const;

/** A WHATWG `fetch` that refuses private-network targets; `close()` closes its sockets. */
export interface SafeFetch {
  (input: string | URL | Request, init?: RequestInit): Promise<Response>;
  /** Closes the own `Agent` and its keep-alive sockets; in-flight calls finish first. Idempotent. */
  close(): Promise<void>;
}

/** One request of a redirect chain. */
interface Hop {
  url: URL;
  method: string;
  headers: Headers;
  body: Uint8Array | null;
}

interface AllowedHost {
  hostname: string;
  /** `undefined`: any port. */
  port: string | undefined;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
// Fetch's request-body-header names: they describe a body a GET redirect no longer has.
const BODY_HEADERS = [
  'content-type',
  'content-length',
  'content-encoding',
  'content-language',
  'content-location',
];
// Fetch itself drops only `authorization` across origins; a cookie is a credential for its origin too.
const ORIGIN_CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'cookie'];

/**
 * Creates a `fetch` for URLs that a model (or any untrusted input) may choose: it refuses loopback,
 * private, link-local (the cloud metadata address `169.254.169.254`), carrier-grade NAT, unique-local,
 * multicast and reserved addresses, IPv4-mapped and other IPv4-embedding forms of them included (see
 * `classifyAddress`), unless `allowHosts` or `allowPrivateNetwork` allows them.
 *
 * Every address a host name resolves to is checked when the socket connects (an undici `connect.lookup`
 * hook), so a name pointing at a private address, or re-pointed there after a first check (DNS
 * rebinding), is refused. An IP literal in a URL is checked before anything is sent. Redirects are
 * followed here (at most `maxRedirects`), each hop checked the same way: 303, and 301/302 after POST,
 * become a body-less GET; `authorization`, `proxy-authorization` and `cookie` are dropped when a redirect
 * changes origin. `redirect: 'manual'` returns the 3xx response; `'error'` rejects on one.
 *
 * The request body is read into memory once, so a 307/308 can send it again. The response is undici's;
 * its `url` is the final URL.
 *
 * @throws BlockedAddressError (code `blocked_address`, rejected) for a refused target; nothing was sent.
 * @throws TypeError (rejected, as `fetch` does) for a URL that is not http: or https: (on any hop), too
 *   many redirects, a redirect under `redirect: 'error'`, and network failures.
 * @throws RangeError / TypeError from `createSafeFetch` itself for a bad `maxRedirects` or `allowHosts`.
 */
export function createSafeFetch(options: SafeFetchOptions = {}): SafeFetch {
  const allowPrivateNetwork = options.allowPrivateNetwork ?? SAFE_FETCH_DEFAULTS.allowPrivateNetwork;
  const allowHosts = (options.allowHosts ?? SAFE_FETCH_DEFAULTS.allowHosts).map(parseAllowedHost);
  const maxRedirects = options.maxRedirects ?? SAFE_FETCH_DEFAULTS.maxRedirects;
  if (!Number.isInteger(maxRedirects) || maxRedirects < 0) {
    throw new RangeError(`maxRedirects must be an integer >= 0, got ${maxRedirects}`);
  }
  const lookup = options.lookup ?? SAFE_FETCH_DEFAULTS.lookup;
  const mayReachPrivate = (url: URL): boolean =>
    allowPrivateNetwork || allowHosts.some((allowed) => allowsHost(allowed, url));

  // undici keeps one pool per origin, so the origin (with its port, which `lookup` never sees) decides
  // once whether that pool's sockets check what they resolve.
  const agent = new Agent({
    factory: (origin, agentOptions) => {
      const target = new URL(String(origin));
      return new Pool(origin, {
        ...(agentOptions as Pool.Options),
        connect: {
          ...options.connect,
          lookup: mayReachPrivate(target) ? lookup : guardLookup(lookup, target.host),
        },
      });
    },
  });

  async function send(hop: Hop, signal: AbortSignal): Promise<Response> {
    try {
      const response = await undiciFetch(hop.url, {
        method: hop.method,
        headers: [...hop.headers],
        body: hop.body,
        signal,
        redirect: 'manual',
        dispatcher: agent,
      });
      // undici's Response implements the same WHATWG interface as Node's global one.
      return response as unknown as Response;
    } catch (error) {
      // undici reports a refused connect as `TypeError('fetch failed', { cause })`: surface the refusal.
      throw refusalIn(error) ?? error;
    }
  }

  function checkTarget(url: URL): void {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new TypeError(`A safe fetch only fetches http: and https: URLs; refused a ${url.protocol} URL.`);
    }
    // Node's net.connect never calls `lookup` for an IP literal, so literals are checked here.
    const literal = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    if (isIP(literal) === 0 || mayReachPrivate(url)) return;
    const kind = classifyAddress(literal);
    if (kind !== 'public')
      throw new BlockedAddressError({ host: url.host, address: literal, kind: kind ?? 'reserved' });
  }

  const safeFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    let hop: Hop = {
      url: new URL(request.url),
      method: request.method,
      headers: new Headers(request.headers),
      body: request.body === null ? null : new Uint8Array(await request.arrayBuffer()),
    };
    for (let redirects = 0; ; redirects++) {
      checkTarget(hop.url);
      const response = await send(hop, request.signal);
      const location = REDIRECT_STATUSES.has(response.status) ? response.headers.get('location') : null;
      if (location === null || request.redirect === 'manual') return response;
      await response.body?.cancel();
      if (request.redirect === 'error') {
        throw new TypeError(`Redirected (${response.status}) while the request's redirect mode is "error".`);
      }
      if (redirects === maxRedirects) throw new TypeError(`More than ${maxRedirects} redirects.`);
      hop = redirectHop(hop, response.status, new URL(location, hop.url));
    }
  };
  let closing: Promise<void> | undefined;
  return Object.assign(safeFetch, {
    close(): Promise<void> {
      closing ??= agent.close();
      return closing;
    },
  });
}

/**
 * Wraps a DNS lookup so that it fails with a {@link BlockedAddressError} when any address it returns is
 * not public (one private answer among public ones is refused too: the socket could pick it).
 * @param host the URL's host, for the error.
 */
export function guardLookup(lookup: LookupFunction, host: string): LookupFunction {
  return (hostname, lookupOptions, callback) => {
    lookup(hostname, lookupOptions, (error, address, family) => {
      if (error) {
        callback(error, address, family);
        return;
      }
      const addresses = typeof address === 'string' ? [address] : address.map((entry) => entry.address);
      for (const candidate of addresses) {
        // A lookup answering something that is not an IP address is broken: refuse rather than guess.
        const kind = classifyAddress(candidate) ?? 'reserved';
        if (kind !== 'public') {
          callback(new BlockedAddressError({ host, address: candidate, kind }), '');
          return;
        }
      }
      callback(null, address, family);
    });
  };
}

function redirectHop(hop: Hop, status: number, url: URL): Hop {
  const headers = new Headers(hop.headers);
  let { method, body } = hop;
  if (
    (status === 303 && method !== 'GET' && method !== 'HEAD') ||
    ((status === 301 || status === 302) && method === 'POST')
  ) {
    method = 'GET';
    body = null;
    for (const name of BODY_HEADERS) headers.delete(name);
  }
  if (url.origin !== hop.url.origin) for (const name of ORIGIN_CREDENTIAL_HEADERS) headers.delete(name);
  return { url, method, headers, body };
}

function refusalIn(error: unknown): BlockedAddressError | undefined {
  let current = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    if (BlockedAddressError.is(current)) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function parseAllowedHost(entry: string): AllowedHost {
  // `[v6]:port`, `[v6]`, a bare IPv6 address (no port possible), `host:port` or `host`.
  const match =
    isIP(entry) === 6
      ? ['', `[${entry}]`]
      : /^(\[[0-9a-fA-F:.]+\]|[^:/?#@\\\s[\]]+)(?::(\d{1,5}))?$/.exec(entry);
  const host = match?.[1];
  const port = match?.[2];
  let hostname: string | undefined;
  try {
    if (host) hostname = new URL(`http://${host}/`).hostname;
  } catch (error) {
    throw new TypeError(`allowHosts entry "${entry}" is not a host or host:port.`, { cause: error });
  }
  if (hostname === undefined || (port !== undefined && Number(port) > 65_535)) {
    throw new TypeError(`allowHosts entry "${entry}" is not a host or host:port.`);
  }
  return { hostname, port: port === undefined ? undefined : String(Number(port)) };
}

function allowsHost(allowed: AllowedHost, url: URL): boolean {
  if (allowed.hostname !== url.hostname) return false;
  if (allowed.port === undefined) return true;
  return allowed.port === (url.port !== '' ? url.port : url.protocol === 'https:' ? '443' : '80');
}
