import { Allow, parse } from 'partial-json';
import { locateJson } from './parse-model-json.js';

// Partial strings, arrays and objects only: a partial number (`12` of `123`) or literal (`tr`) would not
// be a prefix of the final value, so those appear only once complete.
const PREFIX_SAFE = Allow.STR | Allow.ARR | Allow.OBJ;
const UNSAFE_KEY = /"(?:__proto__|constructor|prototype)"/;

function plainCopy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plainCopy);
  if (typeof value !== 'object' || value === null) return value;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') continue;
    copy[key] = plainCopy((value as Record<string, unknown>)[key]);
  }
  return copy;
}

/**
 * Parses the JSON prefix a model has streamed so far into the largest value it determines, with
 * `partial-json` (chosen over `jsonrepair` here because it is built for prefixes: it drops an unfinished
 * key or number instead of guessing, so every partial is a prefix of the final value). Fenced blocks and
 * leading prose are skipped like in {@link locateJson}. Returns `undefined` while nothing is determined
 * yet. Keys named `__proto__`, `constructor` or `prototype` are dropped; the result is plain data.
 */
export function parsePartialObject(text: string): unknown {
  const candidate = locateJson(text);
  if (candidate.length === 0 || (candidate[0] !== '{' && candidate[0] !== '[')) return undefined;
  let value: unknown;
  try {
    value = parse(candidate, PREFIX_SAFE);
  } catch {
    return undefined;
  }
  return UNSAFE_KEY.test(candidate) ? plainCopy(value) : value;
}

/**
 * True when `partial` is a prefix of `final`: objects hold a subset of the keys, each value a prefix;
 * arrays are no longer and each element a prefix; strings are string prefixes; other values are equal.
 * Used to check streaming partials (and handy in callers' tests).
 */
export function isPrefixObject(partial: unknown, final: unknown): boolean {
  if (typeof partial === 'string') return typeof final === 'string' && final.startsWith(partial);
  if (Array.isArray(partial)) {
    if (!Array.isArray(final) || partial.length > final.length) return false;
    return partial.every((item, index) => isPrefixObject(item, final[index]));
  }
  if (typeof partial === 'object' && partial !== null) {
    if (typeof final !== 'object' || final === null || Array.isArray(final)) return false;
    const target = final as Record<string, unknown>;
    return Object.entries(partial).every(
      ([key, value]) => Object.hasOwn(target, key) && isPrefixObject(value, target[key]),
    );
  }
  return Object.is(partial, final);
}
