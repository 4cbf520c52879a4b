import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { ChatCompletionRequest } from '@chatloop/protocol';
import { safeJsonParse } from '@chatloop/protocol';
import { type SseStyle, writeEarlyFault, writePlain, writeStream } from './answer-writer.js';
import { type ApiErrorResponse, apiError } from './api-error.js';
import { checkBearer } from './bearer-auth.js';
import type { CassetteExchange } from './cassette.js';
import {
  CassetteRecorder,
  CassetteReplayer,
  type RecordOptions,
  type ReplayOptions,
  usageOf,
} from './cassette-proxy.js';
import { FAULT_HEADER, type Fault, FaultPicker, type FaultPlan, parseFaultHeader } from './faults.js';
import { RateLimiter, type RateLimitOptions } from './rate-limit.js';
import { resolveReply, toChunks, toCompletion } from './reply-builder.js';
import { type RecordedRequest, readBody, redactHeaders } from './request-log.js';
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
  /** Stream framing: line endings (`\n`, `\r\n`, `\r`) and keep-alive comments. Default: `\n`, none. */
  sse?: SseStyle;
  /** Port to listen on. Default 0 (any free port). */
  port?: number;
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Rate-limit budgets (requests and tokens per window), with `x-ratelimit-*` headers and 429s. */
  rateLimit?: RateLimitOptions;
  /** Faults to inject, by request index, function or seeded rate. */
  faults?: FaultPlan;
  /**
   * Accept a fault per request in the `x-chatloop-fault` header (a {@link Fault} as JSON), so clients in
   * any language can ask for one. Default `true`.
   */
  faultHeader?: boolean;
  /**
   * Record mode: every `/v1/...` request is forwarded to `record.upstreamURL` and the exchange saved to
   * `record.cassettePath` (no request headers, so no key). Models, validation, faults and rate limits
   * are not applied.
   */
  record?: RecordOptions;
  /**
   * Replay mode: `/v1/...` requests are answered from a cassette, matched by method, path and body
   * content; a request without a match gets a 400 (`code: 'cassette_miss'`) that describes it.
   * @throws CassetteError from `startServer` when the cassette cannot be read.
   */
  replay?: ReplayOptions;
  /**
   * Keep every request in `requests` and every answer in `ledger.entries`. Default `true`; set `false`
   * for soak tests, where only the ledger totals are kept so memory stays flat.
   */
  recordRequests?: boolean;
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

