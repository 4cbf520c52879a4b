import PQueue from 'p-queue';
import { LimiterCapacityError, QueueFullError, QueueTimeoutError } from './limiter-errors.js';
import { defaultSleep, type Sleep } from './with-retries.js';

/** What one call asks of a {@link Limiter}. */
export interface LimiterAcquireOptions {
  /** The budget the call draws on, e.g. a provider and key (`openai:org-1`) or a deployment. */
  scope: string;
  /** Requests charged. Default 1. */
  requests?: number;
  /** Tokens charged up front: the estimated prompt plus the output limit. Default 0. */
  tokens?: number;
  /** Higher runs first among waiting calls. Default 0. */
  priority?: number;
  /** Aborting while waiting rejects with the signal's reason and leaves the queue at once. */
  signal?: AbortSignal;
}

/** The right to send one call; settle it with the real usage, then release it. */
export interface Permit {
  /** The scope it was granted on. */
  readonly scope: string;
  /** The tokens charged when granted (until {@link Permit.settle} corrects them). */
  readonly tokens: number;
  /** Corrects the token charge with what the call really used (prompt + completion tokens). */
  settle(usage: { tokens: number }): Promise<void>;
  /** Frees the concurrency slot. Idempotent; call it after success, error and abort alike. */
  release(): Promise<void>;
}

/**
 * The rate-limit port. The in-process {@link createLimiter} implements it now; a shared one (e.g. on
 * Redis, for many processes on one key) implements the same calls, so callers never change.
 */
export interface Limiter {
  /**
   * Waits for a permit on `scope` within its concurrency, requests and tokens budgets.
   * @throws QueueFullError, QueueTimeoutError, LimiterCapacityError, or the signal's reason on abort.
   */
  acquire(options: LimiterAcquireOptions): Promise<Permit>;
  /** Lets no call on `scope` start for `ms` milliseconds (e.g. a 429's retry-after). Calls in flight go on. */
  pause(scope: string, ms: number): Promise<void>;
}

/** Budgets of one scope. Every budget defaults to unlimited. */
export interface LimiterLimits {
  /** Requests started per window (a minute by default). */
  requestsPerMinute?: number;
  /** Tokens charged per window. */
  tokensPerMinute?: number;
  /** Permits held at once. */
  concurrency?: number;
  /** Calls allowed to wait; one more fails with `QueueFullError`. */
  maxQueueSize?: number;
  /** Longest wait for a permit, in ms; past it `QueueTimeoutError`. */
  maxQueueWaitMs?: number;
  /** The length of the rate window, in ms. Default 60,000 (scale it down in tests). */
  windowMs?: number;
}

/** Options of {@link createLimiter}. */
export interface InProcessLimiterOptions extends LimiterLimits {
  /** Budgets for particular scopes, over the defaults above. */
  scopes?: Readonly<Record<string, LimiterLimits>>;
  /** Clock in ms. Default `Date.now`. */
  now?: () => number;
  /** Default: a Node timer. */
  sleep?: Sleep;
}

/** The default budgets: unlimited, over a one-minute window. */
export const DEFAULT_LIMITER_LIMITS: Readonly<Required<LimiterLimits>> = Object.freeze({
  requestsPerMinute: Number.POSITIVE_INFINITY,
  tokensPerMinute: Number.POSITIVE_INFINITY,
  concurrency: Number.POSITIVE_INFINITY,
  maxQueueSize: Number.POSITIVE_INFINITY,
  maxQueueWaitMs: Number.POSITIVE_INFINITY,
  windowMs: 60_000,
});

/** What a scope is doing right now. */
export interface LimiterScopeStats {
  /** Permits granted and not released. */
  inFlight: number;
  /** Calls waiting for a permit. */
  queued: number;
  /** Requests charged in the current window. */
  requestsInWindow: number;
  /** Tokens charged in the current window (settled figures where known). */
  tokensInWindow: number;
  /** Milliseconds left of a pause, 0 when not paused. */
  pausedForMs: number;
}

/** The in-process limiter: a {@link Limiter} plus a look at each scope. */
export interface InProcessLimiter extends Limiter {
  /** The current figures of `scope`. */
  stats(scope: string): LimiterScopeStats;
}

interface Charge {
  at: number;
  requests: number;
  tokens: number;
}

interface Waiter {
  requests: number;
  tokens: number;
  priority: number;
  grant: (charge: Charge) => void;
}

class ScopeState {
  readonly limits: Required<LimiterLimits>;
  readonly queue: PQueue;
  readonly window: Charge[] = [];
  readonly waiters: Waiter[] = [];
  requestsInWindow = 0;
  tokensInWindow = 0;
  pausedUntil = 0;
  queued = 0;
  inFlight = 0;
  private pumping = false;
  private wakeController: AbortController | undefined;

