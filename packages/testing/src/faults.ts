import type { ApiErrorObject } from '@chatloop/protocol';
import { safeJsonParse } from '@chatloop/protocol';
import { type ApiErrorResponse, apiError } from './api-error.js';

/** Timing that any fault may add: a pause before the headers, and between stream chunks. */
export interface FaultTiming {
  /** Wait this long (ms) before sending the status line and headers ("slow first byte"). */
  delayMs?: number;
  /** Wait this long (ms) before each stream chunk ("slow drip"). */
  chunkDelayMs?: number;
}

/**
 * A fault the server injects into one chat completion answer. `afterChunks` counts SSE events sent
 * before the fault strikes (the role chunk is the first).
 *
 * - `status`: answer `status` with `body` (an object is sent as JSON, a string as `text/html`, e.g. a
 *   proxy's 502 page) and `headers`; the model is not called.
 * - `slow`: a normal answer with only the timing of {@link FaultTiming}.
 * - `drop`: destroy the connection; plain answers before any byte (or, with `afterChunks > 0`, after
 *   half the body); streams after `afterChunks` events (default 0: before the headers).
 * - `truncate`: end cleanly but early: a plain JSON body cut in half; a stream after `afterChunks`
 *   events (default: half of them), without `finish_reason` and without `[DONE]`.
 * - `malformed-chunk`: a plain body that is not JSON; in a stream, one event whose JSON is cut,
 *   after `afterChunks` events (default 1), then the rest of the stream.
 * - `malformed-sse`: in a stream, after `afterChunks` events (default 1), lines that are not SSE
 *   fields (an HTML fragment, a bare JSON line without `data:`) followed by a blank line, then the
 *   rest; a spec-following decoder ignores them. A plain answer gets an HTML body with status 200.
 * - `invalid-utf8`: bytes that are not UTF-8 (0xFF 0xFE) inside the content, plain or streamed.
 * - `hang`: never answer (plain), or stop sending after `afterChunks` events (default 1) and keep the
 *   connection open until the client gives up or the server closes.
 * - `error-frame`: after `afterChunks` events (default 1), an error event
 *   (`event: error` unless `event: null`, `data: {"error": ...}`), then the stream ends without
 *   `[DONE]`; a plain request gets status 200 with the error body.
 */
export type Fault = FaultTiming &
  (
    | {
        kind: 'status';
        status: number;
        body?: string | Record<string, unknown>;
        headers?: Record<string, string>;
      }
    | { kind: 'slow' }
    | { kind: 'drop'; afterChunks?: number }
    | { kind: 'truncate'; afterChunks?: number }
    | { kind: 'malformed-chunk'; afterChunks?: number }
    | { kind: 'malformed-sse'; afterChunks?: number }
    | { kind: 'invalid-utf8' }
    | { kind: 'hang'; afterChunks?: number }
    | { kind: 'error-frame'; afterChunks?: number; error?: ApiErrorObject; event?: string | null }
  );

/** Every fault `kind`. */
export const FAULT_KINDS = [
  'status',
  'slow',
  'drop',
  'truncate',
  'malformed-chunk',
  'invalid-utf8',
  'hang',
  'error-frame',
] as const;

/** What a fault picker sees of the request. */
export interface FaultContext {
  /** 0-based index of this chat completion request among those the server received. */
  index: number;
  /** The parsed request body (unvalidated). */
  body: unknown;
}

/**
 * Which requests get which fault. Checked in this order: faults queued with
 * `TestServer.injectFault`, `sequence` by request index, `pick`, then the seeded `rate`.
 */
export interface FaultPlan {
  /** The i-th chat completion request gets `sequence[i]` (`null` for none). */
  sequence?: Array<Fault | null>;
  /** Chooses a fault per request (return `undefined` for none). */
  pick?: (context: FaultContext) => Fault | undefined;
  /** Probability (0..1) that a request gets a fault from `pool`, drawn from a seeded generator. */
  rate?: number;
  /** Seed of the generator for `rate`. Default 1. */
  seed?: number;
  /** Faults drawn from (uniformly) when `rate` strikes. Default: a 500, a 503, a drop and a truncation. */
  pool?: Fault[];
}

/** The default pool of seeded faults. */
export const DEFAULT_FAULT_POOL: readonly Fault[] = [
  {
    kind: 'status',
    status: 500,
    body: {
      error: {
        message: 'The server had an error while processing your request. Sorry about that!',
        type: 'server_error',
        param: null,
        code: null,
      },
    },
  },
  {
    kind: 'status',
    status: 503,
    body: {
      error: {
        message: 'The engine is currently overloaded, please try again later.',
        type: 'server_error',
        param: null,
        code: null,
      },
    },
  },
  { kind: 'drop', afterChunks: 0 },
  { kind: 'truncate' },
];

/** A small seeded generator (mulberry32): the same seed gives the same faults on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Picks faults per request according to a {@link FaultPlan}, plus faults queued at run time. */
export class FaultPicker {
  readonly #plan: FaultPlan;
  readonly #random: () => number;
  readonly #queued: Fault[] = [];

  constructor(plan: FaultPlan = {}) {
    this.#plan = plan;
    this.#random = seededRandom(plan.seed ?? 1);
  }

  /** Queues `fault` for the next `times` requests (default 1). */
  inject(fault: Fault, times = 1): void {
    for (let i = 0; i < times; i++) this.#queued.push(fault);
  }

  /** The fault for this request, if any. */
  pick(context: FaultContext): Fault | undefined {
    const queued = this.#queued.shift();
    if (queued !== undefined) return queued;
    const listed = this.#plan.sequence?.[context.index];
    if (listed !== undefined && listed !== null) return listed;
    const picked = this.#plan.pick?.(context);
    if (picked !== undefined) return picked;
    const rate = this.#plan.rate ?? 0;
    if (rate > 0 && this.#random() < rate) {
      const pool = this.#plan.pool ?? DEFAULT_FAULT_POOL;
      return pool[Math.floor(this.#random() * pool.length)];
    }
    return undefined;
  }
}

/** The name of the header in which a client may ask for a fault. */
export const FAULT_HEADER = 'x-chatloop-fault';

/** Reads a fault from the `x-chatloop-fault` header value, or the 400 that explains what is wrong. */
export function parseFaultHeader(value: string): { fault?: Fault; error?: ApiErrorResponse } {
  let parsed: unknown;
  try {
    parsed = safeJsonParse(value);
  } catch {
    parsed = undefined;
  }
  const kind = (parsed as { kind?: unknown } | null)?.kind;
  if (typeof parsed === 'object' && parsed !== null && (FAULT_KINDS as readonly unknown[]).includes(kind)) {
    return { fault: parsed as Fault };
  }
  return {
    error: apiError(
      400,
      `Invalid '${FAULT_HEADER}' header: expected a fault as JSON with a 'kind' of ${FAULT_KINDS.join(', ')}, e.g. {"kind":"status","status":503}.`,
      { param: FAULT_HEADER },
    ),
  };
}
