import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import type { ChatCompletionRequest } from '@chatloop/protocol';
import { encodeSseEvent, SSE_DONE_EVENT, safeJsonParse } from '@chatloop/protocol';
import { type ApiErrorResponse, apiError } from './api-error.js';
import { resolveReply, toChunks, toCompletion } from './reply-builder.js';
import { echoModel, ScriptExhaustedError, type ScriptedModel } from './scripted-model.js';
import { countPromptTokens } from './token-count.js';
import { UsageLedger } from './usage-ledger.js';
import { type ServerProfile, validateRequest } from './validate-request.js';

/** Options of {@link startServer}. */
export interface ServerOptions {
  /** Scripted models by name. Any other model name is answered by `defaultModel`. */
  models?: Record<string, ScriptedModel>;
  /** Answers model names without a script. Default: an echo model (repeats the last message's text). */
  defaultModel?: ScriptedModel;
  /** Whose rules to enforce. Default `openai`. */
  profile?: ServerProfile;
  /** Reject malformed requests and transcripts with the real API's 400 bodies. Default `true`. */
  validate?: boolean;
  /** Require `Authorization: Bearer <apiKey>`; answer 401 otherwise. Default: no key needed. */
  apiKey?: string;
  /** Context window (tokens) of models that set none. Default 128000. */
  contextWindow?: number;
  /** Pause between stream chunks, in ms. Default 0 (each chunk still is its own write). */
  chunkDelayMs?: number;
  /** Port to listen on. Default 0 (any free port). */
  port?: number;
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Clock in ms since the epoch (for `created`, `receivedAt`, rate-limit windows). Default `Date.now`. */
  now?: () => number;
}

/** Defaults of {@link ServerOptions}. */
export const SERVER_DEFAULTS = {
  profile: 'openai',
  validate: true,
  contextWindow: 128_000,
  chunkDelayMs: 0,
  port: 0,
  host: '127.0.0.1',
} as const;

/** A request the server received, for assertions. */
export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. `/v1/chat/completions`. */
  path: string;
  /** Lower-cased header names; `authorization`, `api-key` and similar values are `[redacted]`. */
  headers: Record<string, string>;
  /** The parsed JSON body, the raw text when it was not JSON, or `undefined` when empty. */
  body: unknown;
  /** When it arrived, in ms since the epoch (from the `now` option). */
  receivedAt: number;
}

/** A running test server. */
export interface TestServer {
  /** Base URL for clients, ending in `/v1`, e.g. `http://127.0.0.1:54321/v1`. */
  readonly url: string;
  readonly port: number;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** Usage of every answer served. */
  readonly ledger: UsageLedger;
  /** Ends open streams and connections, stops listening; resolves when nothing is left. */
  close(): Promise<void>;
}

const REDACTED_HEADERS = new Set(['authorization', 'proxy-authorization', 'api-key', 'x-api-key', 'cookie']);

function redactHeaders(headers: IncomingMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = REDACTED_HEADERS.has(name) ? '[redacted]' : Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of request) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: safeJsonParse(text) };
  } catch {
    return { ok: false };
  }
}

/** Per-request state: aborted when the client goes away or the server closes. */
interface Exchange {
  /** Position in `requests`, set once the body has been read. */
  index: number;
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly signal: AbortSignal;
  readonly requestId: string;
  headers: Record<string, string>;
}

/**
 * Starts an OpenAI-compatible server on 127.0.0.1 (any free port by default): `POST
 * /v1/chat/completions` (plain and streamed) answered by scripted models, `GET /v1/models`.
 *
 * @example const server = await startServer({ models: { 'gpt-4o': scriptedModel([{ content: 'Hi' }]) } });
 */
