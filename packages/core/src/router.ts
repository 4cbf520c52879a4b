import {
  type ChatCompletionChunk,
  type ChatCompletionRequest,
  ChatloopError,
  errorGuard,
} from '@chatloop/protocol';
import type { ChatStream } from './chat-stream.js';
import { type CircuitBreaker, type CircuitBreakerOptions, createCircuitBreaker } from './circuit-breaker.js';
import type { ChatClient, RequestOptions } from './client.js';
import { AbortError, isAbortError, isContextLengthError, isInsufficientQuotaError } from './errors.js';
import { estimateRequestTokens } from './estimate-request-tokens.js';
import type { ChatResponse } from './response-meta.js';
import { classifyFailure } from './retry-policy.js';
import { createUsageTotals, type UsageTotals } from './usage-totals.js';

/** One place a router may send a request: a client and, optionally, the model to ask it for. */
export interface RouterTarget {
  client: ChatClient;
  /** The model sent to this target (replaces the request's). Default: the request's model. */
  model?: string;
  /** A name for events and health. Default `<baseURL>#<model>`. */
  name?: string;
  /** The model's context window, in tokens: after a context-length error only larger windows are tried. */
  contextWindow?: number;
  /** USD per million tokens, for the `cost` strategy. */
  pricing?: { inputPerMTok: number; outputPerMTok: number };
}

/** How a router orders its targets: as given, cheapest first, or fastest observed first. */
export type RouterStrategy = 'fallback' | 'cost' | 'latency';

/** Why a router moved on from a target. */
export type FallbackCause = 'retryable' | 'context-length' | 'insufficient-quota' | 'circuit-open';

/** What a router did. */
export type RouterEvent =
  | { type: 'route'; target: string; strategy: RouterStrategy }
  | { type: 'fallback'; from: string; to: string; cause: FallbackCause; error?: unknown }
  | { type: 'circuit'; target: string; state: 'open' | 'closed' };

/** Options of {@link createRouter}. */
export interface RouterOptions {
  /** Where requests may go, in order of preference for the `fallback` strategy. */
  targets: readonly RouterTarget[];
  /** Default `fallback`. */
  strategy?: RouterStrategy;
  /** The breaker of each deployment (base URL + model). */
  breaker?: Omit<CircuitBreakerOptions, 'now'>;
  /** Weight of the newest latency in the running average (0..1]. Default 0.3. */
  latencySmoothing?: number;
  /** Clock in ms (breakers). Default `Date.now`. */
  now?: () => number;
  /** Prompt + output token estimate for the `cost` strategy. Default `estimateRequestTokens`. */
  estimateTokens?: (request: ChatCompletionRequest) => number;
  /** Observes routing decisions, fallbacks (with their cause) and breaker changes. */
  onEvent?: (event: RouterEvent) => void;
}

/** Options of one routed call. */
export interface RouterRequestOptions extends RequestOptions {
  /** Tags the call's usage is also counted under. */
  tags?: readonly string[];
}

/** A target's observed health. */
export interface TargetHealth {
  name: string;
  circuit: CircuitBreaker['state'];
  /** Running average latency in ms (time to answer / first chunk), once observed. */
  latencyMs: number | undefined;
}

/** A streamed routed call: like `ChatStream`, falling back only before the first chunk was delivered. */
export interface RouterStream extends AsyncIterable<ChatCompletionChunk> {
  readonly textStream: AsyncIterable<string>;
  final(): Promise<ChatResponse>;
  abort(reason?: unknown): void;
}

/** Several clients or models behind one `chat`/`stream`, with fallback and selection. */
export interface Router {
  /** @throws the last target's typed error when every target failed, `NoHealthyTargetError` when none could be tried. */
  chat(request: ChatCompletionRequest, options?: RouterRequestOptions): Promise<ChatResponse>;
  stream(request: ChatCompletionRequest, options?: RouterRequestOptions): RouterStream;
  /** Usage of every successful routed call, by model and tag. */
  readonly usage: UsageTotals;
  health(): TargetHealth[];
}

/** Every target's circuit is open (or excluded), so the call was not sent anywhere. */
export class NoHealthyTargetError extends ChatloopError {
  constructor(message = 'No router target can take the call now: every circuit is open.', cause?: unknown) {
    super('no_healthy_target', message, cause === undefined ? {} : { cause });
  }
}

/** True for a {@link NoHealthyTargetError}. */
export const isNoHealthyTargetError = errorGuard<NoHealthyTargetError>('no_healthy_target');

/** Defaults of {@link RouterOptions}. */
export const ROUTER_DEFAULTS = Object.freeze({
  strategy: 'fallback' as RouterStrategy,
  latencySmoothing: 0.3,
});

interface TargetState {
  target: RouterTarget;
  name: string;
  breaker: CircuitBreaker;
  latencyMs: number | undefined;
  order: number;
}

