import type { ChatCompletionChunk } from './chunk.js';
import { ChunkAccumulator } from './chunk-accumulator.js';
import { safeJsonParse } from './safe-json-parse.js';
import { type ByteStream, decodeSseEvents, type SseDecoderOptions } from './sse-decoder.js';
import { IncompleteStreamError, MalformedResponseError, StreamEventError } from './stream-errors.js';

/** Options of {@link decodeChatCompletionStream}. */
export interface ChatCompletionStreamOptions extends SseDecoderOptions {
  /**
   * The accumulator every chunk is added to before it is yielded; its state is the `partial` of an
   * {@link IncompleteStreamError}. Pass your own to read the assembled completion afterwards without
   * assembling twice. Default: a private one.
   */
  accumulator?: ChunkAccumulator;
}

/** The `data` of the event that ends an OpenAI-style stream. */
export const DONE_DATA = '[DONE]';

/**
 * Decodes a streamed ChatCompletions body into its chunks. Stops at `data: [DONE]`. A stream is only
 * complete with `[DONE]` or once every choice has a `finish_reason`; one that just ends is an error,
 * never a short success.
 *
 * @throws StreamEventError for an `event: error` frame or a `{ "error": { ... } }` payload.
 * @throws IncompleteStreamError when the body ends without `[DONE]` and before every choice finished;
 *   it carries the partial completion.
 * @throws MalformedResponseError for a payload that is not JSON, or not a chunk object.
 */
export async function* decodeChatCompletionStream(
  body: ByteStream,
  options: ChatCompletionStreamOptions = {},
): AsyncGenerator<ChatCompletionChunk, void, undefined> {
  const accumulator = options.accumulator ?? new ChunkAccumulator();
  for await (const event of decodeSseEvents(body, options)) {
    const data = event.data;
    if (data === DONE_DATA) return;
    if (event.event === 'error') throw new StreamEventError(parseErrorPayload(data));
    if (data === '') continue;
    let parsed: unknown;
    try {
      parsed = safeJsonParse(data);
    } catch (cause) {
      // The body ended inside this event: a cut-off stream, reported as incomplete below.
      if (event.unterminated === true) break;
      throw new MalformedResponseError('A stream event holds invalid JSON.', data, { cause });
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new MalformedResponseError('A stream event holds JSON that is not a chunk object.', data);
    }
    const chunk = parsed as ChatCompletionChunk;
    if (chunk.error != null && chunk.choices === undefined) throw new StreamEventError(chunk);
    accumulator.add(chunk);
    yield chunk;
  }
  if (!accumulator.finished) throw new IncompleteStreamError(accumulator.snapshot(), accumulator.chunkCount);
}

function parseErrorPayload(data: string): unknown {
  try {
    return safeJsonParse(data);
  } catch {
    // An error frame whose data is plain text: the text is the message.
    return data;
  }
}
