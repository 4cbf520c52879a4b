import { ChatloopError } from '@chatloop/protocol';
import { startServer } from '@chatloop/testing';
import { describe, expect, it } from 'vitest';
import type { ResilienceEvent } from '../src/client-resilience.js';
import { createLimiter } from '../src/limiter.js';
import type { ChatResponse } from '../src/response-meta.js';
import type { SendMiddleware } from '../src/send.js';
import { resilientClient } from './resilient-client.js';

/** Count of each active resource kind (timers, sockets, ...). */
const handles = () => {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
};

describe('load: 500 concurrent calls, a rate-limiting server failing 10% with 5xx', () => {
  it('every call ends once, in a completion or a typed error; usage equals the ledger; nothing left', async () => {
    const baseline = handles();
    // The server's 100 requests per window, scaled down in time; the client's limiter keeps 30% under it
    // so arrival jitter on a loaded machine cannot push a window over the server's limit.
    const windowMs = 500;
    const server = await startServer({
      rateLimit: { rpm: 100, windowMs },
      faults: {
        rate: 0.1,
        seed: 7,
        pool: [500, 502, 503, 504].map((status) => ({ kind: 'status' as const, status })),
      },
    });
    let inFlight = 0;
    let maxInFlight = 0;
    const counting: SendMiddleware = (next) => async (request) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        return await next(request);
      } finally {
        inFlight--;
      }
    };
    const events: ResilienceEvent[] = [];
    const limiter = createLimiter({ requestsPerMinute: 70, windowMs, concurrency: 32 });
    const client = resilientClient({
      baseURL: server.url,
      limiter,
      retry: { maxRetries: 8, initialDelayMs: 5, maxDelayMs: 50 },
      middleware: [counting],
      onEvent: (event) => events.push(event),
    });
    const settled = new Array<number>(500).fill(0);
    const outcomes = await Promise.all(
      Array.from({ length: 500 }, (_, index) => {
        const request = {
          model: 'gpt-4.1-mini',
          messages: [{ role: 'user' as const, content: `call ${index}` }],
        };
        const call: Promise<ChatResponse> =
          index % 5 === 0 ? client.stream(request).final() : client.chat(request);
        return call.then(
          (response) => {
            settled[index] = (settled[index] ?? 0) + 1;
            return { ok: true as const, response };
          },
          (error: unknown) => {
            settled[index] = (settled[index] ?? 0) + 1;
            return { ok: false as const, error };
          },
        );
      }),
    );
    await client.close();
    await server.close();

    expect(settled.every((count) => count === 1)).toBe(true);
    const failures = outcomes.filter((outcome) => !outcome.ok);
    for (const failure of failures) expect(ChatloopError.is(failure.error)).toBe(true);
    expect(failures).toEqual([]);
    for (const [index, outcome] of outcomes.entries()) {
      if (outcome.ok) expect(outcome.response.choices[0]?.message.content).toBe(`call ${index}`);
    }
    expect(maxInFlight).toBeLessThanOrEqual(32);
    expect(events.filter((event) => event.type === 'retry' && event.reason === 'HTTP 429')).toEqual([]);
    const reported = server.ledger.entries.filter((entry) => entry.reported);
    expect(client.usage.requests).toBe(reported.length);
    expect(client.usage.totalTokens).toBe(reported.reduce((sum, entry) => sum + entry.usage.total_tokens, 0));
    expect(server.ledger.requests).toBe(500);
    const after = handles();
    for (const [kind, count] of Object.entries(after)) expect(count).toBeLessThanOrEqual(baseline[kind] ?? 0);
  });
});
