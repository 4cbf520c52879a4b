import { request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import { startServer } from './server.js';

function resources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const name of process.getActiveResourcesInfo()) counts.set(name, (counts.get(name) ?? 0) + 1);
  return counts;
}

/** No kind of resource (socket, server, timer) is more numerous than at the baseline. */
function expectNoLeak(baseline: Map<string, number>): void {
  for (const [name, count] of resources()) expect(count, name).toBeLessThanOrEqual(baseline.get(name) ?? 0);
}

/** Opens a streamed request with node:http and resolves once the headers arrived. */
function openStream(url: string) {
  return new Promise<{ ended: Promise<string> }>((resolve, reject) => {
    const req = httpRequest(
      `${url}/chat/completions`,
      { method: 'POST', headers: { 'content-type': 'application/json' } },
      (res) => {
        const ended = new Promise<string>((done) => {
          res.on('error', () => done('error'));
          res.on('aborted', () => done('aborted'));
          res.on('close', () => done('closed'));
          res.resume();
        });
        resolve({ ended });
      },
    );
    req.on('error', reject);
    req.end(
      JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'a long answer' }] }),
    );
  });
}

describe('close()', () => {
  it('ends open streams, stops listening and leaves no handles behind', async () => {
    const baseline = resources();
    const server = await startServer({ chunkDelayMs: 60_000 });
    const stream = await openStream(server.url);
    await server.close();
    expect(await stream.ended).not.toBe('');
    expectNoLeak(baseline);
  });

  it('can be called on a server that served nothing', async () => {
    const baseline = resources();
    const server = await startServer();
    await server.close();
    expectNoLeak(baseline);
  });
});
