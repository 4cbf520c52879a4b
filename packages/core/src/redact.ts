/** What replaces a secret in anything chatloop exposes. */
export const REDACTED = '[redacted]';

/** Header names (lowercase) whose values are credentials and are never exposed. */
export const CREDENTIAL_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'api-key',
  'x-api-key',
  'x-goog-api-key',
]);

const bearerPattern = /\b(Bearer|Basic)\s+[^\s"',;]+/gi;

/**
 * A copy of `headers` with lowercase names, multi-valued headers joined with `, `, and the value of every
 * credential header ({@link CREDENTIAL_HEADERS}) replaced by {@link REDACTED}. Missing values are dropped.
 */
export function redactHeaders(
  headers: Readonly<Record<string, string | readonly string[] | undefined>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    out[lower] = CREDENTIAL_HEADERS.has(lower)
      ? REDACTED
      : typeof value === 'string'
        ? value
        : value.join(', ');
  }
  return out;
}

/**
 * `text` with every occurrence of each non-empty secret, and every `Bearer <token>` / `Basic <token>`,
 * replaced by {@link REDACTED}. Used on everything that may echo a credential back (error bodies, causes).
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length > 0 && out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return out.replace(bearerPattern, `$1 ${REDACTED}`);
}
