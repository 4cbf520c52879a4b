import secureJsonParse from 'secure-json-parse';

/**
 * Parses JSON text from the wire (or from a model) so that `__proto__` and `constructor.prototype`
 * keys never reach an object prototype: such keys are removed from the result (`secure-json-parse`).
 * Both dangerous forms contain `proto` (`__proto__`, `prototype`) unless spelled with `\u` escapes, so
 * text with neither `proto` nor `\u` goes straight to `JSON.parse`: two substring searches instead of
 * secure-json-parse's two regular-expression scans.
 *
 * @throws SyntaxError when `text` is not valid JSON (the caller wraps it in a typed error).
 */
export function safeJsonParse(text: string): unknown {
  if (!text.includes('proto') && !text.includes('\\u')) return JSON.parse(text);
  return secureJsonParse.parse(text, null, { protoAction: 'remove', constructorAction: 'remove' });
}
