import { describe, expect, it } from 'vitest';
import { decodeTwoColorPng, encodeTwoColorPng } from '../src/png.js';
import { runVision } from '../src/vision.js';

describe('vision example', () => {
  it('round-trips the generated PNGs', () => {
    const png = encodeTwoColorPng(10, 4, { r: 1, g: 2, b: 3 }, { r: 250, g: 251, b: 252 });
    expect(decodeTwoColorPng(png)).toEqual({
      width: 10,
      height: 4,
      left: { r: 1, g: 2, b: 3 },
      right: { r: 250, g: 251, b: 252 },
    });
  });

  it('sends image_url parts with PNG data URLs and gets the typed sheet back', async () => {
    const lines: string[] = [];
    const { object, expected, request } = await runVision((line) => lines.push(line));
    expect(object.images).toEqual(expected);
    const body = request as { messages: { role: string; content: unknown }[] };
    const user = body.messages.find((message) => message.role === 'user');
    const parts = user?.content as { type: string; image_url?: { url: string } }[];
    const urls = parts.filter((part) => part.type === 'image_url').map((part) => part.image_url!.url);
    expect(urls).toHaveLength(3);
    for (const url of urls) expect(url).toMatch(/^data:image\/png;base64,iVBORw0KGgo/);
    expect(lines.join('\n')).toContain('1. 48x32 left #0055a4 right #ef4135');
    expect(lines.join('\n')).toMatch(/mode: json_schema \(.+\), attempts: 1/);
  });
});
