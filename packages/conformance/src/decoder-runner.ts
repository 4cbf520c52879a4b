import {
  type ChatCompletion,
  ChunkAccumulator,
  decodeChatCompletionStream,
  isApiErrorBody,
  safeJsonParse,
} from '@chatloop/protocol';
import type { CaseRunner } from './case-runner.js';
import type { ConformanceCase } from './corpus.js';
import type { ExpectedError } from './expected-projection.js';

/**
 * A {@link CaseRunner} that feeds the recorded bytes straight into @chatloop/protocol's decoder and
 * accumulator, without HTTP: it isolates the wire format from the client.
 */
export function createDecoderRunner(): CaseRunner {
  return {
    async stream(_testCase, pieces) {
      const accumulator = new ChunkAccumulator();
      for await (const _chunk of decodeChatCompletionStream(toAsync(pieces), { accumulator })) {
        // The accumulator assembles every chunk.
      }
      return accumulator.toCompletion();
    },
    async plain(testCase) {
      return safeJsonParse(testCase.body.toString('utf8')) as ChatCompletion;
    },
    async error(testCase: ConformanceCase): Promise<ExpectedError> {
      const body = safeJsonParse(testCase.body.toString('utf8'));
      if (!isApiErrorBody(body)) throw new Error('the error body has no error.message');
      const { message, type, param, code } = body.error;
      return { status: testCase.status, error: { message, type, param, code } };
    },
    async close() {},
  };
}

async function* toAsync(pieces: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const piece of pieces) yield piece;
}
