import { safeJsonParse } from '@chatloop/protocol';

/** A repair applied to a model's malformed arguments text. */
export type ArgumentsRepair =
  | 'empty_as_object'
  | 'null_as_object'
  | 'code_fence_removed'
  | 'trailing_commas_removed'
  | 'double_encoded'
  | 'duplicate_object_removed';

/** The outcome of {@link parseToolArguments}. */
export type ParsedToolArguments =
  | { readonly ok: true; readonly value: unknown; readonly repairs: readonly ArgumentsRepair[] }
  | { readonly ok: false; readonly message: string };

function tryParse(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: safeJsonParse(text) };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

/** Removes commas followed (after whitespace) by `}` or `]`, outside strings. */
function removeTrailingCommas(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      out += char;
      if (char === '\\') {
        out += text[i + 1] ?? '';
        i++;
      } else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') inString = true;
    if (char === ',') {
      let j = i + 1;
      while (j < text.length && /\s/.test(text[j] ?? '')) j++;
      if (text[j] === '}' || text[j] === ']') continue;
    }
    out += char;
  }
  return out;
}

/** Splits `{...}{...}` (top-level objects back to back) into its objects; undefined if not that shape. */
function splitConcatenatedObjects(text: string): string[] | undefined {
  const parts: string[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      if (char === '\\') i++;
      else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') inString = true;
    else if (char === '{') {
      if (depth === 0) start = i;
      depth++;
    } else if (char === '}') {
      depth--;
      if (depth < 0) return undefined;
      if (depth === 0) parts.push(text.slice(start, i + 1));
    } else if (depth === 0 && !/\s/.test(char ?? '')) return undefined;
  }
  return depth === 0 && parts.length > 1 ? parts : undefined;
}

/**
 * Parses the arguments text a model wrote for a tool call, prototype-safely (`safeJsonParse`: `__proto__`
 * and `constructor.prototype` keys are removed). When the text is not JSON, only repairs that cannot
 * change what the model meant are tried: empty text or `null` as `{}` (a call without arguments), a
 * Markdown code fence around the JSON, trailing commas, a JSON string holding the JSON object (double
 * encoding), and the same object written twice back to back (a known streaming duplication). Truncated
 * JSON is never completed: a half-written call must not run.
 */
export function parseToolArguments(text: string): ParsedToolArguments {
  const repairs: ArgumentsRepair[] = [];
  let source = text.trim();
  if (source === '') return { ok: true, value: {}, repairs: ['empty_as_object'] };
  const fenced = /^```[a-zA-Z]*\s*\n?([\s\S]*?)\n?\s*```$/.exec(source);
  if (fenced) {
    source = (fenced[1] ?? '').trim();
    repairs.push('code_fence_removed');
  }
  let parsed = tryParse(source);
  if (!parsed.ok) {
    const withoutCommas = removeTrailingCommas(source);
    if (withoutCommas !== source) {
      const retry = tryParse(withoutCommas);
      if (retry.ok) {
        parsed = retry;
        repairs.push('trailing_commas_removed');
      }
    }
  }
  if (!parsed.ok) {
    const parts = splitConcatenatedObjects(source);
    if (parts?.every((part) => part === parts[0])) {
      const retry = tryParse(parts[0] ?? '');
      if (retry.ok) {
        parsed = retry;
        repairs.push('duplicate_object_removed');
      }
    }
  }
  if (!parsed.ok) return { ok: false, message: parsed.message };
  let value = parsed.value;
  if (typeof value === 'string' && /^\s*\{/.test(value)) {
    const inner = tryParse(value);
    if (inner.ok && typeof inner.value === 'object' && inner.value !== null) {
      value = inner.value;
      repairs.push('double_encoded');
    }
  }
  if (value === null) {
    value = {};
    repairs.push('null_as_object');
  }
  return { ok: true, value, repairs };
}
