import type { JsonSchema } from '@chatloop/protocol';
import type { ToolArgumentIssue } from './tool-errors.js';

/** Limits of what the model is shown about a failure. */
export const DESCRIBE_TOOL_FAILURE_DEFAULTS = {
  /** The most validation issues listed. */
  maxIssues: 8,
  /** The most characters of a thrown error's message. */
  maxMessageChars: 500,
} as const;

// Credentials that commonly end up in error messages (provider keys, bearer tokens, key=value pairs).
const SECRET_PATTERNS: readonly RegExp[] = [
  /\bsk-[A-Za-z0-9_-]{8,}/g,
  /\b(?:gh[pousr]|github_pat)_[A-Za-z0-9_]{16,}/g,
  /\bxox[abprs]-[A-Za-z0-9-]{10,}/g,
  /\bAKIA[0-9A-Z]{16}\b/g,
  /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]+/g,
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  /\b((?:api[_-]?key|apikey|token|secret|password|passwd|authorization)["']?\s*[:=]\s*["']?)[^\s"'&,;]{4,}/gi,
  /(\/\/[^/\s:@]+:)[^@\s/]+@/g,
];

/**
 * Removes what looks like a credential from `text` (provider keys, bearer tokens, `key=value` secrets,
 * passwords in URLs) and every exact value in `secrets`, replacing each with `[REDACTED]`.
 */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join('[REDACTED]');
  for (const pattern of SECRET_PATTERNS) {
    out = out.replace(pattern, (match, prefix: unknown) =>
      typeof prefix === 'string' && match.startsWith(prefix) && prefix !== match
        ? `${prefix}[REDACTED]`
        : '[REDACTED]',
    );
  }
  return out;
}

/** `items[0].qty` from `['items', 0, 'qty']`; `(root)` for the arguments object itself. */
export function formatIssuePath(path: ReadonlyArray<string | number>): string {
  if (path.length === 0) return '(root)';
  let out = '';
  for (const segment of path) {
    out += typeof segment === 'number' ? `[${segment}]` : out === '' ? segment : `.${segment}`;
  }
  return out;
}

function typeLabel(schema: unknown): string {
  if (typeof schema !== 'object' || schema === null) return 'any';
  const node = schema as JsonSchema;
  if (Array.isArray(node.enum)) return node.enum.map((value) => JSON.stringify(value)).join(' | ');
  if (node.const !== undefined) return JSON.stringify(node.const);
  const variants = node.anyOf ?? node.oneOf;
  if (Array.isArray(variants)) return variants.map(typeLabel).join(' | ');
  if (typeof node.$ref === 'string') return 'object';
  if (Array.isArray(node.type)) return node.type.join(' | ');
  if (node.type === 'array') return `${typeLabel(node.items)}[]`;
  return typeof node.type === 'string' ? node.type : 'any';
}

/**
 * A one-line sketch of the expected arguments from the tool's JSON Schema, e.g.
 * `{ city: string, units?: "c" | "f" }`, capped at 300 characters.
 */
export function describeExpectedArguments(schema: JsonSchema): string {
  const properties = (schema.properties ?? {}) as Record<string, unknown>;
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  const fields = Object.entries(properties).map(
    ([name, property]) => `${name}${required.has(name) ? '' : '?'}: ${typeLabel(property)}`,
  );
  const text = `{ ${fields.join(', ')} }`;
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}

/**
 * The model-readable explanation of arguments that failed validation: the failing paths (at most
 * {@link DESCRIBE_TOOL_FAILURE_DEFAULTS}.maxIssues) and the expected shape.
 */
export function describeInvalidArguments(
  toolName: string,
  issues: readonly ToolArgumentIssue[],
  schema: JsonSchema,
): string {
  const max = DESCRIBE_TOOL_FAILURE_DEFAULTS.maxIssues;
  const lines = issues.slice(0, max).map((issue) => `- ${formatIssuePath(issue.path)}: ${issue.message}`);
  if (issues.length > max) lines.push(`- ... and ${issues.length - max} more`);
  return [
    `Error: invalid arguments for tool "${toolName}":`,
    ...lines,
    `Expected arguments: ${describeExpectedArguments(schema)}`,
    'Fix the arguments and call the tool again.',
  ].join('\n');
}

/** The model-readable explanation of arguments that are not JSON. */
export function describeMalformedArguments(
  toolName: string,
  parserMessage: string,
  schema: JsonSchema,
): string {
  return [
    `Error: the arguments for tool "${toolName}" are not valid JSON (${parserMessage.slice(0, 200)}).`,
    `Send a single JSON object: ${describeExpectedArguments(schema)}`,
  ].join('\n');
}

/**
 * A short summary of something a tool threw: `Name: message`, first line only, no stack trace, secrets
 * redacted, at most {@link DESCRIBE_TOOL_FAILURE_DEFAULTS}.maxMessageChars characters.
 */
export function summarizeThrown(thrown: unknown, secrets: readonly string[] = []): string {
  let name = 'Error';
  let message: string;
  if (thrown instanceof Error) {
    name = thrown.name || 'Error';
    message = thrown.message;
  } else if (typeof thrown === 'string') {
    message = thrown;
  } else {
    try {
      message = JSON.stringify(thrown) ?? String(thrown);
    } catch {
      message = Object.prototype.toString.call(thrown);
    }
  }
  // Some runtimes put the stack (or a multi-line dump) in the message; the first line is the summary.
  const firstLine = (message.split('\n')[0] ?? '').trim() || '(no message)';
  const max = DESCRIBE_TOOL_FAILURE_DEFAULTS.maxMessageChars;
  const short = firstLine.length > max ? `${firstLine.slice(0, max)}…` : firstLine;
  return redactSecrets(`${name}: ${short}`, secrets);
}

/**
 * What to keep as an error's `cause`: the thrown value itself when it carries nothing that looks like a
 * secret, else a copy (same name, redacted message, no stack) so a key never travels in a `cause`.
 */
export function sanitizeCause(thrown: unknown, secrets: readonly string[] = []): unknown {
  if (thrown instanceof Error) {
    const text = `${thrown.message}\n${thrown.stack ?? ''}`;
    if (redactSecrets(text, secrets) === text) return thrown;
    const copy = new Error(redactSecrets(thrown.message, secrets));
    copy.name = thrown.name;
    copy.stack = `${copy.name}: ${copy.message}`;
    return copy;
  }
  if (typeof thrown === 'string') return redactSecrets(thrown, secrets);
  return thrown === null || typeof thrown !== 'object' ? thrown : new Error(summarizeThrown(thrown, secrets));
}
