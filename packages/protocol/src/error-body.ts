/** The error object of an OpenAI-style error response. */
export interface ApiErrorObject {
  message: string;
  type?: string | null;
  param?: string | null;
  code?: string | number | null;
  [extra: string]: unknown;
}

/** The body of an OpenAI-style error response: `{ "error": { ... } }`. */
export interface ApiErrorBody {
  error: ApiErrorObject;
}

/** True when `value` has the shape of an OpenAI-style error body. */
export function isApiErrorBody(value: unknown): value is ApiErrorBody {
  if (typeof value !== 'object' || value === null) return false;
  const error = (value as { error?: unknown }).error;
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { message?: unknown }).message === 'string'
  );
}
