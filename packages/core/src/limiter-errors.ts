import { ChatloopError, errorGuard } from '@chatloop/protocol';

/** The limiter's queue for a scope already holds `maxQueueSize` waiting calls; the call was not queued. */
export class QueueFullError extends ChatloopError {
  /** The limiter scope whose queue is full. */
  readonly scope: string;
  /** The configured maximum of waiting calls. */
  readonly maxQueueSize: number;

  constructor(scope: string, maxQueueSize: number) {
    super(
      'queue_full',
      `The rate-limit queue for "${scope}" is full (${maxQueueSize} waiting); try later or raise maxQueueSize.`,
    );
    this.scope = scope;
    this.maxQueueSize = maxQueueSize;
  }
}

/** A call waited longer than `maxQueueWaitMs` for a permit and was dropped from the queue. */
export class QueueTimeoutError extends ChatloopError {
  /** The limiter scope. */
  readonly scope: string;
  /** The configured maximum wait, in ms. */
  readonly maxQueueWaitMs: number;

  constructor(scope: string, maxQueueWaitMs: number) {
    super(
      'queue_timeout',
      `Waited ${maxQueueWaitMs} ms for a rate-limit permit on "${scope}" without getting one; the call was not sent.`,
    );
    this.scope = scope;
    this.maxQueueWaitMs = maxQueueWaitMs;
  }
}

/** A call's charge exceeds a per-minute budget on its own, so it could never be admitted. */
export class LimiterCapacityError extends ChatloopError {
  /** The limiter scope. */
  readonly scope: string;
  /** Which budget: `requests` or `tokens`. */
  readonly budget: 'requests' | 'tokens';
  /** What the call asked for. */
  readonly requested: number;
  /** The per-window budget. */
  readonly limit: number;

  constructor(scope: string, budget: 'requests' | 'tokens', requested: number, limit: number) {
    super(
      'limiter_capacity',
      `A call charged ${requested} ${budget} but "${scope}" allows only ${limit} per window; lower the request's output limit or raise the budget.`,
    );
    this.scope = scope;
    this.budget = budget;
    this.requested = requested;
    this.limit = limit;
  }
}

/** True for a {@link QueueFullError}. */
export const isQueueFullError = errorGuard<QueueFullError>('queue_full');
/** True for a {@link QueueTimeoutError}. */
export const isQueueTimeoutError = errorGuard<QueueTimeoutError>('queue_timeout');
/** True for a {@link LimiterCapacityError}. */
export const isLimiterCapacityError = errorGuard<LimiterCapacityError>('limiter_capacity');
