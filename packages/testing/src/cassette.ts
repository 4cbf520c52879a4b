import { readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { ChatloopError, safeJsonParse } from '@chatloop/protocol';

/** One recorded request and the answer it got. */
export interface CassetteExchange {
  request: {
    method: string;
    /** Path as the client sent it, e.g. `/v1/chat/completions`. */
    path: string;
    /** The JSON body (no headers are kept, so no key). */
    body: unknown;
  };
  response: {
    status: number;
    /** Only content-type, request id, rate-limit and retry headers are kept. */
    headers: Record<string, string>;
    /** The body of a non-streamed answer: JSON, or text when it was not JSON. */
    body?: unknown;
    /** The `data` of each SSE event of a streamed answer, `[DONE]` included. */
    events?: string[];
  };
}

/** A cassette file: exchanges in the order they were recorded. */
export interface Cassette {
  version: 1;
  exchanges: CassetteExchange[];
}

/** Thrown when a cassette file cannot be read or has the wrong shape. */
export class CassetteError extends ChatloopError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('invalid_cassette', message, options);
  }
}

/** Response headers a cassette keeps (exact names, or prefixes ending in `-`). */
export const KEPT_RESPONSE_HEADERS = [
  'content-type',
  'x-request-id',
  'openai-processing-ms',
  'retry-after',
  'retry-after-ms',
  'x-ratelimit-',
  'x-should-retry',
];

/** Keeps only the response headers worth replaying; never cookies or auth. */
export function keptHeaders(headers: Iterable<[string, string]>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    if (KEPT_RESPONSE_HEADERS.some((keep) => (keep.endsWith('-') ? lower.startsWith(keep) : lower === keep)))
      kept[lower] = value;
  }
  return kept;
}

/** JSON with object keys sorted at every level, so equal bodies give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, field]) => field !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, field]) => `${JSON.stringify(key)}:${canonicalJson(field)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Request fields that do not take part in matching by default. */
export const DEFAULT_IGNORED_FIELDS = ['user', 'metadata'] as const;

/** The key two requests must share to match: method, path and the body without `ignoredFields`. */
export function exchangeKey(
  method: string,
  path: string,
  body: unknown,
  ignoredFields: readonly string[],
): string {
  let matched = body;
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    matched = Object.fromEntries(Object.entries(body).filter(([key]) => !ignoredFields.includes(key)));
  }
  return `${method} ${path.split('?')[0]} ${canonicalJson(matched)}`;
}

/** An empty cassette. */
export function emptyCassette(): Cassette {
  return { version: 1, exchanges: [] };
}

/**
 * Reads a cassette file.
 * @throws CassetteError when the file is missing, not JSON, or not a cassette.
 */
export function loadCassette(path: string): Cassette {
  let value: unknown;
  try {
    value = safeJsonParse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new CassetteError(`Cannot read the cassette ${path}: it is missing or not JSON.`, { cause });
  }
  const exchanges = (value as { exchanges?: unknown } | null)?.exchanges;
  if ((value as { version?: unknown } | null)?.version !== 1 || !Array.isArray(exchanges)) {
    throw new CassetteError(
      `The file ${path} is not a cassette (expected { "version": 1, "exchanges": [...] }).`,
    );
  }
  exchanges.forEach((exchange: unknown, index) => {
    const { request, response } = (exchange ?? {}) as Partial<CassetteExchange>;
    if (
      typeof request?.method !== 'string' ||
      typeof request.path !== 'string' ||
      typeof response?.status !== 'number'
    ) {
      throw new CassetteError(`The cassette ${path} has a malformed exchange at index ${index}.`);
    }
  });
  return value as Cassette;
}

/** Writes a cassette atomically (a temporary file, then a rename). */
export async function saveCassette(path: string, cassette: Cassette): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(cassette, null, 2)}\n`);
  await rename(temporary, path);
}
