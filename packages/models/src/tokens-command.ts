import { readFile } from 'node:fs/promises';
import { type ChatCompletionRequest, safeJsonParse } from '@chatloop/protocol';
import { formatTokenReport, tokenReport } from './token-report.js';

/** Where {@link runTokensCommand} reads and writes (injectable for tests). */
export interface TokensCommandIO {
  readFile?: (path: string) => Promise<string>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const USAGE = 'usage: chatloop tokens <request.json>\n';

function isRequest(value: unknown): value is ChatCompletionRequest {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return typeof record.model === 'string' && Array.isArray(record.messages);
}

/**
 * `chatloop tokens <request.json>`: prints a ChatCompletions request's prompt tokens, whether it fits its
 * model's window and its cost range. Returns the exit code: 0 when it fits (or the window is unknown),
 * 1 when it does not fit, 2 on bad usage or input.
 */
export async function runTokensCommand(args: readonly string[], io: TokensCommandIO): Promise<number> {
  const path = args[0];
  if (path === undefined || args.length > 1 || path === '--help' || path === '-h') {
    io.stderr(USAGE);
    return 2;
  }
  let request: unknown;
  try {
    const text = await (io.readFile ?? ((file: string) => readFile(file, 'utf8')))(path);
    request = safeJsonParse(text);
  } catch (error) {
    io.stderr(
      `chatloop tokens: cannot read ${path}: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 2;
  }
  if (!isRequest(request)) {
    io.stderr(`chatloop tokens: ${path} is not a ChatCompletions request (needs "model" and "messages")\n`);
    return 2;
  }
  const report = tokenReport(request);
  io.stdout(formatTokenReport(report));
  return report.fit && !report.fit.fits ? 1 : 0;
}