/** A running test server. */
export interface TestServer {
  /** Base URL for clients, ending in `/v1`, e.g. `http://127.0.0.1:54321/v1`. */
  readonly url: string;
  readonly port: number;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** Usage of every answer served. */
  readonly ledger: UsageLedger;
  /** Queues `fault` for the next `times` chat completion requests (default 1), before any plan. */
  injectFault(fault: Fault, times?: number): void;
  /** Ends open streams and connections, stops listening; resolves when nothing is left. */
  close(): Promise<void>;
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
 * /v1/chat/completions` (plain and streamed) answered by scripted models, `GET /v1/models` and
 * `GET /v1/models/{id}` (the scripted names).
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
  const recordRequests = options.recordRequests ?? true;
  const ledger = new UsageLedger({ keepEntries: recordRequests });
  const sockets = new Set<Socket>();
  const active = new Set<AbortController>();
  const faults = new FaultPicker(options.faults);
  const limiter = options.rateLimit === undefined ? undefined : new RateLimiter(options.rateLimit, now);
  const faultHeader = options.faultHeader ?? true;
  const recorder = options.record === undefined ? undefined : new CassetteRecorder(options.record);
  const replayer = options.replay === undefined ? undefined : new CassetteReplayer(options.replay);
  let sequence = 0;
  let chatCount = 0;
  let received = 0;
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

  const listModels = (exchange: Exchange) => {
    const created = Math.floor(now() / 1000);
    const data = Object.keys(models).map((id) => ({ id, object: 'model', created, owned_by: 'chatloop' }));
    sendJson(exchange, 200, { object: 'list', data });
  };

  const retrieveModel = (exchange: Exchange, id: string) => {
    if (!Object.hasOwn(models, id)) {
      sendError(
        exchange,
        apiError(404, `The model '${id}' does not exist or you do not have access to it.`, {
          code: 'model_not_found',
        }),
      );
      return;
    }
    sendJson(exchange, 200, { id, object: 'model', created: Math.floor(now() / 1000), owned_by: 'chatloop' });
  };

  const handleChat = async (exchange: Exchange, parsed: { ok: true; value: unknown } | { ok: false }) => {
    const chatIndex = chatCount++;
    const header = exchange.request.headers[FAULT_HEADER];
    const fromHeader = faultHeader && typeof header === 'string' ? parseFaultHeader(header) : {};
    if (fromHeader.error !== undefined) {
      sendError(exchange, fromHeader.error);
      return;
    }
    const fault =
      fromHeader.fault ?? faults.pick({ index: chatIndex, body: parsed.ok ? parsed.value : undefined });
    const wantsStream =
      parsed.ok &&
      typeof parsed.value === 'object' &&
      parsed.value !== null &&
      (parsed.value as { stream?: unknown }).stream === true;
    if (
      fault !== undefined &&
      (await writeEarlyFault(fault, wantsStream, { ...exchange, chunkDelayMs, fault }))
    )
      return;
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
    if (limiter !== undefined) {
      const admission = limiter.admit(request.model, promptTokens);
      Object.assign(exchange.headers, admission.headers);
      if (admission.rejection !== undefined) {
        sendError(exchange, admission.rejection);
        return;
      }
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
    limiter?.addTokens(reply.usage.completion_tokens);
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
    const write = {
      response: exchange.response,
      headers: exchange.headers,
      signal: exchange.signal,
      fault,
      chunkDelayMs,
      sse: options.sse,
    };
    if (request.stream !== true) {
      entry.reported = await writePlain(toCompletion(reply, meta), write);
      return;
    }
    const includeUsage = request.stream_options?.include_usage === true;
    const chunks = toChunks(reply, meta, includeUsage);
    const deltaChunks = chunks.length - n - (includeUsage ? 1 : 0);
    const outcome = await writeStream(chunks, deltaChunks, write);
    entry.reported = outcome.complete && includeUsage;
  };

  const bookRecorded = (exchange: Exchange, recorded: CassetteExchange) => {
    const usage = usageOf(recorded);
    if (usage === undefined) return;
    const body = recorded.request.body as { model?: unknown } | null;
    ledger.add({
      requestIndex: exchange.index,
      model: typeof body?.model === 'string' ? body.model : '',
      streamed: recorded.response.events !== undefined,
      usage,
      reported: true,
    });
  };

  const handleCassette = async (exchange: Exchange, method: string, path: string, text: string) => {
    const proxyExchange = { ...exchange, method, path, text, chunkDelayMs };
    if (recorder !== undefined) {
      bookRecorded(exchange, await recorder.handle(proxyExchange));
      return;
    }
    const found = replayer!.find(method, path, text);
    if (!('request' in found)) {
      sendError(exchange, found);
      return;
    }
    await replayer!.write(found, proxyExchange);
    bookRecorded(exchange, found);
  };

  const route = async (exchange: Exchange) => {
    const { request } = exchange;
    const text = await readBody(request);
    const path = request.url ?? '/';
    const parsed = text === '' ? undefined : parseJson(text);
    exchange.index = received++;
    if (recordRequests) {
      requests.push({
        method: request.method ?? 'GET',
        path,
        headers: redactHeaders(request.headers),
        body: parsed === undefined ? undefined : parsed.ok ? parsed.value : text,
        receivedAt: now(),
      });
    }
    const pathname = path.split('?')[0] ?? '/';
    const authError = checkBearer(request.headers.authorization, options.apiKey);
    if (authError !== undefined) return sendError(exchange, authError);
    if ((recorder !== undefined || replayer !== undefined) && pathname.startsWith('/v1/')) {
      return handleCassette(exchange, request.method ?? 'GET', path, text);
    }
    if (request.method === 'POST' && pathname === '/v1/chat/completions')
      return handleChat(exchange, parsed ?? { ok: false });
    if (request.method === 'GET' && pathname === '/v1/models') return listModels(exchange);
    if (request.method === 'GET' && pathname.startsWith('/v1/models/')) {
      return retrieveModel(exchange, decodeURIComponent(pathname.slice('/v1/models/'.length)));
    }
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
      // Aborting builds a DOMException; only needed when the answer did not finish (client gone).
      if (!response.writableFinished) controller.abort();
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
    injectFault(fault, times) {
      faults.inject(fault, times);
    },
    async close() {
      closing = true;
      for (const controller of active) controller.abort();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      // Handles are released in the loop's close-callbacks phase, which follows the check phase: the
      // second setImmediate runs after it.
      await closed;
      await recorder?.flush();
      await new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));
    },
  };
}
