import { afterEach, describe, expect, it } from 'vitest';
import { postChat } from '../test/sse.js';
import { type ServerOptions, startServer, type TestServer } from './server.js';
import { countPromptTokens } from './token-count.js';

const servers: TestServer[] = [];
async function serve(options: ServerOptions): Promise<TestServer> {
  const server = await startServer(options);
  servers.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const hello = { model: 'gpt-4o', messages: [{ role: 'user' as const, content: 'Hello' }] };

describe('rate limits', () => {
  it('sends x-ratelimit-* headers on every answer and a 429 with retry-after when over rpm', async () => {
    let now = 0;
    const server = await serve({ rateLimit: { rpm: 2, tpm: 10_000 }, now: () => now });
    const first = await postChat(server.url, hello);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-limit-requests')).toBe('2');
    expect(first.headers.get('x-ratelimit-remaining-requests')).toBe('1');
    expect(first.headers.get('x-ratelimit-limit-tokens')).toBe('10000');
    expect(Number(first.headers.get('x-ratelimit-remaining-tokens'))).toBeLessThan(10_000);
    await postChat(server.url, hello);
    now = 20_000;
    const limited = await postChat(server.url, hello);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('40');
    expect(limited.headers.get('retry-after-ms')).toBe('40000');
    expect(limited.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(await limited.json()).toMatchObject({ error: { type: 'requests', code: 'rate_limit_exceeded' } });
    now = 60_000;
    expect((await postChat(server.url, hello)).status).toBe(200);
    expect(server.ledger.requests).toBe(3);
  });

  it('answers 429 when the prompt would exceed tpm, without calling the model', async () => {
    const server = await serve({ rateLimit: { tpm: countPromptTokens(hello) + 3 }, now: () => 0 });
    expect((await postChat(server.url, hello)).status).toBe(200);
    const limited = await postChat(server.url, hello);
    expect(limited.status).toBe(429);
    expect(await limited.json()).toMatchObject({ error: { type: 'tokens' } });
    expect(server.ledger.requests).toBe(1);
  });
});