/** Why an error moves the call on to the next target, or `undefined` when it should be thrown. */
export function fallbackCauseOf(error: unknown): Exclude<FallbackCause, 'circuit-open'> | undefined {
  if (isAbortError(error)) return undefined;
  if (isContextLengthError(error)) return 'context-length';
  if (isInsufficientQuotaError(error)) return 'insufficient-quota';
  return classifyFailure(error, Date.now()).retryable ? 'retryable' : undefined;
}

/**
 * Creates a router over several clients/models: it tries targets in strategy order, skipping any whose
 * circuit breaker (per base URL + model) is open, and falls back to the next on a retryable failure
 * (after that client's own retries), an insufficient-quota error, or a context-length error (then only
 * to targets with a larger `contextWindow`). Each fallback is reported with its cause.
 * @throws RangeError when `targets` is empty.
 */
export function createRouter(options: RouterOptions): Router {
  if (options.targets.length === 0) throw new RangeError('createRouter needs at least one target');
  const strategy = options.strategy ?? ROUTER_DEFAULTS.strategy;
  const smoothing = options.latencySmoothing ?? ROUTER_DEFAULTS.latencySmoothing;
  const now = options.now ?? Date.now;
  const estimate = options.estimateTokens ?? estimateRequestTokens;
  const emit = (event: RouterEvent) => {
    try {
      options.onEvent?.(event);
    } catch {
      // An observer's failure must not change routing.
    }
  };
  const breakers = new Map<string, CircuitBreaker>();
  const states: TargetState[] = options.targets.map((target, order) => {
    const key = `${target.client.baseURL}|${target.model ?? '*'}`;
    let breaker = breakers.get(key);
    if (breaker === undefined) {
      breaker = createCircuitBreaker({ ...options.breaker, now });
      breakers.set(key, breaker);
    }
    const name = target.name ?? `${target.client.baseURL}#${target.model ?? '*'}`;
    return { target, name, breaker, latencyMs: undefined, order };
  });
  const usage = createUsageTotals();

  const ordered = (request: ChatCompletionRequest): TargetState[] => {
    if (strategy === 'fallback') return states;
    const score = (state: TargetState): number => {
      if (strategy === 'latency') return state.latencyMs ?? 0;
      const pricing = state.target.pricing;
      if (pricing === undefined) return Number.POSITIVE_INFINITY;
      const output = request.max_completion_tokens ?? request.max_tokens ?? 0;
      const prompt = estimate(request) - (request.max_completion_tokens ?? request.max_tokens ?? 0);
      return prompt * pricing.inputPerMTok + output * pricing.outputPerMTok;
    };
    return [...states].sort((a, b) => score(a) - score(b) || a.order - b.order);
  };

  const observe = (state: TargetState, latencyMs: number) => {
    state.latencyMs =
      state.latencyMs === undefined ? latencyMs : state.latencyMs + smoothing * (latencyMs - state.latencyMs);
  };

  const judge = (state: TargetState, error: unknown, cause: FallbackCause | undefined) => {
    const before = state.breaker.state;
    if (cause === 'retryable') state.breaker.onFailure();
    else state.breaker.onNeutral();
    if (before !== 'open' && state.breaker.state === 'open')
      emit({ type: 'circuit', target: state.name, state: 'open' });
    void error;
  };

  const succeed = (state: TargetState) => {
    const before = state.breaker.state;
    state.breaker.onSuccess();
    if (before !== 'closed') emit({ type: 'circuit', target: state.name, state: 'closed' });
  };

  /**
   * Runs `attempt` on each target in turn. `attempt` returns the value, or throws; `canFallBack` says
   * whether a failure may still move on (a stream that delivered a chunk may not).
   */
  async function route<T>(
    request: ChatCompletionRequest,
    attempt: (state: TargetState, body: ChatCompletionRequest) => Promise<T>,
    canFallBack: () => boolean,
  ): Promise<T> {
    let previous: { name: string; cause: FallbackCause; error?: unknown; window?: number } | undefined;
    let lastError: unknown;
    let tried = false;
    for (const state of ordered(request)) {
      const window = state.target.contextWindow;
      if (
        previous?.cause === 'context-length' &&
        previous.window !== undefined &&
        window !== undefined &&
        window <= previous.window
      ) {
        continue;
      }
      if (!state.breaker.tryAcquire()) {
        previous ??= { name: state.name, cause: 'circuit-open' };
        continue;
      }
      if (previous !== undefined) {
        emit({
          type: 'fallback',
          from: previous.name,
          to: state.name,
          cause: previous.cause,
          ...(previous.error === undefined ? {} : { error: previous.error }),
        });
      } else {
        emit({ type: 'route', target: state.name, strategy });
      }
      tried = true;
      const body = state.target.model === undefined ? request : { ...request, model: state.target.model };
      try {
        const value = await attempt(state, body);
        succeed(state);
        return value;
      } catch (error) {
        const cause = fallbackCauseOf(error);
        judge(state, error, cause);
        lastError = error;
        if (cause === undefined || !canFallBack()) throw error;
        previous = { name: state.name, cause, error, ...(window === undefined ? {} : { window }) };
      }
    }
    if (!tried) throw new NoHealthyTargetError();
    throw lastError;
  }

  const record = (response: ChatResponse, tags: readonly string[] | undefined) => {
    usage.add(response.usage, { model: response.model, ...(tags === undefined ? {} : { tags }) });
  };

  return {
    usage,
    health: () =>
      states.map((state) => ({ name: state.name, circuit: state.breaker.state, latencyMs: state.latencyMs })),
    async chat(request, callOptions = {}) {
      const { tags, ...requestOptions } = callOptions;
      const response = await route(
        request,
        async (state, body) => {
          const answer = await state.target.client.chat(body, requestOptions);
          observe(state, answer.meta.latencyMs);
          return answer;
        },
        () => true,
      );
      record(response, tags);
      return response;
    },
    stream(request, callOptions = {}) {
      const { tags, ...requestOptions } = callOptions;
      return new RoutedStream((signal, deliver) => {
        let delivered = false;
        return route(
          request,
          async (state, body) => {
            if (signal.aborted) throw signal.reason;
            const stream: ChatStream = state.target.client.stream(body, { ...requestOptions, signal });
            for await (const chunk of stream) {
              if (!delivered && stream.meta !== undefined) observe(state, stream.meta.latencyMs);
              delivered = true;
              await deliver(chunk);
              if (signal.aborted) throw signal.reason;
            }
            const response = await stream.final();
            record(response, tags);
            return response;
          },
          () => !delivered,
        );
      }, requestOptions.signal);
    },
  };
}

