import { type ApiErrorResponse, apiError } from './api-error.js';

/**
 * Checks an `Authorization` header against the expected key, answering OpenAI's 401s (the key sent is
 * never echoed). `undefined` when the key matches, or when no key is expected.
 */
export function checkBearer(
  header: string | undefined,
  apiKey: string | undefined,
): ApiErrorResponse | undefined {
  if (apiKey === undefined) return undefined;
  if (header === undefined || !header.startsWith('Bearer ')) {
    return apiError(
      401,
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
    );
  }
  if (header.slice('Bearer '.length) !== apiKey) {
    return apiError(401, 'Incorrect API key provided.', { code: 'invalid_api_key' });
  }
  return undefined;
}
