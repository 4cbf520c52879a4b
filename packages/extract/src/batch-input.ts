import { createHash } from 'node:crypto';
import type { ChatMessage } from '@chatloop/protocol';
import { ExtractInputError } from './extract-errors.js';
import type { ExtractInput, ImageInput } from './extract-input.js';

/**
 * One input of a batch: text, or an object with an optional stable `id` and the text, images or
 * messages to extract from (or a ready `input`).
 */
export type BatchInput =
  | string
  | {
      /** The stable key of the item (used in the output and on resume). Default: a hash of the item. */
      id?: string | number;
      text?: string;
      images?: ImageInput[];
      messages?: ChatMessage[];
      input?: ExtractInput;
    };

function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record)
      .sort()
      .filter((key) => record[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${stableStringify(record[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The stable key of a batch input: its `id` when it has one, else `sha256:` and the first 24 hex digits
 * of the SHA-256 of its canonical JSON (key order does not matter), so the same input gets the same key
 * in every run.
 */
export function batchInputKey(input: BatchInput): string {
  if (typeof input === 'object' && input !== null && input.id !== undefined) return String(input.id);
  return `sha256:${createHash('sha256').update(stableStringify(input)).digest('hex').slice(0, 24)}`;
}

/**
 * What to extract from for a batch input.
 *
 * @throws ExtractInputError when the item has neither text, images, messages nor `input`.
 */
export function batchInputToExtractInput(input: BatchInput): ExtractInput {
  if (typeof input === 'string') return input;
  if (typeof input !== 'object' || input === null) {
    throw new ExtractInputError('A batch input must be a string or an object.');
  }
  if (input.input !== undefined) return input.input;
  if (input.text === undefined && input.images === undefined && input.messages === undefined) {
    throw new ExtractInputError('The batch input has no "text", "images", "messages" or "input".');
  }
  return {
    ...(input.text === undefined ? {} : { text: input.text }),
    ...(input.images === undefined ? {} : { images: input.images }),
    ...(input.messages === undefined ? {} : { messages: input.messages }),
  };
}
