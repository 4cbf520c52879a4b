import type { ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { ChatCompletion, ChatCompletionChunk } from '@chatloop/protocol';
import { encodeSseEvent, SSE_DONE_EVENT } from '@chatloop/protocol';
import type { Fault } from './faults.js';

const INVALID_UTF8 = Buffer.from([0xff, 0xfe]);
const INVALID_UTF8_MARK = '\u2063chatloop-invalid-utf8\u2063';
/** Lines that are no SSE field a client expects: what a misbehaving proxy injects. */
const MALFORMED_LINES = '<html><body>upstream hiccup</body></html>\n{"not":"an sse field"}\n\n';
const DEFAULT_FRAME_ERROR = {
  message: 'The server had an error while processing your request. Sorry about that!',
  type: 'server_error',
  param: null,
  code: null,
};

/** Waits `ms` (nothing when 0); resolves `false` instead of throwing when `signal` aborts. */
async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  if (ms <= 0) return true;
  try {
    await delay(ms, undefined, { signal });
    return true;
  } catch {
    // Only an abort rejects: the client left or the server is closing.
    return false;
  }
}

/** Resolves when `signal` aborts: a request that never gets an answer. */
export function waitForAbort(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/** Destroys the connection once what was written has reached the socket, so the client sees it first. */
function dropAfterFlush(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    response.write('', () => {
      response.socket?.destroy();
      resolve();
    });
  });
}

/** Replaces the marker with bytes that are not UTF-8. */
function withInvalidBytes(text: string): Buffer {
  const at = text.indexOf(INVALID_UTF8_MARK);
  if (at < 0) return Buffer.from(text);
  return Buffer.concat([
    Buffer.from(text.slice(0, at)),
    INVALID_UTF8,
    Buffer.from(text.slice(at + INVALID_UTF8_MARK.length)),
  ]);
}

/** How streams are framed, to exercise every kind of SSE decoder. */
export interface SseStyle {
  /** Line ending of every line. Default `\n`; `\r\n` and `\r` are valid SSE too. */
  lineEnding?: '\n' | '\r\n' | '\r';
  /** Send comment lines (`: keep-alive`) before the first event and halfway, as proxies do. Default `false`. */
  comments?: boolean;
}

/** What the answer writers need besides the body. */
export interface WriteOptions {
  response: ServerResponse;
  /** Headers of every answer (request id, rate limits). */
  headers: Record<string, string>;
  signal: AbortSignal;
  fault: Fault | undefined;
  /** Pause between stream chunks (ms) unless the fault sets its own. */
  chunkDelayMs: number;
  /** Stream framing. Default: `\n` line endings, no comments. */
  sse?: SseStyle;
}

const KEEP_ALIVE_COMMENT = ': keep-alive\n\n';

/** Applies the framing style to the events (comments ride along with existing events, so counts hold). */
function styled(events: Array<string | Buffer>, style: SseStyle | undefined): Array<string | Buffer> {
  if (style === undefined) return events;
  const framed = events.map((event, index) => {
    if (typeof event !== 'string') return event;
    const comment = style.comments === true && (index === 0 || index === Math.floor(events.length / 2));
    return comment ? KEEP_ALIVE_COMMENT + event : event;
  });
  const ending = style.lineEnding ?? '\n';
  if (ending === '\n') return framed;
  return framed.map((event) => (typeof event === 'string' ? event.replace(/\n/g, ending) : event));
}

/**
 * Writes a non-streamed completion, applying the fault. Resolves `true` when the body went out whole.
 */
export async function writePlain(completion: ChatCompletion, options: WriteOptions): Promise<boolean> {
  const { response, fault } = options;
  if (fault?.kind === 'invalid-utf8') {
    const message = completion.choices[0]?.message;
    if (message !== undefined) message.content = INVALID_UTF8_MARK + (message.content ?? '');
  }
  const full =
    fault?.kind === 'error-frame'
      ? JSON.stringify({ error: fault.error ?? DEFAULT_FRAME_ERROR })
      : fault?.kind === 'malformed-sse'
        ? MALFORMED_LINES
        : JSON.stringify(completion);
  let body = withInvalidBytes(full);
  if (fault?.kind === 'truncate') body = body.subarray(0, Math.floor(body.length / 2));
  if (fault?.kind === 'malformed-chunk') body = body.subarray(0, body.length - 1);
  response.writeHead(200, {
    ...options.headers,
    'content-type': 'application/json',
    'content-length': String(body.length),
  });
  if (fault?.kind === 'drop') {
    response.write(body.subarray(0, Math.floor(body.length / 2)));
    await dropAfterFlush(response);
    return false;
  }
  response.end(body);
  return fault === undefined || fault.kind === 'slow';
}

