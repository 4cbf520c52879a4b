/** A breaker's state: `closed` lets calls through, `open` refuses them, `half-open` lets trial calls. */
export type CircuitState = 'closed' | 'open' | 'half-open';

/** Options of {@link createCircuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Consecutive failures that open the breaker. Default 5. */
  failureThreshold?: number;
  /** How long an open breaker refuses calls before a trial, in ms. Default 30,000. */
  cooldownMs?: number;
  /** Trial calls let through at once while half-open. Default 1. */
  halfOpenMaxCalls?: number;
  /** Clock in ms. Default `Date.now`. */
  now?: () => number;
}

/** The breaker defaults: open after 5 consecutive failures, one trial after 30 s. */
export const DEFAULT_CIRCUIT_BREAKER_OPTIONS = Object.freeze({
  failureThreshold: 5,
  cooldownMs: 30_000,
  halfOpenMaxCalls: 1,
});

/** A breaker's figures. */
export interface CircuitBreakerSnapshot {
  state: CircuitState;
  consecutiveFailures: number;
  /** When an open breaker allows a trial (ms since epoch), if open. */
  retryAt?: number;
}

/**
 * A circuit breaker for one deployment (base URL + model): it opens after repeated failures so callers
 * go elsewhere at once, half-opens after a cool-down to let a trial call through, and closes again on
 * that call's success (or reopens on its failure).
 */
export interface CircuitBreaker {
  /**
   * Whether a call may go now. True in `closed`; in `half-open` (entered once the cool-down passed) it
   * reserves one of the trial places, so pair every `true` with `onSuccess` or `onFailure`.
   */
  tryAcquire(): boolean;
  /** Records a success: closes the breaker and clears the failure count. */
  onSuccess(): void;
  /** Records a failure that says the deployment is unhealthy. */
  onFailure(): void;
  /** Gives back a half-open trial place without judging the deployment (e.g. the caller aborted). */
  onNeutral(): void;
  readonly state: CircuitState;
  snapshot(): CircuitBreakerSnapshot;
}

/**
 * Creates a {@link CircuitBreaker}.
 * @throws RangeError when a threshold or count is below 1 or the cool-down is negative.
 */
export function createCircuitBreaker(options: CircuitBreakerOptions = {}): CircuitBreaker {
  const failureThreshold = options.failureThreshold ?? DEFAULT_CIRCUIT_BREAKER_OPTIONS.failureThreshold;
  const cooldownMs = options.cooldownMs ?? DEFAULT_CIRCUIT_BREAKER_OPTIONS.cooldownMs;
  const halfOpenMaxCalls = options.halfOpenMaxCalls ?? DEFAULT_CIRCUIT_BREAKER_OPTIONS.halfOpenMaxCalls;
  const now = options.now ?? Date.now;
  if (!(failureThreshold >= 1)) throw new RangeError('failureThreshold must be >= 1');
  if (!(halfOpenMaxCalls >= 1)) throw new RangeError('halfOpenMaxCalls must be >= 1');
  if (!(cooldownMs >= 0)) throw new RangeError('cooldownMs must be >= 0');

  let state: CircuitState = 'closed';
  let consecutiveFailures = 0;
  let openedAt = 0;
  let trialsInFlight = 0;

  const current = (): CircuitState => {
    if (state === 'open' && now() - openedAt >= cooldownMs) {
      state = 'half-open';
      trialsInFlight = 0;
    }
    return state;
  };

  const open = () => {
    state = 'open';
    openedAt = now();
    trialsInFlight = 0;
  };

  return {
    tryAcquire(): boolean {
      const s = current();
      if (s === 'closed') return true;
      if (s === 'open') return false;
      if (trialsInFlight >= halfOpenMaxCalls) return false;
      trialsInFlight++;
      return true;
    },
    onSuccess(): void {
      consecutiveFailures = 0;
      state = 'closed';
      trialsInFlight = 0;
    },
    onFailure(): void {
      consecutiveFailures++;
      const s = current();
      if (s === 'half-open' || (s === 'closed' && consecutiveFailures >= failureThreshold)) open();
    },
    onNeutral(): void {
      if (state === 'half-open' && trialsInFlight > 0) trialsInFlight--;
    },
    get state() {
      return current();
    },
    snapshot(): CircuitBreakerSnapshot {
      const s = current();
      return s === 'open'
        ? { state: s, consecutiveFailures, retryAt: openedAt + cooldownMs }
        : { state: s, consecutiveFailures };
    },
  };
}
