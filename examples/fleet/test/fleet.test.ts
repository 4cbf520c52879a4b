import { hasRedisServer } from '@chatloop/redis';
import { describe, expect, it } from 'vitest';
import { runFleet } from '../src/main.js';

const describeRedis = hasRedisServer() || process.env.CHATLOOP_CI ? describe : describe.skip;

describeRedis('examples/fleet', () => {
  it('runs a producer and 3 workers on one key and the fleet ledger equals the server ledger', async () => {
    const lines: string[] = [];
    const report = await runFleet({ workers: 3, runs: 30, rpm: 6_000, log: (line) => lines.push(line) });
    expect(report.fleet.runs).toBe(30);
    expect(report.workers).toHaveLength(3);
    expect(report.workers.reduce((sum, worker) => sum + worker.runs, 0)).toBe(30);
    expect(report.fleet.requests).toBe(60);
    expect(report.fleet).toMatchObject({
      requests: report.server.requests,
      promptTokens: report.server.promptTokens,
      completionTokens: report.server.completionTokens,
    });
    expect(lines.some((line) => line.startsWith('  worker-1:'))).toBe(true);
  }, 120_000);
});
