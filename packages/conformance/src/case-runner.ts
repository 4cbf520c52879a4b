import type { ChatCompletion } from '@chatloop/protocol';
import type { ConformanceCase } from './corpus.js';
import type { ExpectedError } from './expected-projection.js';

/** Runs one recorded case through some path of the library and reports what it produced. */
export interface CaseRunner {
  /** Assembles a stream case served as `pieces` (the body cut at some byte positions). */
  stream(testCase: ConformanceCase, pieces: readonly Uint8Array[]): Promise<ChatCompletion>;
  /** Reads a plain JSON case. */
  plain(testCase: ConformanceCase): Promise<ChatCompletion>;
  /** Reads an error case and reports the status and error fields it surfaced. */
  error(testCase: ConformanceCase): Promise<ExpectedError>;
  /** Releases whatever the runner holds (servers, sockets). */
  close(): Promise<void>;
}
