import { crc32, deflateSync, inflateSync } from 'node:zlib';

/** An RGB color. */
export interface Rgb {
  r: number;
  g: number;
  b: number;
}

/**
 * Encodes a PNG (8-bit RGB, no interlace) of `width` x `height` whose left half is `left` and right
 * half `right`: small, valid images to send as data URLs.
 */
export function encodeTwoColorPng(width: number, height: number, left: Rgb, right: Rgb): Uint8Array {
  const row = Buffer.alloc(1 + width * 3);
  for (let x = 0; x < width; x++) {
    const color = x < width / 2 ? left : right;
    row.set([color.r, color.g, color.b], 1 + x * 3);
  }
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Reads back what {@link encodeTwoColorPng} wrote: size, and the colors of the first and last pixel. */
export function decodeTwoColorPng(png: Uint8Array): { width: number; height: number; left: Rgb; right: Rgb } {
  const bytes = Buffer.from(png);
  const width = bytes.readUInt32BE(16);
  const height = bytes.readUInt32BE(20);
  const idat: Buffer[] = [];
  for (let offset = 8; offset < bytes.length; ) {
    const length = bytes.readUInt32BE(offset);
    if (bytes.toString('latin1', offset + 4, offset + 8) === 'IDAT') {
      idat.push(bytes.subarray(offset + 8, offset + 8 + length));
    }
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const pixel = (x: number): Rgb => ({ r: raw[1 + x * 3]!, g: raw[2 + x * 3]!, b: raw[3 + x * 3]! });
  return { width, height, left: pixel(0), right: pixel(width - 1) };
}

/** `#rrggbb`. */
export function toHex(color: Rgb): string {
  return `#${[color.r, color.g, color.b].map((value) => value.toString(16).padStart(2, '0')).join('')}`;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}