export async function startServer(options: ServerOptions = {}): Promise<TestServer> {
  const profile = options.profile ?? SERVER_DEFAULTS.profile;
  const validate = options.validate ?? SERVER_DEFAULTS.validate;
  const contextWindow = options.contextWindow ?? SERVER_DEFAULTS.contextWindow;
  const chunkDelayMs = options.chunkDelayMs ?? SERVER_DEFAULTS.chunkDelayMs;
  const now = options.now ?? Date.now;
  const models = options.models ?? {};
  const defaultModel = options.defaultModel ?? echoModel();
  const requests: RecordedRequest[] = [];
  const ledger = new UsageLedger();
  const sockets = new Set<Socket>();
  const active = new Set<AbortController>();
  let sequence = 0;
  let closing = false;

  const modelFor = (name: string): ScriptedModel =>
    Object.hasOwn(models, name) ? models[name]! : defaultModel;

  const sendJson = (
    exchange: Exchange,
    status: number,
    body: unknown,
    extra: Record<string, string> = {},
  ) => {
    const text = JSON.stringify(body);
    exchange.response.writeHead(status, {
      ...exchange.headers,
      ...extra,
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(text)),
    });
    exchange.response.end(text);
  };

  const sendError = (exchange: Exchange, error: ApiErrorResponse) =>
    sendJson(exchange, error.status, error.body, error.headers);

  const checkAuth = (exchange: Exchange): ApiErrorResponse | undefined => {
    if (options.apiKey === undefined) return undefined;
    const header = exchange.request.headers.authorization;
    if (header === undefined || !header.startsWith('Bearer ')) {
      return apiError(
        401,
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
      );
    }
    if (header.slice('Bearer '.length) !== options.apiKey) {
      return apiError(401, 'Incorrect API key provided.', { code: 'invalid_api_key' });
    }
    return undefined;
  };

  const listModels = (exchange: Exchange) => {
    const created = Math.floor(now() / 1000);
    const data = Object.keys(models).map((id) => ({ id, object: 'model', created, owned_by: 'chatloop' }));
    sendJson(exchange, 200, { object: 'list', data });
  };

  const streamChunks = async (exchange: Exchange, events: string[]): Promise<boolean> => {
    const { response, signal } = exchange;
    response.writeHead(200, {
      ...exchange.headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    response.flushHeaders();
    for (const event of events) {
      if (chunkDelayMs > 0) await delay(chunkDelayMs, undefined, { signal });
      if (signal.aborted) return false;
      response.write(event);
    }
    response.end();
    return true;
  };

  const handleChat = async (exchange: Exchange, text: string) => {
    const parsed = parseJson(text);
    if (!parsed.ok) {
      sendError(
        exchange,
        apiError(
          400,
          "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
        ),
      );
      return;
    }
    let request: ChatCompletionRequest;
    let promptTokens: number;
    if (validate) {
      const result = validateRequest(parsed.value, {
        profile,
        modelInfo: (name) => {
          const model = modelFor(name);
          return { contextWindow: model.contextWindow ?? contextWindow, thinking: model.thinking ?? false };
        },
      });
      if (!result.ok) {
        sendError(exchange, result.error);
        return;
      }
      request = result.request;
      promptTokens = result.promptTokens;
    } else {
      request = parsed.value as ChatCompletionRequest;
      promptTokens = Array.isArray(request.messages) ? countPromptTokens(request) : 0;
    }
    let turn: Awaited<ReturnType<ScriptedModel['reply']>>;
    try {
      turn = await modelFor(request.model).reply(request);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const code = ScriptExhaustedError.is(error) ? error.code : 'scripted_model_error';
      sendError(exchange, apiError(500, message, { type: 'server_error', code }));
      return;
    }
    if (exchange.signal.aborted) return;
    const n = typeof request.n === 'number' ? request.n : 1;
    const reply = resolveReply(turn, {
      promptTokens,
      n,
      profile,
      newToolCallId: () => `call_${String(++sequence).padStart(6, '0')}`,
    });
    const meta = {
      id: `chatcmpl-${String(++sequence).padStart(6, '0')}`,
      created: Math.floor(now() / 1000),
      model: request.model,
      n,
    };
    const entry = ledger.add({
      requestIndex: exchange.index,
      model: request.model,
      streamed: request.stream === true,
      usage: reply.usage,
      reported: false,
    });
    if (request.stream !== true) {
      sendJson(exchange, 200, toCompletion(reply, meta));
      entry.reported = true;
      return;
    }
    const includeUsage = request.stream_options?.include_usage === true;
    const events = toChunks(reply, meta, includeUsage).map((chunk) => encodeSseEvent(JSON.stringify(chunk)));
    events.push(SSE_DONE_EVENT);
    const completed = await streamChunks(exchange, events);
    entry.reported = completed && includeUsage;
  };

  const route = async (exchange: Exchange) => {
    const { request } = exchange;
    const text = await readBody(request);
    const path = request.url ?? '/';
    const parsed = text === '' ? undefined : parseJson(text);
    exchange.index = requests.length;
    requests.push({
      method: request.method ?? 'GET',
      path,
      headers: redactHeaders(request.headers),
      body: parsed === undefined ? undefined : parsed.ok ? parsed.value : text,
      receivedAt: now(),
    });
    const pathname = path.split('?')[0] ?? '/';
    const authError = checkAuth(exchange);
    if (authError !== undefined) return sendError(exchange, authError);
    if (request.method === 'POST' && pathname === '/v1/chat/completions') return handleChat(exchange, text);
    if (request.method === 'GET' && pathname === '/v1/models') return listModels(exchange);
    sendError(exchange, apiError(404, `Invalid URL (${request.method} ${pathname})`));
  };

  const server = createServer((request, response) => {
    const controller = new AbortController();
    active.add(controller);
    const requestId = `req_${String(++sequence).padStart(6, '0')}`;
    const exchange: Exchange = {
      index: -1,
      request,
      response,
      signal: controller.signal,
      requestId,
      headers: { 'x-request-id': requestId, 'openai-processing-ms': '1' },
    };
    response.on('close', () => {
      controller.abort();
      active.delete(controller);
    });
    route(exchange).catch((error: unknown) => {
      if (controller.signal.aborted) return;
      if (response.headersSent) {
        response.destroy();
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      sendError(exchange, apiError(500, `The test server failed: ${message}`, { type: 'server_error' }));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    if (closing) socket.destroy();
  });

  const host = options.host ?? SERVER_DEFAULTS.host;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? SERVER_DEFAULTS.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://${host}:${port}/v1`,
    port,
    requests,
    ledger,
    close() {
      closing = true;
      for (const controller of active) controller.abort();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      // Handles are released in the loop's close-callbacks phase, which follows the check phase: the
      // second setImmediate runs after it.
      return closed.then(() => new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve))));
    },
  };
}
