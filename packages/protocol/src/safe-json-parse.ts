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
  if (!mayHoldPrototypeKey(text)) return JSON.parse(text);
  return secureJsonParse.parse(text, null, { protoAction: 'remove', constructorAction: 'remove' });
}

/**
 * False when `text`, and so every piece of it, certainly holds no `__proto__` or
 * `constructor.prototype` key: it contains neither `proto` nor a `\u` escape. Plain `JSON.parse` is
 * then as safe as {@link safeJsonParse}. A stream decoder checks a whole read once this way instead of
 * each event.
 */
export function mayHoldPrototypeKey(text: string): boolean {
  return text.includes('proto') || text.includes('\\u');
}
