import { ChatloopError, type ChatloopErrorOptions, errorGuard } from './chatloop-error.js';
import type { ApiErrorObject } from './error-body.js';
import type { ChatCompletion } from './response.js';

/** Stable `code` of {@link IncompleteStreamError}. */
export const INCOMPLETE_STREAM_CODE = 'incomplete_stream';
/** Stable `code` of {@link StreamEventError}. */
export const STREAM_EVENT_ERROR_CODE = 'stream_event_error';
/** Stable `code` of {@link MalformedResponseError}. */
export const MALFORMED_RESPONSE_CODE = 'malformed_response';

/** How much of an offending payload a {@link MalformedResponseError} keeps (characters). */
const SNIPPET_LENGTH = 200;

/**
 * A stream ended (the body closed) without `data: [DONE]` and before every choice had a
 * `finish_reason`: the answer is cut short. `partial` holds what had been assembled so far, so a
 * caller can show it or resume; it is never a success.
 */
export class IncompleteStreamError extends ChatloopError {
  /** The completion assembled from the chunks received before the stream ended. */
  readonly partial: ChatCompletion;
  /** How many chunks had been received. */
  readonly chunkCount: number;

  constructor(partial: ChatCompletion, chunkCount: number, options: ChatloopErrorOptions = {}) {
    super(
      INCOMPLETE_STREAM_CODE,
      `The stream ended after ${chunkCount} chunk(s) without [DONE] or a finish_reason: the answer is incomplete. Retry the request.`,
      options,
    );
    this.partial = partial;
    this.chunkCount = chunkCount;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), chunkCount: this.chunkCount };
  }
}

/**
 * The server reported an error inside a stream: an `event: error` frame, or a `data:` payload of the
 * form `{ "error": { ... } }`. `body` is the payload as sent; `error` its error object.
 */
export class StreamEventError extends ChatloopError {
  /** The parsed payload of the error event (or its raw text when it was not JSON). */
  readonly body: unknown;
  /** The error object, normalised: always has a `message`. */
  readonly error: ApiErrorObject;

  constructor(body: unknown, options: ChatloopErrorOptions = {}) {
    const error = toErrorObject(body);
    super(STREAM_EVENT_ERROR_CODE, `The server sent an error inside the stream: ${error.message}`, options);
    this.body = body;
    this.error = error;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), error: this.error };
  }
}

/**
 * A response (or a stream event) could not be read: not JSON, or JSON of the wrong shape. `snippet`
 * keeps the first 200 characters of the offending text for diagnosis.
 */
export class MalformedResponseError extends ChatloopError {
  /** The start of the offending text. */
  readonly snippet: string;

  constructor(message: string, text: string, options: ChatloopErrorOptions = {}) {
    super(MALFORMED_RESPONSE_CODE, message, options);
    this.snippet = text.length > SNIPPET_LENGTH ? `${text.slice(0, SNIPPET_LENGTH)}…` : text;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), snippet: this.snippet };
  }
}

/** True for an {@link IncompleteStreamError} from any copy of this package. */
export const isIncompleteStreamError = errorGuard<IncompleteStreamError>(INCOMPLETE_STREAM_CODE);
/** True for a {@link StreamEventError} from any copy of this package. */
export const isStreamEventError = errorGuard<StreamEventError>(STREAM_EVENT_ERROR_CODE);
/** True for a {@link MalformedResponseError} from any copy of this package. */
export const isMalformedResponseError = errorGuard<MalformedResponseError>(MALFORMED_RESPONSE_CODE);

function toErrorObject(body: unknown): ApiErrorObject {
  if (typeof body === 'object' && body !== null) {
    const inner = (body as { error?: unknown }).error;
    const candidate = typeof inner === 'object' && inner !== null ? inner : body;
    const message = (candidate as { message?: unknown }).message;
    if (typeof message === 'string') return { ...(candidate as ApiErrorObject) };
    if (typeof inner === 'string') return { message: inner };
    return { ...(candidate as Record<string, unknown>), message: 'unknown error' };
  }
  if (typeof body === 'string' && body !== '') return { message: body };
  return { message: 'unknown error' };
}
