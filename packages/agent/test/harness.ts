import type { ChatClient } from '@chatloop/core';
import { createClient } from '@chatloop/core';
import type { ChatCompletionRequest } from '@chatloop/protocol';
import type { ScriptedModel, ServerOptions, TestServer } from '@chatloop/testing';
import { startServer } from '@chatloop/testing';
import type { Dispatcher } from 'undici';
import { validateTranscript } from '../src/transcript.js';

/** A test server with scripted models and a client pointed at it; `close()` releases both. */
export interface Harness {
  server: TestServer;
  client: ChatClient;
  /** The chat-completion request bodies the server received, in order. */
  bodies(): ChatCompletionRequest[];
  close(): Promise<void>;
}

/** Starts the testing server (validation on) with `models`, and a client for it. */
export async function startHarness(
  models: Record<string, ScriptedModel>,
  options: Omit<ServerOptions, 'models'> & { apiKey?: string; dispatcher?: Dispatcher } = {},
): Promise<Harness> {
  const { dispatcher, ...serverOptions } = options;
  const server = await startServer({ ...serverOptions, models });
  const client = createClient({
    baseURL: server.url,
    ...(options.apiKey ? { apiKey: options.apiKey } : {}),
    ...(dispatcher ? { dispatcher } : {}),
  });
  return {
    server,
    client,
    bodies: () =>
      server.requests
        .filter((request) => request.path.startsWith('/v1/chat/completions'))
        .map((request) => request.body as ChatCompletionRequest),
    async close() {
      await client.close();
      await dispatcher?.close();
      await server.close();
    },
  };
}

/** Every request the server received has a valid transcript by the agent's own rule too. */
export function allTranscriptsValid(harness: Harness): boolean {
  return harness.bodies().every((body) => validateTranscript(body.messages).length === 0);
}