  constructor(
    readonly scope: string,
    limits: Required<LimiterLimits>,
    private readonly now: () => number,
    private readonly sleep: Sleep,
  ) {
    this.limits = limits;
    this.queue = new PQueue({ concurrency: limits.concurrency });
  }

  get tracksWindow(): boolean {
    return Number.isFinite(this.limits.requestsPerMinute) || Number.isFinite(this.limits.tokensPerMinute);
  }

  prune(now: number): void {
    const horizon = now - this.limits.windowMs;
    while (this.window.length > 0 && (this.window[0] as Charge).at <= horizon) {
      const old = this.window.shift() as Charge;
      this.requestsInWindow -= old.requests;
      this.tokensInWindow -= old.tokens;
    }
  }

  /** Milliseconds until `waiter` fits every budget (0 or less: now). */
  waitMs(waiter: Waiter): number {
    const now = this.now();
    this.prune(now);
    let wait = this.pausedUntil - now;
    const until = (used: number, charge: number, limit: number, pick: (c: Charge) => number): number => {
      if (!Number.isFinite(limit) || used + charge <= limit) return 0;
      let excess = used + charge - limit;
      for (const entry of this.window) {
        excess -= pick(entry);
        if (excess <= 0) return entry.at + this.limits.windowMs - now;
      }
      return this.limits.windowMs;
    };
    wait = Math.max(
      wait,
      until(this.requestsInWindow, waiter.requests, this.limits.requestsPerMinute, (c) => c.requests),
    );
    wait = Math.max(
      wait,
      until(this.tokensInWindow, waiter.tokens, this.limits.tokensPerMinute, (c) => c.tokens),
    );
    return wait;
  }

  charge(waiter: Waiter): Charge {
    const charge: Charge = { at: this.now(), requests: waiter.requests, tokens: waiter.tokens };
    if (this.tracksWindow) {
      this.window.push(charge);
      this.requestsInWindow += charge.requests;
      this.tokensInWindow += charge.tokens;
    }
    return charge;
  }

  settle(charge: Charge, tokens: number): void {
    if (this.window.includes(charge)) {
      this.tokensInWindow += tokens - charge.tokens;
      if (tokens < charge.tokens) this.wake();
    }
    charge.tokens = tokens;
  }

  /** Re-evaluates the head of the gate (after a settle, a pause, an abort or a new waiter). */
  wake(): void {
    this.wakeController?.abort();
  }

