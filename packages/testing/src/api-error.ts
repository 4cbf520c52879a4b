import type { ApiErrorBody } from '@chatloop/protocol';

/** An error answer of the test server: an HTTP status and an OpenAI-shaped body. */
export interface ApiErrorResponse {
  status: number;
  body: ApiErrorBody;
  /** Extra response headers (e.g. `retry-after`). */
  headers?: Record<string, string>;
}

/** Fields of an OpenAI error object besides its message. */
export interface ApiErrorFields {
  type?: string;
  param?: string | null;
  code?: string | null;
}

/**
 * Builds an error answer shaped like OpenAI's: `{ error: { message, type, param, code } }`, with
 * `type` defaulting to `invalid_request_error` and `param`/`code` to `null`.
 */
export function apiError(status: number, message: string, fields: ApiErrorFields = {}): ApiErrorResponse {
  return {
    status,
    body: {
      error: {
        message,
        type: fields.type ?? 'invalid_request_error',
        param: fields.param ?? null,
        code: fields.code ?? null,
      },
    },
  };
}
