// The fleet example: one producer and N worker processes sharing one API key through Redis, offline.
// It starts a private redis-server and the chatloop testing server on 127.0.0.1, forks the workers,
// submits the runs, and prints per-worker and fleet totals next to what the server billed.
import { type ChildProcess, fork } from 'node:child_process';
import { parseArgs } from 'node:util';
import type { ChatCompletionRequest } from '@chatloop/protocol';
import { createAgentRuns, createBackend, hasRedisServer, startRedisServer } from '@chatloop/redis';
import { scriptedModel, startServer } from '@chatloop/testing';

export interface FleetReport {
  workers: { workerId: string; runs: number; promptTokens: number; completionTokens: number }[];
  fleet: { runs: number; requests: number; promptTokens: number; completionTokens: number };
  server: { requests: number; promptTokens: number; completionTokens: number };
  peakRequestsPerSecond: number;
}

/** Asks for the order, then answers from the tool result. */
async function supportTurn(request: ChatCompletionRequest) {
  const last = request.messages.at(-1);
  if (last?.role === 'tool') return { content: `Your order is on its way: ${String(last.content)}` };
  const user = [...request.messages].reverse().find((message) => message.role === 'user');
  const orderId = String(user?.content ?? '').match(/\d+/)?.[0] ?? '0';
  return { toolCalls: [{ name: 'lookup_order', arguments: { orderId } }] };
}

export async function runFleet(options: {
  workers: number;
  runs: number;
  rpm: number;
  log?: (line: string) => void;
}): Promise<FleetReport> {
  const log = options.log ?? console.log;
  if (!hasRedisServer()) throw new Error('redis-server is not installed: apt-get install -y redis-server');
  const redis = await startRedisServer();
  const server = await startServer({
    apiKey: 'sk-shared-fleet-key',
    models: { 'support-model': scriptedModel([supportTurn]) },
  });
  const children: ChildProcess[] = [];
  const backend = await createBackend({ redisUrl: redis.url, queue: { queueName: 'fleet-example' } });
  try {
    log(
      `redis ${redis.url}, model server ${server.url}, ${options.workers} workers, fleet budget ${options.rpm} requests/min`,
    );
    const workerScript = new URL('./worker.ts', import.meta.url).pathname;
    const totals = new Map<string, FleetReport['workers'][number]>();
    await Promise.all(
      Array.from({ length: options.workers }, (_, i) => {
        const child = fork(workerScript, [`worker-${i + 1}`, redis.url, server.url, String(options.rpm)], {
          execArgv: ['--import', 'tsx', '--conditions=@chatloop/source'],
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        });
        children.push(child);
        child.on(
          'message',
          (message: {
            type: string;
            workerId: string;
            runs: number;
            promptTokens: number;
            completionTokens: number;
          }) => {
            if (message.type === 'totals') totals.set(message.workerId, message);
          },
        );
        return new Promise((resolve, reject) => {
          child.once('message', resolve);
          child.once('exit', (code) => reject(new Error(`worker ${i + 1} exited with ${code}`)));
        });
      }),
    );
    const producer = createAgentRuns({ backend, agents: {} });
    const started = Date.now();
    const ids = await Promise.all(
      Array.from({ length: options.runs }, (_, i) =>
        producer.submit('support', `Where is order ${1000 + i}?`, { runId: `order-${1000 + i}` }),
      ),
    );
    log(`submitted ${ids.length} runs`);
    const summaries = await Promise.all(ids.map(({ runId }) => producer.result(runId, 120_000)));
    log(
      `all ${summaries.length} runs finished in ${((Date.now() - started) / 1_000).toFixed(1)} s; e.g. "${summaries[0]?.text}"`,
    );
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
    const workers = [...totals.values()].sort((a, b) => a.workerId.localeCompare(b.workerId));
    for (const worker of workers) {
      log(
        `  ${worker.workerId}: ${worker.runs} runs, ${worker.promptTokens} prompt + ${worker.completionTokens} completion tokens`,
      );
    }
    const ledger = await backend.ledger.get('fleet-example');
    const served = server.ledger.snapshot();
    const times = server.requests.map((request) => request.receivedAt).sort((a, b) => a - b);
    let peak = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while (j < times.length && (times[j] ?? 0) < (times[i] ?? 0) + 1_000) j++;
      peak = Math.max(peak, j - i);
    }
    const report: FleetReport = {
      workers,
      fleet: {
        runs: summaries.length,
        requests: ledger.requests,
        promptTokens: ledger.promptTokens,
        completionTokens: ledger.completionTokens,
      },
      server: {
        requests: served.requests,
        promptTokens: served.promptTokens,
        completionTokens: served.completionTokens,
      },
      peakRequestsPerSecond: peak,
    };
    log(
      `fleet ledger: ${ledger.requests} requests, ${ledger.promptTokens} prompt + ${ledger.completionTokens} completion tokens`,
    );
    log(
      `server billed: ${served.requests} requests, ${served.promptTokens} prompt + ${served.completionTokens} completion tokens`,
    );
    log(`busiest second at the server: ${peak} requests (fleet budget ${options.rpm}/min)`);
    return report;
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await backend.close();
    await server.close();
    await redis.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      workers: { type: 'string', default: '3' },
      runs: { type: 'string', default: '60' },
      rpm: { type: 'string', default: '600' },
    },
  });
  await runFleet({ workers: Number(values.workers), runs: Number(values.runs), rpm: Number(values.rpm) });
}
