import { safeJsonParse } from '@chatloop/protocol';
import { jsonrepair } from 'jsonrepair';

/** The outcome of {@link parseModelJson}. */
export type ModelJsonResult =
  | { ok: true; value: unknown; repaired: boolean }
  | { ok: false; message: string };

const FENCE = /```[ \t]*(?:json|JSON|jsonc|json5)?[ \t]*\r?\n?([\s\S]*?)(?:```|$)/;

/**
 * Finds the JSON inside a model's text: the first fenced code block when there is one (closed or not),
 * else the text from the first `{` or `[` to the last matching closer, else the trimmed text.
 */
export function locateJson(text: string): string {
  const fence = FENCE.exec(text);
  if (fence) return (fence[1] ?? '').trim();
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) return trimmed;
  const start = trimmed.search(/[{[]/);
  if (start < 0) return trimmed;
  const closer = trimmed[start] === '{' ? '}' : ']';
  const end = trimmed.lastIndexOf(closer);
  return end > start ? trimmed.slice(start, end + 1) : trimmed.slice(start);
}

/**
 * Parses a model's JSON output without calling the model again: a prototype-safe parse of the JSON found
 * in the text (see {@link locateJson}); when that fails, a local repair with `jsonrepair` (single quotes,
 * trailing commas, unquoted keys, a cut-off end, comments, ...) and a second safe parse. `__proto__`,
 * `constructor.prototype` keys never reach a prototype. Never throws.
 */
export function parseModelJson(text: string): ModelJsonResult {
  const candidate = locateJson(text);
  if (candidate.length === 0) return { ok: false, message: 'The output was empty; expected a JSON value.' };
  try {
    return { ok: true, value: safeJsonParse(candidate), repaired: false };
  } catch (parseError) {
    try {
      return { ok: true, value: safeJsonParse(jsonrepair(candidate)), repaired: true };
    } catch {
      const reason = parseError instanceof Error ? parseError.message : String(parseError);
      return { ok: false, message: `The output is not valid JSON (${reason}).` };
    }
  }
}
