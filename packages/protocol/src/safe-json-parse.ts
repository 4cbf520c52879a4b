import secureJsonParse from 'secure-json-parse';

/**
 * Parses JSON text from the wire (or from a model) so that `__proto__` and `constructor.prototype`
 * keys never reach an object prototype: such keys are removed from the result. Text that cannot hold
 * such a key (neither name, nor any `\u` escape that could spell one) goes straight to `JSON.parse`;
 * anything else goes through `secure-json-parse`.
 *
 * @throws SyntaxError when `text` is not valid JSON (the caller wraps it in a typed error).
 */
export function safeJsonParse(text: string): unknown {
  if (text.indexOf('\\u') === -1 && text.indexOf('__proto__') === -1 && text.indexOf('constructor') === -1) {
    return JSON.parse(text);
  }
  return secureJsonParse.parse(text, null, { protoAction: 'remove', constructorAction: 'remove' });
}