type Deliver = (chunk: ChatCompletionChunk) => Promise<void>;

/** Pull-based adapter over the push-style routed run: chunks are handed over one at a time. */
class RoutedStream implements RouterStream {
  readonly #run: (signal: AbortSignal, deliver: Deliver) => Promise<ChatResponse>;
  readonly #controller = new AbortController();
  readonly #callerSignal: AbortSignal | undefined;
  #started = false;
  #result: Promise<ChatResponse> | undefined;

  constructor(
    run: (signal: AbortSignal, deliver: Deliver) => Promise<ChatResponse>,
    signal: AbortSignal | undefined,
  ) {
    this.#run = run;
    this.#callerSignal = signal;
  }

  abort(reason?: unknown): void {
    if (!this.#controller.signal.aborted) {
      this.#controller.abort(new AbortError('The stream was aborted.', { cause: reason }));
    }
  }

  #signal(): AbortSignal {
    if (this.#started) throw new Error('This stream is already being consumed; iterate it once.');
    this.#started = true;
    const caller = this.#callerSignal;
    if (caller !== undefined) {
      if (caller.aborted) this.abort(caller.reason);
      else
        caller.addEventListener('abort', () => this.abort(caller.reason), {
          once: true,
          signal: this.#controller.signal,
        });
    }
    return this.#controller.signal;
  }

  final(): Promise<ChatResponse> {
    if (this.#result === undefined) {
      const signal = this.#signal();
      this.#result = this.#run(signal, async () => undefined);
    }
    return this.#result;
  }

  get textStream(): AsyncIterable<string> {
    const self = this;
    return {
      async *[Symbol.asyncIterator]() {
        for await (const chunk of self) {
          const content = chunk.choices[0]?.delta.content;
          if (typeof content === 'string' && content !== '') yield content;
        }
      },
    };
  }

  async *[Symbol.asyncIterator](): AsyncIterator<ChatCompletionChunk> {
    const signal = this.#signal();
    // A one-slot hand-over between the routed run (producer) and this generator (consumer).
    let slot: { chunk: ChatCompletionChunk; taken: () => void } | undefined;
    let wake: (() => void) | undefined;
    let finished = false;
    let failure: { error: unknown } | undefined;
    const deliver: Deliver = (chunk) =>
      new Promise<void>((taken) => {
        slot = { chunk, taken };
        wake?.();
      });
    const result = this.#run(signal, deliver).then(
      (response) => {
        finished = true;
        wake?.();
        return response;
      },
      (error: unknown) => {
        failure = { error };
        finished = true;
        wake?.();
        throw error;
      },
    );
    this.#result = result;
    result.catch(() => undefined);
    let completed = false;
    let handedOut: (() => void) | undefined;
    try {
      for (;;) {
        if (slot === undefined && !finished) {
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          wake = undefined;
        }
        if (slot !== undefined) {
          const { chunk, taken } = slot;
          slot = undefined;
          handedOut = taken;
          yield chunk;
          handedOut = undefined;
          taken();
          continue;
        }
        if (failure !== undefined) throw failure.error;
        if (finished) break;
      }
      completed = true;
    } finally {
      if (!completed && failure === undefined) {
        // The consumer left early: stop the request, let the producer see the abort, and wait for it.
        this.abort('the consumer stopped reading');
        handedOut?.();
        (slot as { taken: () => void } | undefined)?.taken();
        await result.catch(() => undefined);
      }
    }
  }
}
