// Fleet tests: real worker processes sharing one Redis and one API key against the testing server
// (RELIABILITY.md, "Across processes"). The server records when each request arrived and what it billed.
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChatCompletionRequest } from '@chatloop/protocol';
import { scriptedModel, startServer, type TestServer } from '@chatloop/testing';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { type AgentRunSummary, createAgentRuns } from '../src/agent-runs.js';
import { type Backend, createBackend } from '../src/backend.js';
import { connectRedis } from '../src/redis-connection.js';
import { RedisRunQueue } from '../src/redis-run-queue.js';
import { type RedisServerProcess, startRedisServer } from '../src/redis-server-process.js';
import { describeRedis } from './redis-harness.js';

const repoRoot = new URL('../../../', import.meta.url).pathname;
const workerScript = new URL('./fleet-worker.ts', import.meta.url).pathname;
const RUNS = Number(process.env.FLEET_RUNS ?? 1_000);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Asks for the order in the user message, then answers once the tool result is in. */
function supportTurn(delayFinalMs = 0) {
  return async (request: ChatCompletionRequest) => {
    const last = request.messages.at(-1);
    if (last?.role === 'tool') {
      if (delayFinalMs > 0) await sleep(delayFinalMs);
      return { content: 'Order shipped.' };
    }
    const user = request.messages.find((message) => message.role === 'user');
    const orderId = typeof user?.content === 'string' ? user.content : 'unknown';
    return { toolCalls: [{ name: 'lookup_order', arguments: { orderId } }] };
  };
}

/** The largest total weight of events in any window of `windowMs` starting at an event. */
function peakInWindow(events: readonly { at: number; weight: number }[], windowMs: number): number {
  const sorted = [...events].sort((a, b) => a.at - b.at);
  let peak = 0;
  for (let i = 0, j = 0, sum = 0; i < sorted.length; i++) {
    const start = sorted[i]?.at ?? 0;
    while (j < sorted.length && (sorted[j]?.at ?? 0) < start + windowMs) sum += sorted[j++]?.weight ?? 0;
    peak = Math.max(peak, sum);
    sum -= sorted[i]?.weight ?? 0;
  }
  return peak;
}

interface FleetConfig {
  queue: string;
  /** How long a worker's lock on a run lasts without renewal: a dead worker's runs move after it. */
  lockMs?: number;
  /** Fleet-wide cap on requests in flight (Redis leases). */
  inFlight?: number;
  model: string;
  rpm: number;
  tpm: number;
  windowMs: number;
  concurrency: number;
}

