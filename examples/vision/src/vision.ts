import { createClient } from '@chatloop/core';
import { extract } from '@chatloop/extract';
import { startServer } from '@chatloop/testing';
import { z } from 'zod';
import { encodeTwoColorPng, type Rgb, toHex } from './png.js';
import { visionModel } from './vision-model.js';

/** The typed answer: each image's size and the colors of its two halves. */
export const SwatchSheet = z.object({
  images: z.array(
    z.object({
      width: z.number().int(),
      height: z.number().int(),
      leftColor: z.string().describe('#rrggbb'),
      rightColor: z.string().describe('#rrggbb'),
    }),
  ),
});

/** The images the example sends: name, size, colors. */
export const SWATCHES: { name: string; width: number; height: number; left: Rgb; right: Rgb }[] = [
  { name: 'flag-ish', width: 48, height: 32, left: { r: 0, g: 85, b: 164 }, right: { r: 239, g: 65, b: 53 } },
  { name: 'forest', width: 64, height: 64, left: { r: 34, g: 139, b: 34 }, right: { r: 85, g: 107, b: 47 } },
  { name: 'sunset', width: 32, height: 16, left: { r: 255, g: 140, b: 0 }, right: { r: 128, g: 0, b: 128 } },
];

/**
 * Generates small PNGs, sends them as `image_url` parts with data URLs through `extract()` against the
 * testing server (a scripted model that decodes them), and prints the typed result.
 * @returns the extracted sheet, the expected one, and the request body the server received.
 */
export async function runVision(write: (line: string) => void) {
  const model = 'gpt-4o-mini';
  const server = await startServer({ models: { [model]: visionModel() } });
  const client = createClient({ baseURL: server.url, apiKey: 'offline' });
  try {
    const images = SWATCHES.map((swatch) => ({
      data: encodeTwoColorPng(swatch.width, swatch.height, swatch.left, swatch.right),
      mimeType: 'image/png',
    }));
    for (const [index, swatch] of SWATCHES.entries()) {
      write(
        `image ${index + 1}: ${swatch.name}.png, ${swatch.width}x${swatch.height}, ${images[index]!.data.length} bytes`,
      );
    }
    const result = await extract({
      client,
      model,
      schema: SwatchSheet,
      input: {
        text: 'For each image, give its size in pixels and the color of its left and right half.',
        images,
      },
    });
    write(
      `mode: ${result.mode.mode} (${result.mode.reason}), attempts: ${result.attempts}, tokens: ${result.usage.total_tokens}`,
    );
    for (const [index, image] of result.object.images.entries()) {
      write(
        `  ${index + 1}. ${image.width}x${image.height} left ${image.leftColor} right ${image.rightColor}`,
      );
    }
    const expected = SWATCHES.map((swatch) => ({
      width: swatch.width,
      height: swatch.height,
      leftColor: toHex(swatch.left),
      rightColor: toHex(swatch.right),
    }));
    return { object: result.object, expected, request: server.requests[0]?.body };
  } finally {
    await client.close();
    await server.close();
  }
}
