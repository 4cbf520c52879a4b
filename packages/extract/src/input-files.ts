import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { safeJsonParse } from '@chatloop/protocol';
import type { BatchInput } from './batch-input.js';
import { ExtractInputError } from './extract-errors.js';
import { imageMimeType } from './extract-input.js';

/** A line or file of the input that could not be used; the batch goes on without it. */
export interface BadInput {
  /** The file, and for JSONL the 1-based line number. */
  file: string;
  line?: number;
  message: string;
}

/** Inputs read from a path, lazily, with their count. */
export interface InputSource {
  /** How many inputs the source holds (bad lines included), for progress. */
  total: number;
  /** The inputs; bad lines and files are reported to `onBad` and skipped. */
  inputs: AsyncIterable<BatchInput>;
}

/** Defaults of {@link openInputSource}. */
export const INPUT_FILE_DEFAULTS = {
  /** File extensions read as text in a directory. */
  textExtensions: [
    '.txt',
    '.md',
    '.markdown',
    '.html',
    '.htm',
    '.csv',
    '.json',
    '.xml',
    '.eml',
    '.log',
  ] as readonly string[],
} as const;

function jsonlItem(value: unknown): BatchInput {
  if (typeof value === 'string') {
    if (value.trim().length === 0) throw new ExtractInputError('the string is empty');
    return value;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ExtractInputError('expected a JSON string or object');
  }
  const record = value as Record<string, unknown>;
  if (record.id !== undefined && typeof record.id !== 'string' && typeof record.id !== 'number') {
    throw new ExtractInputError('"id" must be a string or a number');
  }
  if (record.text !== undefined && typeof record.text !== 'string')
    throw new ExtractInputError('"text" must be a string');
  if (record.images !== undefined && !Array.isArray(record.images))
    throw new ExtractInputError('"images" must be an array');
  if (record.messages !== undefined && !Array.isArray(record.messages)) {
    throw new ExtractInputError('"messages" must be an array');
  }
  if (
    record.text === undefined &&
    record.images === undefined &&
    record.messages === undefined &&
    record.input === undefined
  ) {
    throw new ExtractInputError('the object has no "text", "images", "messages" or "input"');
  }
  return record as BatchInput;
}

async function countLines(path: string): Promise<number> {
  let count = 0;
  for await (const line of createInterface({
    input: createReadStream(path),
    crlfDelay: Number.POSITIVE_INFINITY,
  })) {
    if (line.trim().length > 0) count++;
  }
  return count;
}

async function* jsonlInputs(path: string, onBad: (bad: BadInput) => void): AsyncGenerator<BatchInput> {
  let lineNumber = 0;
  for await (const line of createInterface({
    input: createReadStream(path),
    crlfDelay: Number.POSITIVE_INFINITY,
  })) {
    lineNumber++;
    if (line.trim().length === 0) continue;
    try {
      yield jsonlItem(safeJsonParse(line));
    } catch (error) {
      const message =
        error instanceof SyntaxError ? `not valid JSON (${error.message})` : (error as Error).message;
      onBad({ file: path, line: lineNumber, message });
    }
  }
}

async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && !entry.name.startsWith('.'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

async function* directoryInputs(
  root: string,
  files: string[],
  onBad: (bad: BadInput) => void,
): AsyncGenerator<BatchInput> {
  for (const file of files) {
    const id = relative(root, file).split('\\').join('/');
    if (imageMimeType(file)) {
      yield { id, images: [{ path: file }] };
      continue;
    }
    if (!INPUT_FILE_DEFAULTS.textExtensions.includes(extname(file).toLowerCase())) {
      onBad({ file, message: 'not a text or image file; skipped' });
      continue;
    }
    const text = await readFile(file, 'utf8');
    if (text.trim().length === 0) {
      onBad({ file, message: 'the file is empty' });
      continue;
    }
    yield { id, text };
  }
}

/**
 * Opens the inputs at `path`: a `.jsonl` file (one input a line: a JSON string, or an object with `id`,
 * `text`, `images`, `messages`), a directory (each text file one input with its relative path as id, each
 * image file one image input), or any other file (one text input, its name as id). Read lazily; bad lines
 * are reported with their line numbers through `onBad` and skipped.
 *
 * @throws ExtractInputError when `path` cannot be read.
 */
export async function openInputSource(path: string, onBad: (bad: BadInput) => void): Promise<InputSource> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (cause) {
    throw new ExtractInputError(`Cannot read the input ${path}.`, { cause });
  }
  if (info.isDirectory()) {
    const files = await listFiles(path);
    return { total: files.length, inputs: directoryInputs(path, files, onBad) };
  }
  if (/\.jsonl$/i.test(path)) return { total: await countLines(path), inputs: jsonlInputs(path, onBad) };
  return {
    total: 1,
    inputs: (async function* () {
      if (imageMimeType(path)) yield { id: path, images: [{ path }] };
      else yield { id: path, text: await readFile(path, 'utf8') };
    })(),
  };
}
