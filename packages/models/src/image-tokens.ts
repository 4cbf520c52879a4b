import type { ImageTokenRule } from './model-info.js';

/** Width and height of an image in pixels. */
export interface ImageSize {
  width: number;
  height: number;
}

/** Options of {@link imageTokens}. */
export interface ImageTokenOptions {
  /** The image's size; when absent the worst case of the rule is billed ({@link IMAGE_TOKEN_DEFAULTS}). */
  size?: ImageSize;
  /** `low`, `high` or `auto` (treated as `high`, the conservative reading). Default `auto`. */
  detail?: 'auto' | 'low' | 'high';
}

/** Defaults of the image rules (OpenAI's vision guide, "Calculating costs"). */
export const IMAGE_TOKEN_DEFAULTS = {
  /** The size assumed for an image of unknown size: 768 x 2048 px needs the most 512 px tiles (8). */
  unknownSize: { width: 768, height: 2048 } as ImageSize,
  /** High detail first fits the image in this square (px). */
  maxSide: 2048,
  /** Then scales it down so its shortest side is at most this (px). */
  shortSide: 768,
  tileSide: 512,
  patchSide: 32,
} as const;

/**
 * The input tokens of one image under `rule`, by OpenAI's published rules:
 * - `tile`: `detail: 'low'` costs `baseTokens`; otherwise the image is fitted in 2048 x 2048, scaled so its
 *   shortest side is at most 768 px, and costs `baseTokens + tileTokens * (512 px tiles)`.
 * - `patch`: 32 px patches, scaled down to fit `maxPatches`, times the model's multiplier (rounded up).
 */
export function imageTokens(rule: ImageTokenRule, options: ImageTokenOptions = {}): number {
  const size = options.size ?? IMAGE_TOKEN_DEFAULTS.unknownSize;
  if (rule.kind === 'patch') return Math.ceil(patchCount(size, rule.maxPatches) * rule.multiplier);
  if (options.detail === 'low') return rule.baseTokens;
  let { width, height } = size;
  const { maxSide, shortSide, tileSide } = IMAGE_TOKEN_DEFAULTS;
  if (Math.max(width, height) > maxSide) {
    const scale = maxSide / Math.max(width, height);
    width = Math.floor(width * scale);
    height = Math.floor(height * scale);
  }
  if (Math.min(width, height) > shortSide) {
    const scale = shortSide / Math.min(width, height);
    width = Math.floor(width * scale);
    height = Math.floor(height * scale);
  }
  const tiles = Math.ceil(width / tileSide) * Math.ceil(height / tileSide);
  return rule.baseTokens + rule.tileTokens * tiles;
}

function patchCount({ width, height }: ImageSize, maxPatches: number): number {
  const side = IMAGE_TOKEN_DEFAULTS.patchSide;
  const patches = Math.ceil(width / side) * Math.ceil(height / side);
  if (patches <= maxPatches) return patches;
  // Scale so the patches fit the cap, then shrink further so a whole number of patches covers the width
  // or height (OpenAI's published procedure).
  let scale = Math.sqrt((side * side * maxPatches) / (width * height));
  scale *= Math.min(
    Math.floor((width * scale) / side) / ((width * scale) / side),
    Math.floor((height * scale) / side) / ((height * scale) / side),
  );
  const resized = Math.ceil(Math.floor(width * scale) / side) * Math.ceil(Math.floor(height * scale) / side);
  return Math.min(resized, maxPatches);
}

/**
 * Reads the pixel size of a `data:` URL image (PNG, GIF, JPEG or WebP) from its header, without decoding
 * the image. `undefined` for `https:` URLs and unrecognized data.
 */
export function imageSizeFromUrl(url: string): ImageSize | undefined {
  if (!url.startsWith('data:')) return undefined;
  const comma = url.indexOf(',');
  if (comma < 0 || !url.slice(0, comma).endsWith(';base64')) return undefined;
  // JPEG dimensions can sit after large metadata segments; 64 KiB of header covers ordinary files.
  const bytes = Buffer.from(url.slice(comma + 1, comma + 1 + 87_384), 'base64');
  return pngSize(bytes) ?? gifSize(bytes) ?? webpSize(bytes) ?? jpegSize(bytes);
}

function pngSize(b: Buffer): ImageSize | undefined {
  if (b.length < 24 || b.readUInt32BE(0) !== 0x89504e47 || b.toString('latin1', 12, 16) !== 'IHDR')
    return undefined;
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

function gifSize(b: Buffer): ImageSize | undefined {
  if (b.length < 10 || b.toString('latin1', 0, 3) !== 'GIF') return undefined;
  return { width: b.readUInt16LE(6), height: b.readUInt16LE(8) };
}

function webpSize(b: Buffer): ImageSize | undefined {
  if (b.length < 30 || b.toString('latin1', 0, 4) !== 'RIFF' || b.toString('latin1', 8, 12) !== 'WEBP') {
    return undefined;
  }
  const chunk = b.toString('latin1', 12, 16);
  if (chunk === 'VP8X') return { width: 1 + b.readUIntLE(24, 3), height: 1 + b.readUIntLE(27, 3) };
  if (chunk === 'VP8L') {
    const bits = b.readUInt32LE(21);
    return { width: 1 + (bits & 0x3fff), height: 1 + ((bits >> 14) & 0x3fff) };
  }
  if (chunk === 'VP8 ') return { width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff };
  return undefined;
}

function jpegSize(b: Buffer): ImageSize | undefined {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return undefined;
  let offset = 2;
  while (offset + 9 < b.length) {
    if (b[offset] !== 0xff) return undefined;
    const marker = b[offset + 1]!;
    const length = b.readUInt16BE(offset + 2);
    // SOF0..SOF15 carry the frame size, except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { width: b.readUInt16BE(offset + 7), height: b.readUInt16BE(offset + 5) };
    }
    offset += 2 + length;
  }
  return undefined;
}
