import { createRequire } from 'node:module';

/** A public BPE encoding chatloop can count with. */
export type EncodingName = 'o200k_base' | 'cl100k_base';

/** The slice of a gpt-tokenizer encoding module chatloop uses. */
export interface Encoder {
  /** The number of tokens of `text`; special-token strings count as ordinary text. */
  countTokens(text: string): number;
  /** The token ids of `text`; special-token strings are encoded as ordinary text. */
  encode(text: string): number[];
}

interface EncodingModule {
  countTokens(text: string, options?: { disallowedSpecial?: Set<string> }): number;
  encode(text: string, options?: { disallowedSpecial?: Set<string> }): number[];
}

const require = createRequire(import.meta.url);
// Text from users and models may contain `<|endoftext|>`; the API counts it as plain text, so nothing
// is treated as a special token (gpt-tokenizer would throw by default).
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };
const loaded = new Map<EncodingName, Encoder>();

function load(name: EncodingName): Encoder {
  // Loaded on first use (a synchronous require of gpt-tokenizer's CommonJS build), so that programs
  // which never count tokens do not pay the ~0.5 s and the memory of the rank tables at start-up.
  const module = require(`gpt-tokenizer/encoding/${name}`) as EncodingModule;
  return {
    countTokens: (text) => module.countTokens(text, PLAIN_TEXT),
    encode: (text) => module.encode(text, PLAIN_TEXT),
  };
}

/**
 * The encoder for `name`, loaded from gpt-tokenizer on first use and kept for the life of the process
 * (the rank tables are immutable and shared, like a module import).
 */
export function getEncoder(name: EncodingName): Encoder {
  let encoder = loaded.get(name);
  if (!encoder) {
    encoder = load(name);
    loaded.set(name, encoder);
  }
  return encoder;
}
