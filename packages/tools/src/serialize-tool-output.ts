/** Options of {@link serializeToolOutput}. */
export interface SerializeToolOutputOptions {
  /** The most characters the text may have, marker included. Default 32,000 (~8k tokens). */
  maxChars?: number;
}

/** Defaults of {@link serializeToolOutput}. */
export const SERIALIZE_TOOL_OUTPUT_DEFAULTS = {
  maxChars: 32_000,
} as const satisfies Required<SerializeToolOutputOptions>;

/** What could not be represented exactly in JSON and was replaced. */
export type OutputProblem = 'bigint' | 'circular' | 'unserializable' | 'too_deep';

/** The text for the model, whether it was cut, and what had to be replaced. */
export interface SerializedToolOutput {
  /** The text (at most `maxChars` characters). */
  readonly text: string;
  /** True when the output was cut and ends with the truncation marker. */
  readonly truncated: boolean;
  /** Replacements made: BigInts as strings, circular references as `"[Circular]"`, ... */
  readonly problems: readonly OutputProblem[];
}

/** The text for a tool that returned `undefined`. */
export const NO_OUTPUT_TEXT = '(no output)';

const MAX_DEPTH = 100;

class OutputFull extends Error {}

class BoundedJsonWriter {
  readonly parts: string[] = [];
  length = 0;
  readonly problems = new Set<OutputProblem>();
  private readonly ancestors = new Set<object>();

  constructor(private readonly limit: number) {}

  private push(text: string): void {
    this.parts.push(text);
    this.length += text.length;
    if (this.length > this.limit) throw new OutputFull();
  }

  private string(text: string): void {
    // Never copy more of a huge string than could still fit.
    const room = this.limit - this.length + 1;
    this.push(JSON.stringify(text.length > room ? text.slice(0, room) : text));
  }

  private replaced(problem: OutputProblem, text: string): void {
    this.problems.add(problem);
    this.string(text);
  }

  /** Writes `value`; returns false (writing nothing) for what JSON omits: undefined, functions, symbols. */
  write(value: unknown, key: string, depth: number): boolean {
    let current = value;
    if (
      typeof current === 'object' &&
      current !== null &&
      typeof (current as { toJSON?: unknown }).toJSON === 'function'
    ) {
      try {
        current = (current as { toJSON(key: string): unknown }).toJSON(key);
      } catch (error) {
        this.replaced(
          'unserializable',
          `[Unserializable: ${error instanceof Error ? error.message : 'toJSON threw'}]`,
        );
        return true;
      }
    }
    switch (typeof current) {
      case 'string':
        this.string(current);
        return true;
      case 'number':
        this.push(Number.isFinite(current) ? String(current) : 'null');
        return true;
      case 'boolean':
        this.push(String(current));
        return true;
      case 'bigint':
        this.replaced('bigint', current.toString());
        return true;
      case 'undefined':
      case 'function':
      case 'symbol':
        return false;
    }
    if (current === null) {
      this.push('null');
      return true;
    }
    const object = current as object;
    if (this.ancestors.has(object)) {
      this.replaced('circular', '[Circular]');
      return true;
    }
    if (depth >= MAX_DEPTH) {
      this.replaced('too_deep', '[Too deep]');
      return true;
    }
    this.ancestors.add(object);
    try {
      if (object instanceof Error)
        this.entries(
          [
            ['name', object.name],
            ['message', object.message],
          ],
          depth,
        );
      else if (object instanceof Map)
        this.entries(
          [...object].map(([k, v]) => [String(k), v] as const),
          depth,
        );
      else if (object instanceof Set) this.array([...object], depth);
      else if (Array.isArray(object)) this.array(object, depth);
      else this.object(object as Record<string, unknown>, depth);
    } finally {
      this.ancestors.delete(object);
    }
    return true;
  }

  private array(items: readonly unknown[], depth: number): void {
    this.push('[');
    for (let i = 0; i < items.length; i++) {
      if (i > 0) this.push(',');
      if (!this.write(items[i], String(i), depth + 1)) this.push('null');
    }
    this.push(']');
  }

  private object(record: Record<string, unknown>, depth: number): void {
    this.push('{');
    let first = true;
    for (const key of Object.keys(record)) {
      let item: unknown;
      try {
        item = record[key];
      } catch (error) {
        item = `[Unserializable: ${error instanceof Error ? error.message : 'getter threw'}]`;
        this.problems.add('unserializable');
      }
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
      this.push(first ? '' : ',');
      first = false;
      this.push(`${JSON.stringify(key)}:`);
      this.write(item, key, depth + 1);
    }
    this.push('}');
  }

  private entries(pairs: ReadonlyArray<readonly [string, unknown]>, depth: number): void {
    this.object(Object.fromEntries(pairs), depth);
  }
}

function cut(text: string, length: number): string {
  let end = Math.max(0, length);
  const code = text.charCodeAt(end - 1);
  // Do not leave half a surrogate pair at the cut.
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return text.slice(0, end);
}

function truncate(text: string, maxChars: number, totalChars: number | undefined): string {
  const marker = (shown: number) =>
    totalChars === undefined
      ? `\n…[truncated: output exceeded ${maxChars} characters; showing the first ${shown}]`
      : `\n…[truncated: output was ${totalChars} characters; showing the first ${shown}]`;
  let shown = Math.max(0, maxChars - marker(maxChars).length);
  let head = cut(text, shown);
  shown = head.length;
  const end = marker(shown);
  head = cut(head, maxChars - end.length);
  return head + marker(head.length);
}

/**
 * Turns a tool's return value into the text the model reads. Strings stay as they are; anything else
 * becomes compact JSON written with a bounded writer (it stops once the cap is passed, so a huge result
 * never becomes a huge string): BigInts become decimal strings, circular references `"[Circular]"`,
 * throwing getters and `toJSON`s `"[Unserializable: …]"`, Maps objects, Sets arrays, Errors
 * `{ name, message }`; `undefined` at the top is {@link NO_OUTPUT_TEXT}. Text over `maxChars` is cut
 * and ends with a visible `…[truncated: …]` marker; the result never exceeds `maxChars`.
 */
export function serializeToolOutput(
  value: unknown,
  options: SerializeToolOutputOptions = {},
): SerializedToolOutput {
  const maxChars = Math.max(80, options.maxChars ?? SERIALIZE_TOOL_OUTPUT_DEFAULTS.maxChars);
  if (typeof value === 'string') {
    return value.length <= maxChars
      ? { text: value, truncated: false, problems: [] }
      : { text: truncate(value, maxChars, value.length), truncated: true, problems: [] };
  }
  const writer = new BoundedJsonWriter(maxChars);
  let full = true;
  try {
    if (!writer.write(value, '', 0)) return { text: NO_OUTPUT_TEXT, truncated: false, problems: [] };
  } catch (error) {
    if (!(error instanceof OutputFull)) throw error;
    full = false;
  }
  const text = writer.parts.join('');
  const problems = [...writer.problems];
  return full && text.length <= maxChars
    ? { text, truncated: false, problems }
    : { text: truncate(text, maxChars, undefined), truncated: true, problems };
}
