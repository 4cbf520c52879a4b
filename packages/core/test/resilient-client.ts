import { type ChatClient, type ClientOptions, createClient } from '../src/client.js';
import { type ResilienceOptions, resilienceMiddleware, resolveConnection } from '../src/client-resilience.js';

/** A client with the resilience layer, built the way `createClient` composes it. */
export function resilientClient(
  options: Omit<ClientOptions, 'baseURL'> & ResilienceOptions & { baseURL?: string },
): ChatClient {
  const connection = resolveConnection(options);
  return createClient({
    ...options,
    baseURL: connection.baseURL,
    ...(connection.apiKey === undefined ? {} : { apiKey: connection.apiKey }),
    ...(connection.apiKeyHeader === undefined ? {} : { apiKeyHeader: connection.apiKeyHeader }),
    ...(connection.query === undefined ? {} : { query: connection.query }),
    middleware: [...resilienceMiddleware(options, connection), ...(options.middleware ?? [])],
  });
}

/** A sleep that resolves at once and records what was asked (no real waiting in tests). */
export function instantSleep() {
  const sleeps: number[] = [];
  const sleep = async (ms: number, signal?: AbortSignal) => {
    signal?.throwIfAborted();
    sleeps.push(ms);
  };
  return { sleep, sleeps };
}
