import { describe, expect, it } from 'vitest';
import { Utf8ChunkDecoder } from './utf8-chunk-decoder.js';

function decodeAll(pieces: Uint8Array[]): string {
  const decoder = new Utf8ChunkDecoder();
  return pieces.map((piece) => decoder.decode(piece)).join('') + decoder.end();
}

function cuts(bytes: Uint8Array, size: number): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += size) pieces.push(bytes.subarray(at, at + size));
  return pieces;
}

describe('Utf8ChunkDecoder', () => {
  it('decodes every split of multi-byte characters as the whole bytes decode', () => {
    const bytes = new TextEncoder().encode('a é € 𝄞 ok 中文 😀');
    const whole = new TextDecoder().decode(bytes);
    for (let size = 1; size <= bytes.length; size++) expect(decodeAll(cuts(bytes, size))).toBe(whole);
  });

  it('matches TextDecoder on invalid and cut bytes, and drops only a leading BOM', () => {
    const samples = [
      [0xef, 0xbb, 0xbf, 0x61, 0xef, 0xbb, 0xbf, 0x62],
      [0x61, 0xe2, 0x82],
      [0xe2, 0x28, 0xa1, 0x80, 0x80, 0x80, 0x62],
      [0xf0, 0x9f, 0x98],
      [0xc3],
      [0xe0, 0x80, 0x80, 0xff, 0x61],
    ];
    for (const sample of samples) {
      const bytes = Uint8Array.from(sample);
      const whole = new TextDecoder().decode(bytes);
      for (let size = 1; size <= bytes.length; size++) expect(decodeAll(cuts(bytes, size))).toBe(whole);
    }
  });
});