  /** Waits in priority order until the call fits the rate budgets, then charges it. */
  gate(waiter: Omit<Waiter, 'grant'>, signal: AbortSignal | undefined): Promise<Charge> {
    return new Promise<Charge>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = () => {
        const index = this.waiters.indexOf(entry);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(signal?.reason);
        this.wake();
      };
      const entry: Waiter = {
        ...waiter,
        grant: (charge) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(charge);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      let index = this.waiters.findIndex((other) => other.priority < entry.priority);
      if (index < 0) index = this.waiters.length;
      this.waiters.splice(index, 0, entry);
      if (this.pumping) this.wake();
      else void this.pump();
    });
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (this.waiters.length > 0) {
        const head = this.waiters[0] as Waiter;
        const waitMs = this.waitMs(head);
        if (waitMs <= 0) {
          this.waiters.shift();
          head.grant(this.charge(head));
          continue;
        }
        const controller = new AbortController();
        this.wakeController = controller;
        try {
          await this.sleep(waitMs, controller.signal);
        } catch {
          // Woken early: a budget or the queue changed; look again.
        } finally {
          this.wakeController = undefined;
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  stats(): LimiterScopeStats {
    const now = this.now();
    this.prune(now);
    return {
      inFlight: this.inFlight,
      queued: this.queued,
      requestsInWindow: this.requestsInWindow,
      tokensInWindow: this.tokensInWindow,
      pausedForMs: Math.max(0, this.pausedUntil - now),
    };
  }
}

class InProcessPermit implements Permit {
  private released = false;
  constructor(
    private readonly state: ScopeState,
    private readonly charged: Charge,
    private readonly onRelease: () => void,
  ) {}

  get scope(): string {
    return this.state.scope;
  }

  get tokens(): number {
    return this.charged.tokens;
  }

  async settle(usage: { tokens: number }): Promise<void> {
    if (Number.isFinite(usage.tokens) && usage.tokens >= 0) this.state.settle(this.charged, usage.tokens);
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.state.inFlight--;
    this.onRelease();
  }
}

/** The reason a queue-wait timer is cancelled with once the permit is granted (no DOMException made). */
const GRANTED = 'granted';

function validateLimits(limits: Required<LimiterLimits>): void {
  for (const [key, value] of Object.entries(limits)) {
    if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
      throw new RangeError(`limiter option ${key} must be a number >= 0, got ${String(value)}`);
    }
  }
  if (limits.concurrency < 1) throw new RangeError('limiter option concurrency must be >= 1');
  if (!Number.isFinite(limits.windowMs) || limits.windowMs <= 0) {
    throw new RangeError('limiter option windowMs must be a finite number > 0');
  }
}

/**
 * Creates the in-process {@link Limiter}: p-queue (9) holds the concurrency slots and orders waiting
 * calls by priority; a sliding window per scope keeps requests and tokens per window within budget,
 * correcting each token charge when the permit is settled; `pause` stops new permits on a scope.
 * @throws RangeError for a negative or NaN budget, a concurrency below 1 or a non-positive window.
 */
export function createLimiter(options: InProcessLimiterOptions = {}): InProcessLimiter {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const { scopes: scopeLimits = {}, now: _now, sleep: _sleep, ...defaults } = options;
  const base: Required<LimiterLimits> = { ...DEFAULT_LIMITER_LIMITS, ...stripUndefined(defaults) };
  validateLimits(base);
  for (const limits of Object.values(scopeLimits)) validateLimits({ ...base, ...stripUndefined(limits) });
  const scopes = new Map<string, ScopeState>();

  const stateOf = (scope: string): ScopeState => {
    let state = scopes.get(scope);
    if (state === undefined) {
      const limits = { ...base, ...stripUndefined(scopeLimits[scope] ?? {}) };
      state = new ScopeState(scope, limits, now, sleep);
      scopes.set(scope, state);
    }
    return state;
  };

  const acquire = async (request: LimiterAcquireOptions): Promise<Permit> => {
    const state = stateOf(request.scope);
    const { limits } = state;
    const requests = request.requests ?? 1;
    const tokens = request.tokens ?? 0;
    const priority = request.priority ?? 0;
    if (requests > limits.requestsPerMinute) {
      throw new LimiterCapacityError(request.scope, 'requests', requests, limits.requestsPerMinute);
    }
    if (tokens > limits.tokensPerMinute) {
      throw new LimiterCapacityError(request.scope, 'tokens', tokens, limits.tokensPerMinute);
    }
    request.signal?.throwIfAborted();
    if (state.queued >= limits.maxQueueSize) throw new QueueFullError(request.scope, limits.maxQueueSize);

    // One controller ends the wait, whoever ends it (the caller's signal or the queue-wait deadline);
    // it is never aborted after the grant, so p-queue keeps the slot until release. Without either
    // there is nothing to end the wait, and no controller or timer is made (the hot path).
    const hasDeadline = Number.isFinite(limits.maxQueueWaitMs);
    const control = request.signal !== undefined || hasDeadline ? new AbortController() : undefined;
    const onCallerAbort = () => control?.abort(request.signal?.reason);
    request.signal?.addEventListener('abort', onCallerAbort, { once: true });
    const deadline = hasDeadline ? new AbortController() : undefined;
    let waiting = true;
    const stopWaiting = () => {
      if (!waiting) return;
      waiting = false;
      request.signal?.removeEventListener('abort', onCallerAbort);
      deadline?.abort(GRANTED);
    };
    if (deadline !== undefined) {
      sleep(limits.maxQueueWaitMs, deadline.signal).then(
        () => control?.abort(new QueueTimeoutError(request.scope, limits.maxQueueWaitMs)),
        () => undefined,
      );
    }
    state.queued++;
    try {
      return await new Promise<Permit>((resolve, reject) => {
        state.queue
          .add(
            async () => {
              const charged = await state.gate({ requests, tokens, priority }, control?.signal);
              stopWaiting();
              state.inFlight++;
              await new Promise<void>((released) => {
                resolve(new InProcessPermit(state, charged, released));
              });
            },
            control === undefined ? { priority } : { priority, signal: control.signal },
          )
          .catch(reject);
      });
    } finally {
      state.queued--;
      stopWaiting();
    }
  };

  return {
    acquire,
    async pause(scope: string, ms: number): Promise<void> {
      if (!(ms > 0)) return;
      const state = stateOf(scope);
      state.pausedUntil = Math.max(state.pausedUntil, now() + ms);
      state.wake();
    },
    stats: (scope: string) => stateOf(scope).stats(),
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  const result: Partial<T> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (entry !== undefined) (result as Record<string, unknown>)[key] = entry;
  }
  return result;
}
