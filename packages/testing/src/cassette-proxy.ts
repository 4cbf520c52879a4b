import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { Usage } from '@chatloop/protocol';
import { encodeSseEvent, safeJsonParse } from '@chatloop/protocol';
import { type ApiErrorResponse, apiError } from './api-error.js';
import {
  type Cassette,
  type CassetteExchange,
  DEFAULT_IGNORED_FIELDS,
  emptyCassette,
  exchangeKey,
  keptHeaders,
  loadCassette,
  saveCassette,
} from './cassette.js';
import { contentText } from './token-count.js';

/** Record mode: forward to a provider and save every exchange to a cassette. */
export interface RecordOptions {
  /** The provider's base URL, e.g. `https://api.openai.com/v1`; request paths after `/v1` are appended. */
  upstreamURL: string;
  /** Where to write the cassette (rewritten after each exchange). */
  cassettePath: string;
  /** Key for the provider. Default: the client's own `Authorization` header is forwarded. */
  apiKey?: string;
  /** Default: the global `fetch`. */
  fetch?: typeof fetch;
}

/** Replay mode: answer from a cassette, matching requests by content. */
export interface ReplayOptions {
  /** A cassette file path, or a cassette object. */
  cassette: string | Cassette;
  /** Body fields left out of matching. Default `['user', 'metadata']`. */
  ignoredFields?: readonly string[];
}

/** What the proxy needs of one HTTP exchange. */
export interface ProxyExchange {
  request: IncomingMessage;
  response: ServerResponse;
  signal: AbortSignal;
  /** Method, path and raw body of the request. */
  method: string;
  path: string;
  text: string;
  /** Headers the server adds to every answer (its request id). */
  headers: Record<string, string>;
  chunkDelayMs: number;
}

function parseBody(text: string): unknown {
  try {
    return safeJsonParse(text);
  } catch {
    return text;
  }
}

/** Splits SSE text into the `data` of each event (the whole text: the recording is complete). */
function sseEventsOf(text: string): string[] {
  return text
    .split(/\r\n\r\n|\n\n|\r\r/)
    .map((event) =>
      event
        .split(/\r\n|\n|\r/)
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).replace(/^ /, ''))
        .join('\n'),
    )
    .filter((data) => data !== '');
}

/** The usage of a recorded answer, if it reported one. */
export function usageOf(exchange: CassetteExchange): Usage | undefined {
  const { body, events } = exchange.response;
  if (exchange.response.status !== 200) return undefined;
  const candidates = events === undefined ? [body] : events.map(parseBody).reverse();
  for (const candidate of candidates) {
    const usage = (candidate as { usage?: unknown } | null)?.usage;
    if (typeof usage === 'object' && usage !== null && typeof (usage as Usage).prompt_tokens === 'number')
      return usage as Usage;
  }
  return undefined;
}

/** Forwards requests to a provider and records each exchange. */
export class CassetteRecorder {
  readonly cassette: Cassette = emptyCassette();
  readonly #options: RecordOptions;
  #saving: Promise<void> = Promise.resolve();

  constructor(options: RecordOptions) {
    this.#options = options;
  }

  /** Proxies one exchange; returns what was recorded. */
  async handle(exchange: ProxyExchange): Promise<CassetteExchange> {
    const fetchImpl = this.#options.fetch ?? fetch;
    const base = this.#options.upstreamURL.replace(/\/+$/, '');
    const url = base + exchange.path.replace(/^\/v1(?=\/|$)/, '');
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: exchange.request.headers.accept ?? '*/*',
    };
    const authorization =
      this.#options.apiKey === undefined
        ? exchange.request.headers.authorization
        : `Bearer ${this.#options.apiKey}`;
    if (authorization !== undefined) headers.authorization = authorization;
    const upstream = await fetchImpl(url, {
      method: exchange.method,
      headers,
      body: exchange.method === 'GET' || exchange.method === 'HEAD' ? undefined : exchange.text,
      signal: exchange.signal,
    });
    const kept = keptHeaders(upstream.headers);
    exchange.response.writeHead(upstream.status, { ...exchange.headers, ...kept });
    const recorded: CassetteExchange = {
      request: { method: exchange.method, path: exchange.path, body: parseBody(exchange.text) },
      response: { status: upstream.status, headers: kept },
    };
    const streamed = (upstream.headers.get('content-type') ?? '').includes('text/event-stream');
    if (streamed && upstream.body !== null) {
      const decoder = new TextDecoder();
      let text = '';
      for await (const piece of upstream.body) {
        exchange.response.write(piece);
        text += decoder.decode(piece, { stream: true });
      }
      text += decoder.decode();
      recorded.response.events = sseEventsOf(text);
      exchange.response.end();
    } else {
      const text = await upstream.text();
      exchange.response.end(text);
      recorded.response.body = text === '' ? undefined : parseBody(text);
    }
    this.cassette.exchanges.push(recorded);
    const snapshot = structuredClone(this.cassette);
    this.#saving = this.#saving.then(() => saveCassette(this.#options.cassettePath, snapshot));
    await this.#saving;
    return recorded;
  }

  /** Resolves once every recorded exchange is on disk. */
  flush(): Promise<void> {
    return this.#saving;
  }
}