function malformedEvent(chunk: ChatCompletionChunk): string {
  const json = JSON.stringify(chunk);
  return `data: ${json.slice(0, Math.floor(json.length / 2))}\n\n`;
}

function invalidUtf8Event(template: ChatCompletionChunk): Buffer {
  const chunk: ChatCompletionChunk = {
    ...template,
    choices: [{ index: 0, delta: { content: INVALID_UTF8_MARK }, logprobs: null, finish_reason: null }],
  };
  return withInvalidBytes(encodeSseEvent(JSON.stringify(chunk)));
}

/** The outcome of {@link writeStream}. */
export interface StreamOutcome {
  /** True when every event, the usage chunk and `[DONE]` went out. */
  complete: boolean;
}

/**
 * Streams `chunks` as SSE events followed by `[DONE]`, applying the fault (see {@link Fault}).
 * `deltaChunks` is how many leading chunks carry deltas (before the `finish_reason` chunks).
 */
export async function writeStream(
  chunks: ChatCompletionChunk[],
  deltaChunks: number,
  options: WriteOptions,
): Promise<StreamOutcome> {
  const { response, signal, fault } = options;
  const events: Array<string | Buffer> = chunks.map((chunk) => encodeSseEvent(JSON.stringify(chunk)));
  events.push(SSE_DONE_EVENT);
  let stopAt: number | undefined;
  let ending: 'end' | 'drop' | 'hang' = 'end';
  let tail: string | undefined;
  const first = chunks[0];
  switch (fault?.kind) {
    case 'drop':
      stopAt = fault.afterChunks ?? 0;
      ending = 'drop';
      break;
    case 'truncate':
      stopAt = Math.min(fault.afterChunks ?? Math.max(1, Math.floor(deltaChunks / 2)), deltaChunks);
      break;
    case 'hang':
      stopAt = fault.afterChunks ?? 1;
      ending = 'hang';
      break;
    case 'error-frame': {
      stopAt = fault.afterChunks ?? 1;
      const event = fault.event === undefined ? 'error' : (fault.event ?? undefined);
      tail = encodeSseEvent(JSON.stringify({ error: fault.error ?? DEFAULT_FRAME_ERROR }), event);
      break;
    }
    case 'malformed-chunk':
      if (first !== undefined)
        events.splice(Math.min(fault.afterChunks ?? 1, events.length - 1), 0, malformedEvent(first));
      break;
    case 'malformed-sse':
      events.splice(Math.min(fault.afterChunks ?? 1, events.length - 1), 0, MALFORMED_LINES);
      break;
    case 'invalid-utf8':
      if (first !== undefined) events.splice(1, 0, invalidUtf8Event(first));
      break;
    default:
      break;
  }
  stopAt = Math.min(stopAt ?? events.length, events.length);
  const framed = styled(events, options.sse);
  if (tail !== undefined) tail = styled([tail], options.sse)[0] as string;
  response.writeHead(200, {
    ...options.headers,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  response.flushHeaders();
  const chunkDelayMs = fault?.chunkDelayMs ?? options.chunkDelayMs;
  for (let i = 0; i < stopAt; i++) {
    if (!(await pause(chunkDelayMs, signal))) return { complete: false };
    response.write(framed[i]!);
  }
  if (ending === 'drop') {
    await dropAfterFlush(response);
    return { complete: false };
  }
  if (ending === 'hang') {
    await waitForAbort(signal);
    return { complete: false };
  }
  if (tail !== undefined) response.write(tail);
  response.end();
  return { complete: stopAt === events.length && tail === undefined };
}

/**
 * Answers the part of a fault that strikes before the model is asked: its `delayMs`, then a `status`
 * answer, a `drop` before the headers, or a plain request that `hang`s. Resolves `true` when the
 * request is done (answered, dropped, or abandoned by the client).
 */
export async function writeEarlyFault(
  fault: Fault,
  stream: boolean,
  options: WriteOptions,
): Promise<boolean> {
  const { response, signal } = options;
  if (!(await pause(fault.delayMs ?? 0, signal))) return true;
  if (fault.kind === 'status') {
    const body = fault.body ?? {
      error: { message: `Injected status ${fault.status}.`, type: 'server_error', param: null, code: null },
    };
    const isText = typeof body === 'string';
    const text = isText ? body : JSON.stringify(body);
    response.writeHead(fault.status, {
      ...options.headers,
      ...fault.headers,
      'content-type': isText ? 'text/html; charset=utf-8' : 'application/json',
      'content-length': String(Buffer.byteLength(text)),
    });
    response.end(text);
    return true;
  }
  if (fault.kind === 'drop' && (fault.afterChunks ?? 0) === 0) {
    response.socket?.destroy();
    return true;
  }
  if (fault.kind === 'hang' && !stream) {
    await waitForAbort(signal);
    return true;
  }
  return false;
}
