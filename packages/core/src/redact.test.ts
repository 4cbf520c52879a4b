import { describe, expect, it } from 'vitest';
import { REDACTED, redactHeaders, redactSecrets } from './redact.js';

describe('redactHeaders', () => {
  it('hides credential headers, lowercases names and joins multi-values', () => {
    expect(
      redactHeaders({
        Authorization: 'Bearer sk-1',
        'api-key': 'k',
        'X-Api-Key': 'k2',
        'Set-Cookie': ['a=1', 'b=2'],
        'x-request-id': 'r',
        missing: undefined,
      }),
    ).toEqual({
      authorization: REDACTED,
      'api-key': REDACTED,
      'x-api-key': REDACTED,
      'set-cookie': 'a=1, b=2',
      'x-request-id': 'r',
    });
  });
});

describe('redactSecrets', () => {
  it('replaces every occurrence of each secret and bearer tokens', () => {
    expect(redactSecrets('key sk-abc and sk-abc again', ['sk-abc'])).toBe(
      `key ${REDACTED} and ${REDACTED} again`,
    );
    expect(redactSecrets('Authorization: Bearer tok_123, next', [])).toBe(
      `Authorization: Bearer ${REDACTED}, next`,
    );
    expect(redactSecrets('nothing here', ['', 'sk-x'])).toBe('nothing here');
  });
});
