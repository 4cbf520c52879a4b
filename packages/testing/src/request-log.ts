import type { IncomingMessage } from 'node:http';

/** A request the server received, for assertions. */
export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. `/v1/chat/completions`. */
  path: string;
  /** Lower-cased header names; `authorization`, `api-key` and similar values are `[redacted]`. */
  headers: Record<string, string>;
  /** The parsed JSON body, the raw text when it was not JSON, or `undefined` when empty. */
  body: unknown;
  /** When it arrived, in ms since the epoch (from the `now` option). */
  receivedAt: number;
}

/** Header names whose values never enter the request log. */
export const REDACTED_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'api-key',
  'x-api-key',
  'cookie',
]);

/** Lower-cased headers with credential values replaced by `[redacted]`. */
export function redactHeaders(headers: IncomingMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = REDACTED_HEADERS.has(name) ? '[redacted]' : Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** Reads a request body as UTF-8 text. */
export async function readBody(request: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of request) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8');
}
