const brand = Symbol.for('chatloop.error');

/** Options accepted by every {@link ChatloopError}. */
export interface ChatloopErrorOptions {
  /** The underlying error, kept for inspection (never stringified into the message). */
  cause?: unknown;
}

/**
 * The base of every error chatloop throws. Each subclass has a stable `code`, so callers can branch on
 * `error.code` or on the static `is()` guards, which work across duplicate copies of the package
 * (they check a brand symbol, not `instanceof` alone).
 */
export class ChatloopError extends Error {
  /** A stable, machine-readable identifier for the kind of failure (e.g. `rate_limit`). */
  readonly code: string;

  constructor(code: string, message: string, options: ChatloopErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
    Object.defineProperty(this, brand, { value: true, enumerable: false });
  }

  /** True for any chatloop error, whichever copy of the package created it. */
  static is(value: unknown): value is ChatloopError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
  }

  /** A plain, serializable view: name, code, message, and the cause's name/code/message. */
  toJSON(): Record<string, unknown> {
    const json: Record<string, unknown> = { name: this.name, code: this.code, message: this.message };
    const cause = this.cause;
    if (cause instanceof Error) {
      json.cause = ChatloopError.is(cause) ? cause.toJSON() : { name: cause.name, message: cause.message };
    }
    return json;
  }
}

/**
 * Builds a guard for one error subclass that works across package copies: it matches the brand and the
 * stable `code`.
 */
export function errorGuard<T extends ChatloopError>(...codes: string[]): (value: unknown) => value is T {
  return (value: unknown): value is T => ChatloopError.is(value) && codes.includes(value.code);
}
