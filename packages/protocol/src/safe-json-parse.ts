import secureJsonParse from 'secure-json-parse';

/**
 * Parses JSON text from the wire (or from a model) so that `__proto__` and `constructor.prototype`
 * keys never reach an object prototype: such keys are removed from the result. Uses
 * `secure-json-parse`, whose fast path is a plain `JSON.parse` when the text holds neither key.
 *
 * @throws SyntaxError when `text` is not valid JSON (the caller wraps it in a typed error).
 */
export function safeJsonParse(text: string): unknown {
  return secureJsonParse.parse(text, null, { protoAction: 'remove', constructorAction: 'remove' });
}
