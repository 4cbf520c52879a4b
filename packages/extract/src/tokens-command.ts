import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { countTokens, DEFAULT_COUNT_MODEL, getModel, runTokensCommand } from '@chatloop/models';
import { safeJsonParse } from '@chatloop/protocol';
import type { CliIO } from './extract-command.js';
import { CLI_EXIT_CODES, CliUsageError } from './extract-command.js';

/** Parsed options of `chatloop tokens`. */
export interface TokensCommandOptions {
  model?: string;
  json?: boolean;
}

async function expand(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (!info) throw new CliUsageError(`Cannot read ${path}.`);
    if (!info.isDirectory()) {
      files.push(path);
      continue;
    }
    const entries = await readdir(path, { recursive: true, withFileTypes: true });
    files.push(
      ...entries
        .filter((entry) => entry.isFile() && !entry.name.startsWith('.'))
        .map((entry) => join(entry.parentPath, entry.name))
        .sort(),
    );
  }
  return files;
}

function isRequestText(text: string): boolean {
  try {
    const value = safeJsonParse(text) as Record<string, unknown> | null;
    return (
      typeof value === 'object' &&
      value !== null &&
      typeof value.model === 'string' &&
      Array.isArray(value.messages)
    );
  } catch {
    return false;
  }
}

/**
 * Runs `chatloop tokens <paths...>`: a single ChatCompletions request file (`{ model, messages }`) gets
 * `@chatloop/models`' full report (prompt tokens, fit in the window, cost range); other files (and the
 * files of directories) are counted as text with `--model`'s tokenizer, with the input cost at its price.
 */
export async function runTokensCommandForFiles(
  paths: readonly string[],
  options: TokensCommandOptions,
  io: CliIO,
): Promise<number> {
  if (paths.length === 0) throw new CliUsageError('Name at least one file or directory.');
  const files = await expand(paths);
  if (files.length === 1 && /\.json$/i.test(files[0]!)) {
    const text = await readFile(files[0]!, 'utf8');
    if (isRequestText(text)) return runTokensCommand([files[0]!], { stdout: io.stdout, stderr: io.stderr });
  }
  const model = options.model ?? io.env.CHATLOOP_MODEL ?? DEFAULT_COUNT_MODEL;
  const rows: Array<{ file: string; tokens: number }> = [];
  for (const file of files) rows.push({ file, tokens: countTokens(await readFile(file, 'utf8'), model) });
  const totalTokens = rows.reduce((sum, row) => sum + row.tokens, 0);
  const pricing = getModel(model)?.pricing;
  const inputCostUSD = pricing ? (totalTokens * pricing.inputPerMTok) / 1e6 : undefined;
  if (options.json) {
    io.stdout(`${JSON.stringify({ model, files: rows, totalTokens, inputCostUSD })}\n`);
  } else {
    const width = Math.max(6, ...rows.map((row) => String(row.tokens).length));
    for (const row of rows) io.stdout(`${String(row.tokens).padStart(width)}  ${row.file}\n`);
    io.stdout(
      `${String(totalTokens).padStart(width)}  total (${model}); as input: ${
        inputCostUSD === undefined ? 'price unknown' : `$${inputCostUSD.toFixed(6)}`
      }\n`,
    );
  }
  return CLI_EXIT_CODES.ok;
}
