import type { UsageTotals } from './usage-totals.js';

const brand = Symbol.for('chatloop.agent.nestedRun');

/**
 * What a tool made by `agent.asTool()` returns: the nested run's answer, serialized for the model by
 * `toJSON`, and its usage, which the calling agent adds to its own totals.
 */
export interface NestedRunValue {
  readonly [brand]: true;
  readonly usage: UsageTotals;
  /** The nested run's typed output, or its text. */
  readonly answer: unknown;
  toJSON(): unknown;
}

/** Wraps a nested run's answer and usage as a tool return value. */
export function nestedRunValue(answer: unknown, usage: UsageTotals): NestedRunValue {
  return { [brand]: true, usage, answer, toJSON: () => answer };
}

/** The nested run carried by a tool's return value, if it is one. */
export function readNestedRun(value: unknown): NestedRunValue | undefined {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true
    ? (value as NestedRunValue)
    : undefined;
}
