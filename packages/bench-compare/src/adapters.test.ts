import { startServer, type TestServer } from '@chatloop/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Adapter, createAdapters } from './adapters.js';
import {
  BENCH_MODELS,
  benchModels,
  LOOP_ANSWER,
  LOOP_STEPS,
  PLAIN_ANSWER,
  STREAM_ANSWER,
} from './bench-models.js';

// A smoke test, not a benchmark: each adapter runs each of its rows once, so none can silently break.
describe('bench-compare adapters', () => {
  let server: TestServer;
  let adapters: Adapter[];
  beforeAll(async () => {
    server = await startServer({ models: benchModels() });
    adapters = createAdapters(server.url);
  });
  afterAll(async () => {
    for (const adapter of adapters) await adapter.close();
    await server.close();
  });

  it('all return the same plain answer', async () => {
    const answers = await Promise.all(
      adapters.filter((a) => a.chat).map(async (a) => [a.name, await a.chat!()]),
    );
    expect(answers.map(([name]) => name)).toEqual(['bare-undici', 'chatloop', 'openai', 'ai-sdk']);
    for (const [, text] of answers) expect(text).toBe(PLAIN_ANSWER);
  });

  it('all read the same streamed text', async () => {
    const texts = await Promise.all(adapters.map((a) => a.stream!()));
    for (const text of texts) expect(text).toBe(STREAM_ANSWER);
  });

  it('all run the 10-step tool loop to the same answer', async () => {
    const before = server.requests.length;
    const answers = await Promise.all(adapters.map((a) => a.toolLoop!()));
    for (const answer of answers) expect(answer).toBe(LOOP_ANSWER);
    const loopRequests = server.requests.slice(before).filter((r) => {
      const body = r.body as { model?: string } | null;
      return body?.model === BENCH_MODELS.loop;
    });
    expect(loopRequests).toHaveLength(adapters.length * LOOP_STEPS);
  });
});