describeRedis('a fleet of worker processes on one Redis and one key', () => {
  let redis: RedisServerProcess;
  let server: TestServer;
  let dir: string;
  let toolLog: string;
  const children = new Set<ChildProcess>();
  const backends: Backend[] = [];
  let rateLimitFired = false;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'chatloop-fleet-'));
    redis = await startRedisServer({ persistDir: dir });
    server = await startServer({
      apiKey: 'sk-fleet-test-key',
      models: {
        'fleet-model': scriptedModel([supportTurn()]),
        'slow-model': scriptedModel([supportTurn(2_500)]),
      },
      faults: {
        // The first call of the run for order-rate-limited gets a 429 with retry-after: 1 s (its retry succeeds).
        pick: ({ body }) => {
          if (rateLimitFired || !JSON.stringify(body).includes('order-rate-limited')) return undefined;
          rateLimitFired = true;
          return {
            kind: 'status',
            status: 429,
            headers: { 'retry-after': '1' },
            body: { error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } },
          };
        },
      },
    });
  });
  afterEach(async () => {
    await Promise.all([...children].map((child) => stopWorker(child)));
    for (const backend of backends.splice(0)) await backend.close();
  });
  afterAll(async () => {
    await server.close();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function startWorker(id: string, config: FleetConfig): Promise<ChildProcess> {
    const child = fork(workerScript, [], {
      cwd: repoRoot,
      execArgv: ['--import', 'tsx', '--conditions=@chatloop/source'],
      env: {
        ...process.env,
        REDIS_URL: redis.url,
        CHATLOOP_BASE_URL: server.url,
        FLEET_WORKER_ID: id,
        FLEET_TOOL_LOG: toolLog,
        FLEET_GRANT_LOG: `${toolLog}.grants`,
        FLEET_QUEUE: config.queue,
        FLEET_MODEL: config.model,
        FLEET_RPM: String(config.rpm),
        FLEET_TPM: String(config.tpm),
        FLEET_WINDOW_MS: String(config.windowMs),
        FLEET_CONCURRENCY: String(config.concurrency),
        FLEET_LOCK_MS: String(config.lockMs ?? 15_000),
        FLEET_IN_FLIGHT: String(config.inFlight ?? 0),
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.add(child);
    child.once('exit', () => children.delete(child));
    return new Promise((resolve, reject) => {
      child.once('message', () => resolve(child));
      child.once('exit', (code) => reject(new Error(`worker ${id} exited with ${code} before it was ready`)));
    });
  }

  function stopWorker(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
      child.once('exit', () => {
        clearTimeout(force);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }

  async function producer(queue: string) {
    const backend = await createBackend({ redisUrl: redis.url, queue: { queueName: queue } });
    backends.push(backend);
    return { backend, runs: createAgentRuns({ backend, agents: {}, ledgerScope: 'fleet' }) };
  }

  async function waitForCompleted(queue: string, total: number, timeoutMs: number) {
    const view = new RedisRunQueue({ url: redis.url, queueName: queue });
    try {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const counts = await view.counts();
        if ((counts.completed ?? 0) + (counts.failed ?? 0) >= total) return counts;
        if (Date.now() > deadline) throw new Error(`timed out: ${JSON.stringify(counts)}`);
        await sleep(100);
      }
    } finally {
      await view.close();
    }
  }

  async function redisGrants(key: string): Promise<number[]> {
    const connection = await connectRedis(redis.url);
    try {
      const flat = await connection.zrange(key, '0', '-1', 'WITHSCORES');
      return flat.filter((_, i) => i % 2 === 1).map(Number);
    } finally {
      connection.disconnect();
    }
  }

  const toolLines = () =>
    readFileSync(toolLog, 'utf8')
      .split('\n')
      .filter((line) => line.length > 0);

  it('4 workers x 250 runs: fleet RPM/TPM hold at the server, every run ends once, usage equals the server ledger', async () => {
    toolLog = join(dir, 'tools-1.log');
    writeFileSync(toolLog, '');
    const config: FleetConfig = {
      queue: 'fleet-1',
      model: 'fleet-model',
      rpm: 1_500,
      tpm: 120_000,
      windowMs: 10_000,
      concurrency: 32,
      // A fleet-wide in-flight cap keeps bursts small enough for the one-process test server to stamp
      // arrivals on time; without it the server's backlog compresses arrival times after a burst.
      inFlight: 24,
    };
    const firstRequest = server.requests.length;
    const firstLedgerEntry = server.ledger.entries.length;
    const { backend, runs } = await producer(config.queue);
    await backend.ledger.reset('fleet');
    await Promise.all([1, 2, 3, 4].map((n) => startWorker(`w${n}`, config)));
    const submitted = await Promise.all(
      Array.from({ length: RUNS }, (_, i) => runs.submit('support', `order-${i}`, { runId: `run-${i}` })),
    );
    expect(submitted.every((run) => run.queued)).toBe(true);
    expect((await runs.submit('support', 'order-0', { runId: 'run-0' })).queued).toBe(false);
    const submittedAt = Date.now();
    const counts = await waitForCompleted(config.queue, RUNS, 220_000);
    const span = server.requests.slice(firstRequest).map((request) => request.receivedAt);
    console.info(
      `fleet: submitted ${RUNS} runs; first request +${Math.min(...span) - submittedAt} ms, last +${Math.max(...span) - submittedAt} ms, done +${Date.now() - submittedAt} ms`,
    );
    if (counts.failed) {
      const failures = await Promise.all(
        Array.from({ length: RUNS }, (_, i) => backend.runQueue.outcome(`run-${i}`)),
      );
      expect(failures.filter((outcome) => outcome.state === 'failed').slice(0, 3)).toEqual([]);
    }
    expect(counts.completed).toBe(RUNS);

    const summaries = await Promise.all(
      Array.from({ length: RUNS }, async (_, i) => {
        const outcome = await backend.runQueue.outcome(`run-${i}`);
        expect({ run: i, ...outcome }).toMatchObject({ run: i, state: 'completed' });
        return (outcome as { result: AgentRunSummary }).result;
      }),
    );
    expect(
      summaries.every((summary) => summary.endReason === 'stop' && summary.text === 'Order shipped.'),
    ).toBe(true);

    // Each run's tool ran exactly once, for its own order.
    const lines = toolLines();
    expect(lines).toHaveLength(RUNS);
    expect(new Set(lines.map((line) => line.split(' ')[0])).size).toBe(RUNS);

    // Every run made exactly two calls whose answers reached it (a call whose answer was lost, e.g. a
    // connection reset on a loaded machine, is billed by the server, retried, and counted apart).
    const requests = server.requests
      .slice(firstRequest)
      .filter((request) => request.path.includes('chat/completions'));
    const entries = server.ledger.entries.slice(firstLedgerEntry);
    const reported = entries.filter((entry) => entry.reported);
    expect(reported).toHaveLength(2 * RUNS);
    expect(requests.length).toBeGreaterThanOrEqual(2 * RUNS);
    // Requests are granted on Redis's clock and reach the server later: a worker's first calls pay for
    // connecting and warming up, and the one-process test server stamps a request when it gets to it.
    // The limiter's own grants are checked exactly (below); the server's windows are counted 1 s shorter
    // (10% of this time-compressed window, under 2% of a real 60 s one) to allow for that lag.
    const observed = config.windowMs - 1_000;
    const peakRequests = peakInWindow(
      requests.map((request) => ({ at: request.receivedAt, weight: 1 })),
      observed,
    );
    const grants = readFileSync(`${toolLog}.grants`, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => ({ at: Number(line.split(' ')[0]), weight: 1 }));
    const peakGrants = peakInWindow(grants, config.windowMs);
    console.info(
      `fleet: ${grants.length} grants, peak ${peakGrants} per ${config.windowMs} ms window; server peak ${peakRequests}`,
    );
    expect(peakGrants).toBeLessThanOrEqual(config.rpm);
    expect(peakRequests).toBeLessThanOrEqual(config.rpm);
    const peakTokens = peakInWindow(
      entries.map((entry) => ({
        at: server.requests[entry.requestIndex]?.receivedAt ?? 0,
        weight: entry.usage.total_tokens,
      })),
      observed,
    );
    expect(peakTokens).toBeLessThanOrEqual(config.tpm);
    console.info(
      `fleet: ${2 * RUNS} requests, peak ${peakRequests}/${config.rpm} requests and ${peakTokens}/${config.tpm} tokens per window`,
    );

    // Usage recorded by the fleet equals what the server billed and reported.
    const served = reported.reduce(
      (sum, entry) => ({
        prompt: sum.prompt + entry.usage.prompt_tokens,
        completion: sum.completion + entry.usage.completion_tokens,
      }),
      { prompt: 0, completion: 0 },
    );
    const ledger = await backend.ledger.get('fleet');
    expect(ledger.requests).toBe(2 * RUNS);
    expect(ledger.promptTokens).toBe(served.prompt);
    expect(ledger.completionTokens).toBe(served.completion);
  }, 240_000);

  it('one 429 pauses every worker for its retry-after', async () => {
    toolLog = join(dir, 'tools-2.log');
    writeFileSync(toolLog, '');
    const config: FleetConfig = {
      queue: 'fleet-2',
      model: 'fleet-model',
      rpm: 10_000,
      tpm: 10_000_000,
      windowMs: 60_000,
      concurrency: 4,
    };
    const { runs } = await producer(config.queue);
    await Promise.all([startWorker('a', config), startWorker('b', config)]);
    const firstRequest = server.requests.length;
    for (let i = 0; i < 20; i++) await runs.submit('support', `order-${i}`, { runId: `pause-${i}` });
    await waitForCompleted(config.queue, 10, 30_000);
    await runs.submit('support', 'order-rate-limited', { runId: 'pause-rate-limited' });
    for (let i = 20; i < 60; i++) await runs.submit('support', `order-${i}`, { runId: `pause-${i}` });
    await waitForCompleted(config.queue, 61, 60_000);
    expect((await runs.result('pause-rate-limited')).endReason).toBe('stop');

    const requests = server.requests.slice(firstRequest);
    const limitedAt =
      requests.find((request) => JSON.stringify(request.body).includes('order-rate-limited'))?.receivedAt ??
      0;
    const retriedAt =
      requests.filter((request) => JSON.stringify(request.body).includes('order-rate-limited'))[1]
        ?.receivedAt ?? 0;
    expect(retriedAt - limitedAt).toBeGreaterThanOrEqual(950);
    // The limiter's own record of grants (Redis server clock = this machine's clock): after the 429, no
    // worker was granted a call until its retry-after had passed.
    const grants = await redisGrants(`chatloop:limiter:{${config.queue}}:requests`);
    const pausedGrants = grants.filter((at) => at > limitedAt + 50 && at < limitedAt + 950);
    expect(pausedGrants).toEqual([]);
    expect(grants.some((at) => at >= limitedAt + 950)).toBe(true);
  }, 90_000);

  it('a worker killed with SIGKILL mid-run: another takes the run over from its checkpoint without re-running its tool', async () => {
    toolLog = join(dir, 'tools-3.log');
    writeFileSync(toolLog, '');
    const config: FleetConfig = {
      queue: 'fleet-3',
      lockMs: 1_500,
      model: 'slow-model',
      rpm: 10_000,
      tpm: 10_000_000,
      windowMs: 60_000,
      concurrency: 4,
    };
    const { backend, runs } = await producer(config.queue);
    const doomed = await startWorker('doomed', config);
    await runs.submit('support', 'order-kill', { runId: 'kill-1' });
    // Wait until step 1 (model call + tool) is checkpointed and the slow second call is in flight.
    for (let i = 0; i < 200; i++) {
      const state = await backend.runStore.load('kill-1');
      if (state && state.version >= 1 && state.steps.length >= 1) break;
      await sleep(50);
    }
    expect((await backend.runStore.load('kill-1'))?.steps.length).toBeGreaterThanOrEqual(1);
    doomed.kill('SIGKILL');
    await new Promise((resolve) => doomed.once('exit', resolve));
    await startWorker('rescuer', config);
    const summary = await runs.result('kill-1', 30_000);
    expect(summary.endReason).toBe('stop');
    expect(summary.text).toBe('Order shipped.');

    const lines = toolLines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('doomed');
    const events: { type: string; resumed?: boolean }[] = [];
    for await (const event of runs.events('kill-1'))
      events.push(event as { type: string; resumed?: boolean });
    expect(events.filter((event) => event.type === 'run_started').map((event) => event.resumed)).toEqual([
      false,
      true,
    ]);
    expect(events.filter((event) => event.type === 'run_finished')).toHaveLength(1);
  }, 60_000);

  it('Redis stopped mid-run: calls fail fast with a typed error, and queued runs finish after the restart', async () => {
    toolLog = join(dir, 'tools-4.log');
    writeFileSync(toolLog, '');
    const config: FleetConfig = {
      queue: 'fleet-4',
      model: 'fleet-model',
      rpm: 10_000,
      tpm: 10_000_000,
      windowMs: 60_000,
      concurrency: 2,
    };
    const { runs } = await producer(config.queue);
    await startWorker('survivor', config);
    for (let i = 0; i < 40; i++) await runs.submit('support', `order-${i}`, { runId: `outage-${i}` });
    await waitForCompleted(config.queue, 5, 30_000);
    await redis.stop();
    const started = performance.now();
    await expect(runs.submit('support', 'order-x', { runId: 'outage-x' })).rejects.toMatchObject({
      code: 'backend_unavailable',
    });
    expect(performance.now() - started).toBeLessThan(3_000);
    await sleep(1_000);
    await redis.start();
    const counts = await waitForCompleted(config.queue, 40, 60_000);
    expect(counts.completed).toBe(40);
    // Every run's tool ran. A run in flight when Redis stopped may not have journaled the model call
    // that asked for its tool, so its retry (a new model call, a new tool call id) may run the tool once
    // more: at most one extra execution per run in flight (see docs/scale-out.md, Semantics).
    const keys = toolLines().map((line) => line.split(' ')[0] ?? '');
    const runsExecuted = new Set(keys.map((key) => key.split(':')[0]));
    expect(runsExecuted.size).toBe(40);
    expect(keys.length - runsExecuted.size).toBeLessThanOrEqual(config.concurrency);
  }, 90_000);
});
