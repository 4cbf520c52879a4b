import {
  type APIError,
  createClient,
  isAPIError,
  isAuthenticationError,
  isBadRequestError,
  isConflictError,
  isInternalServerError,
  isNotFoundError,
  isPermissionDeniedError,
  isRateLimitError,
  isUnprocessableEntityError,
} from '@chatloop/core';
import { type ChatCompletionRequest, isApiErrorBody } from '@chatloop/protocol';
import type { CaseRunner } from './case-runner.js';
import { type CaseServer, startCaseServer } from './case-server.js';
import type { ExpectedError } from './expected-projection.js';

/** The request every case is asked with; the recorded answer does not depend on it. */
const REQUEST: ChatCompletionRequest = {
  model: 'conformance',
  messages: [{ role: 'user', content: 'Replay the recorded answer.' }],
};

/** The typed-error guard each HTTP status must satisfy. */
const GUARD_BY_STATUS: Record<number, (error: unknown) => boolean> = {
  400: isBadRequestError,
  401: isAuthenticationError,
  403: isPermissionDeniedError,
  404: isNotFoundError,
  409: isConflictError,
  422: isUnprocessableEntityError,
  429: isRateLimitError,
};

/**
 * A {@link CaseRunner} that goes through the public client of @chatloop/core: each case is served by
 * a loopback HTTP server, and read with `client.stream(...).final()` (stream cases), `client.chat`
 * (plain cases), or caught as the typed error (error cases). A fresh client per call, closed after it.
 */
export async function createClientRunner(): Promise<CaseRunner> {
  const server: CaseServer = await startCaseServer();
  const withClient = async <T>(
    baseURL: string,
    use: (client: ReturnType<typeof createClient>) => Promise<T>,
  ) => {
    const client = createClient({
      baseURL,
      apiKey: 'sk-conformance',
      timeoutMs: 30_000,
      idleTimeoutMs: 10_000,
    });
    try {
      return await use(client);
    } finally {
      await client.close();
    }
  };
  return {
    stream(testCase, pieces) {
      return withClient(server.baseURL(testCase, pieces), (client) => client.stream(REQUEST).final());
    },
    plain(testCase) {
      return withClient(server.baseURL(testCase, [testCase.body]), (client) => client.chat(REQUEST));
    },
    error(testCase) {
      return withClient(server.baseURL(testCase, [testCase.body]), async (client) => {
        try {
          await client.chat(REQUEST);
        } catch (error) {
          return describeError(error);
        }
        throw new Error(`expected an error with status ${testCase.status}, got a completion`);
      });
    },
    close: () => server.close(),
  };
}

/**
 * Projects a typed API error onto the corpus's error fields. The provider's message must appear in
 * the error's own message; a wrong error class for the status is reported as a mismatch.
 */
function describeError(error: unknown): ExpectedError {
  if (!isAPIError(error)) throw error;
  const apiError = error as APIError;
  const guard =
    GUARD_BY_STATUS[apiError.status] ?? (apiError.status >= 500 ? isInternalServerError : undefined);
  if (guard !== undefined && !guard(apiError)) {
    throw new Error(`status ${apiError.status} gave ${apiError.name}, not its own error class`);
  }
  const bodyMessage = isApiErrorBody(apiError.body) ? apiError.body.error.message : undefined;
  const message =
    bodyMessage !== undefined && apiError.message.includes(bodyMessage) ? bodyMessage : apiError.message;
  return {
    status: apiError.status,
    error: {
      message,
      type: apiError.type ?? null,
      param: apiError.param ?? null,
      code: apiError.apiCode ?? null,
    },
  };
}
