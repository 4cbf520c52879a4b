import { type ChatClient, type ClientOptions, createClient } from '../src/client.js';

/** A client with the resilience options (`createClient` composes them); kept as one seam for tests. */
export function resilientClient(options: ClientOptions): ChatClient {
  return createClient(options);
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
