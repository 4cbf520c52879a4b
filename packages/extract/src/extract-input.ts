import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChatMessage, ImageContentPart, UserContentPart } from '@chatloop/protocol';
import { ExtractInputError } from './extract-errors.js';

/**
 * An image to extract from: an `https:`/`http:` URL (sent to the provider as is; this library does not
 * fetch it), a `data:` URL, a local file path or `file:` URL (read and sent as a data URL), or bytes.
 */
export type ImageInput =
  | string
  | { url: string; detail?: ImageDetail }
  | { path: string; detail?: ImageDetail }
  | { data: Uint8Array; mimeType: string; detail?: ImageDetail };

/** The image detail level, which sets its token cost on OpenAI. */
export type ImageDetail = 'auto' | 'low' | 'high';

/** What to extract from: text, a conversation, or text with images. */
export type ExtractInput =
  | string
  | ChatMessage[]
  | { text?: string; images?: ImageInput[]; messages?: ChatMessage[] };

/** Defaults of {@link toInputMessages}. */
export const EXTRACT_INPUT_DEFAULTS = {
  /** The largest local image read, in bytes (20 MB, OpenAI's per-image limit). */
  maxImageBytes: 20 * 1024 * 1024,
} as const;

const IMAGE_TYPES: Readonly<Record<string, string>> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
};

/** The image MIME type for a file name, or `undefined` when it is not a supported image. */
export function imageMimeType(fileName: string): string | undefined {
  return IMAGE_TYPES[extname(fileName).toLowerCase()];
}

/** Options of {@link toInputMessages}. */
export interface InputMessageOptions {
  /** Reads a local file (injectable for tests). Default `fs.readFile`. */
  readFile?: (path: string) => Promise<Uint8Array>;
  /** The largest local image, in bytes. Default {@link EXTRACT_INPUT_DEFAULTS}.maxImageBytes. */
  maxImageBytes?: number;
}

async function imagePart(image: ImageInput, options: InputMessageOptions): Promise<ImageContentPart> {
  const spec = typeof image === 'string' ? { url: image } : image;
  const detail = spec.detail === undefined ? {} : { detail: spec.detail };
  if ('data' in spec) {
    return {
      type: 'image_url',
      image_url: {
        url: `data:${spec.mimeType};base64,${Buffer.from(spec.data).toString('base64')}`,
        ...detail,
      },
    };
  }
  let path: string;
  if ('url' in spec) {
    if (/^(?:https?:|data:)/i.test(spec.url))
      return { type: 'image_url', image_url: { url: spec.url, ...detail } };
    path = spec.url.startsWith('file:') ? fileURLToPath(spec.url) : spec.url;
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) {
      throw new ExtractInputError(
        `Unsupported image URL scheme in "${spec.url.slice(0, 40)}"; use https:, data: or a file.`,
      );
    }
  } else {
    path = spec.path;
  }
  const mimeType = imageMimeType(path);
  if (!mimeType) throw new ExtractInputError(`Not a supported image file (png, jpg, gif, webp): ${path}`);
  let bytes: Uint8Array;
  try {
    bytes = await (options.readFile ?? readFile)(path);
  } catch (cause) {
    throw new ExtractInputError(`Cannot read the image file ${path}.`, { cause });
  }
  const max = options.maxImageBytes ?? EXTRACT_INPUT_DEFAULTS.maxImageBytes;
  if (bytes.byteLength > max) {
    throw new ExtractInputError(`The image ${path} has ${bytes.byteLength} bytes, over the limit of ${max}.`);
  }
  return {
    type: 'image_url',
    image_url: { url: `data:${mimeType};base64,${Buffer.from(bytes).toString('base64')}`, ...detail },
  };
}

/**
 * Turns an {@link ExtractInput} into the user-side messages of an extraction: a string becomes one user
 * message; messages pass through; `{ text, images }` becomes one user message with a text part and an
 * image part per image (local files read and encoded as data URLs), after any `messages`.
 *
 * @throws ExtractInputError for an empty input, an unreadable or oversized image, or an unsupported one.
 */
export async function toInputMessages(
  input: ExtractInput,
  options: InputMessageOptions = {},
): Promise<ChatMessage[]> {
  if (typeof input === 'string') {
    if (input.trim().length === 0) throw new ExtractInputError('The input text is empty.');
    return [{ role: 'user', content: input }];
  }
  if (Array.isArray(input)) {
    if (input.length === 0) throw new ExtractInputError('The input has no messages.');
    return input;
  }
  const messages: ChatMessage[] = [...(input.messages ?? [])];
  const parts: UserContentPart[] = [];
  if (input.text !== undefined && input.text.length > 0) parts.push({ type: 'text', text: input.text });
  for (const image of input.images ?? []) parts.push(await imagePart(image, options));
  if (parts.length > 0) {
    const only = parts[0];
    messages.push({ role: 'user', content: parts.length === 1 && only?.type === 'text' ? only.text : parts });
  }
  if (messages.length === 0) throw new ExtractInputError('The input has no text, images or messages.');
  return messages;
}
