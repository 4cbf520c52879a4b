/**
 * Decodes a byte stream as UTF-8, piece by piece, with the result of decoding all the bytes at once
 * (a WHATWG `TextDecoder`: a leading BOM dropped, invalid bytes as U+FFFD, never a throw). A character
 * cut across pieces is held back until its last byte arrives, so every piece is decoded without the
 * `stream` option, which Node's `TextDecoder` serves several times faster.
 */
export class Utf8ChunkDecoder {
  /** Drops a leading BOM; used until the first byte has been decoded. */
  readonly #first = new TextDecoder('utf-8');
  readonly #rest = new TextDecoder('utf-8', { ignoreBOM: true });
  #started = false;
  /** The bytes of a character cut at the end of the last piece. */
  #held: Uint8Array | undefined;

  /** The text of `bytes`, without the bytes of a character cut at their end (held for the next call). */
  decode(bytes: Uint8Array): string {
    let input = bytes;
    const held = this.#held;
    if (held !== undefined) {
      input = new Uint8Array(held.length + bytes.length);
      input.set(held);
      input.set(bytes, held.length);
      this.#held = undefined;
    }
    const cut = incompleteTail(input);
    if (cut !== input.length) {
      this.#held = input.slice(cut);
      input = input.subarray(0, cut);
    }
    if (input.length === 0) return '';
    if (this.#started) return this.#rest.decode(input);
    this.#started = true;
    return this.#first.decode(input);
  }

  /** The text of the bytes held back at the end of the stream (U+FFFD for a cut character). */
  end(): string {
    const held = this.#held;
    this.#held = undefined;
    if (held === undefined) return '';
    if (this.#started) return this.#rest.decode(held);
    this.#started = true;
    return this.#first.decode(held);
  }
}

/**
 * Where the multi-byte character that `bytes` ends in starts, when its last bytes are missing;
 * `bytes.length` when `bytes` ends on a whole character (or on bytes no later byte can complete).
 */
function incompleteTail(bytes: Uint8Array): number {
  const length = bytes.length;
  // Walk back over at most three continuation bytes (10xxxxxx) to the byte that leads them.
  const stop = Math.max(0, length - 4);
  for (let at = length - 1; at >= stop; at--) {
    const byte = bytes[at] as number;
    if ((byte & 0xc0) === 0x80) continue;
    const size = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return at + size > length ? at : length;
  }
  return length;
}
