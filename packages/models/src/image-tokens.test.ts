import { describe, expect, it } from 'vitest';
import { gifDataUrl, jpegDataUrl, pngDataUrl, webpDataUrl } from '../test/images.js';
import { imageSizeFromUrl, imageTokens } from './image-tokens.js';
import type { ImageTokenRule } from './model-info.js';

const gpt4o: ImageTokenRule = { kind: 'tile', baseTokens: 85, tileTokens: 170 };
const gpt41: ImageTokenRule = { kind: 'patch', multiplier: 1, maxPatches: 1536 };

describe('imageTokens', () => {
  // Worked examples of OpenAI's vision guide, "Calculating costs"
  // (https://platform.openai.com/docs/guides/images-vision#calculating-costs).
  it('reproduces the tile examples: 1024x1024 high = 765, 2048x4096 high = 1105, low = 85', () => {
    expect(imageTokens(gpt4o, { size: { width: 1024, height: 1024 }, detail: 'high' })).toBe(765);
    expect(imageTokens(gpt4o, { size: { width: 2048, height: 4096 }, detail: 'high' })).toBe(1105);
    expect(imageTokens(gpt4o, { size: { width: 4096, height: 8192 }, detail: 'low' })).toBe(85);
  });

  it('reproduces the patch examples: 1024x1024 = 1024 patches, 1800x2400 = 1452 patches', () => {
    expect(imageTokens(gpt41, { size: { width: 1024, height: 1024 } })).toBe(1024);
    expect(imageTokens(gpt41, { size: { width: 1800, height: 2400 } })).toBe(1452);
    // gpt-4.1-mini bills patches x 1.62.
    expect(imageTokens({ ...gpt41, multiplier: 1.62 }, { size: { width: 1024, height: 1024 } })).toBe(1659);
  });

  it('bills small images one tile, auto as high, and unknown sizes at the worst case', () => {
    expect(imageTokens(gpt4o, { size: { width: 100, height: 100 } })).toBe(255);
    expect(imageTokens(gpt4o, { size: { width: 1024, height: 1024 }, detail: 'auto' })).toBe(765);
    expect(imageTokens(gpt4o)).toBe(85 + 170 * 8);
    expect(imageTokens(gpt41)).toBeLessThanOrEqual(1536);
  });
});

describe('imageSizeFromUrl', () => {
  it('reads PNG, GIF, JPEG and WebP headers from data URLs', () => {
    expect(imageSizeFromUrl(pngDataUrl(1024, 768))).toEqual({ width: 1024, height: 768 });
    expect(imageSizeFromUrl(gifDataUrl(320, 200))).toEqual({ width: 320, height: 200 });
    expect(imageSizeFromUrl(jpegDataUrl(2048, 4096))).toEqual({ width: 2048, height: 4096 });
    expect(imageSizeFromUrl(webpDataUrl(640, 480))).toEqual({ width: 640, height: 480 });
  });

  it('returns undefined for remote URLs and unrecognized data', () => {
    expect(imageSizeFromUrl('https://example.com/cat.png')).toBeUndefined();
    expect(imageSizeFromUrl('data:image/png;base64,AAAA')).toBeUndefined();
    expect(imageSizeFromUrl('data:text/plain,hello')).toBeUndefined();
  });
});