function describe(method: string, path: string, body: unknown): string {
  const request = body as { model?: unknown; messages?: unknown } | null;
  const messages = Array.isArray(request?.messages)
    ? (request.messages as Array<{ role?: unknown; content?: unknown }>)
    : [];
  const last = messages[messages.length - 1];
  const lastText =
    last === undefined ? '' : `, last ${String(last.role)}: '${contentText(last.content).slice(0, 60)}'`;
  return `${method} ${path}, model '${String(request?.model)}', ${messages.length} message(s)${lastText}`;
}

/** Answers requests from a cassette; identical requests get their recorded answers in order. */
export class CassetteReplayer {
  readonly #byKey = new Map<string, { exchanges: CassetteExchange[]; next: number }>();
  readonly #ignored: readonly string[];
  readonly #size: number;
  readonly #source: string;

  constructor(options: ReplayOptions) {
    const cassette = typeof options.cassette === 'string' ? loadCassette(options.cassette) : options.cassette;
    this.#source = typeof options.cassette === 'string' ? options.cassette : 'the cassette';
    this.#ignored = options.ignoredFields ?? DEFAULT_IGNORED_FIELDS;
    this.#size = cassette.exchanges.length;
    for (const exchange of cassette.exchanges) {
      const key = exchangeKey(
        exchange.request.method,
        exchange.request.path,
        exchange.request.body,
        this.#ignored,
      );
      const slot = this.#byKey.get(key) ?? { exchanges: [], next: 0 };
      slot.exchanges.push(exchange);
      this.#byKey.set(key, slot);
    }
  }

  /** The recorded exchange for this request (the last one repeats), or the 400 that reports a miss. */
  find(method: string, path: string, text: string): CassetteExchange | ApiErrorResponse {
    const body = parseBody(text);
    const slot = this.#byKey.get(exchangeKey(method, path, body, this.#ignored));
    if (slot === undefined) {
      return apiError(
        400,
        `No recorded exchange in ${this.#source} matches this request (${describe(method, path, body)}). The cassette holds ${this.#size} exchange(s); record it again or check what changed in the request.`,
        { code: 'cassette_miss' },
      );
    }
    const exchange = slot.exchanges[Math.min(slot.next, slot.exchanges.length - 1)]!;
    slot.next += 1;
    return exchange;
  }

  /** Writes a recorded answer, streamed events `chunkDelayMs` apart. */
  async write(recorded: CassetteExchange, exchange: ProxyExchange): Promise<void> {
    const { response } = recorded;
    const headers = { ...response.headers, ...exchange.headers };
    if (response.events !== undefined) {
      exchange.response.writeHead(response.status, {
        ...headers,
        'content-type': 'text/event-stream; charset=utf-8',
      });
      exchange.response.flushHeaders();
      for (const data of response.events) {
        if (exchange.chunkDelayMs > 0)
          await delay(exchange.chunkDelayMs, undefined, { signal: exchange.signal });
        if (exchange.signal.aborted) return;
        exchange.response.write(encodeSseEvent(data));
      }
      exchange.response.end();
      return;
    }
    const text =
      response.body === undefined
        ? ''
        : typeof response.body === 'string'
          ? response.body
          : JSON.stringify(response.body);
    exchange.response.writeHead(response.status, {
      ...headers,
      'content-length': String(Buffer.byteLength(text)),
    });
    exchange.response.end(text);
  }
}
