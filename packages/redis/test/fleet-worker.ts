// One worker process of the fleet tests: registers the `support` agent by name and processes runs from
// the shared Redis queue until SIGTERM. Configured by environment variables (see fleet.test.ts).
import { appendFileSync } from 'node:fs';
import { Agent } from '@chatloop/agent';
import { createClient, type Limiter, type Permit } from '@chatloop/core';
import { defineTool } from '@chatloop/tools';
import { z } from 'zod';
import { createAgentRuns } from '../src/agent-runs.js';
import { createBackend } from '../src/backend.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`fleet worker: ${name} is not set`);
  return value;
};
const workerId = env('FLEET_WORKER_ID');
const toolLog = env('FLEET_TOOL_LOG');

const backend = await createBackend({
  redisUrl: env('REDIS_URL'),
  limits: {
    requestsPerMinute: Number(env('FLEET_RPM')),
    tokensPerMinute: Number(env('FLEET_TPM')),
    windowMs: Number(env('FLEET_WINDOW_MS')),
    // Fleet-wide requests in flight (leases in Redis); 0 = no cap.
    ...(Number(process.env.FLEET_IN_FLIGHT ?? 0) > 0
      ? { concurrency: Number(process.env.FLEET_IN_FLIGHT) }
      : {}),
  },
  queue: {
    queueName: env('FLEET_QUEUE'),
    lockDurationMs: Number(env('FLEET_LOCK_MS')),
    stalledIntervalMs: Math.min(1_000, Number(env('FLEET_LOCK_MS')) / 3),
    backoffMs: 50,
  },
});

// Every permit the shared limiter grants, on the Redis server's clock: the test checks the fleet budget
// on the limiter's own decisions as well as on what the server saw.
const grantLog = env('FLEET_GRANT_LOG');
const limiter: Limiter = {
  acquire: async (request) => {
    const permit = (await backend.limiter.acquire(request)) as Permit & { grantedAtMs?: number };
    appendFileSync(grantLog, `${permit.grantedAtMs ?? 0} ${request.tokens ?? 0}\n`);
    return permit;
  },
  pause: (scope, ms) => backend.limiter.pause(scope, ms),
};

const lookupOrder = defineTool({
  name: 'lookup_order',
  description: 'Look up an order by id.',
  parameters: z.object({ orderId: z.string() }),
  execute: async ({ orderId }, context) => {
    // One line per execution: the test counts them to prove journaled tools never run twice.
    appendFileSync(toolLog, `${context.idempotencyKey} ${orderId} ${workerId}\n`);
    return { orderId, status: 'shipped' };
  },
});

const runs = createAgentRuns({
  backend,
  ledgerScope: 'fleet',
  agents: {
    support: ({ store, executor }) =>
      new Agent({
        name: 'support',
        client: createClient({
          baseURL: env('CHATLOOP_BASE_URL'),
          apiKey: 'sk-fleet-test-key',
          maxRetries: 5,
          // One scope for the whole fleet: the key's budget, counted in Redis.
          limiter,
          limiterScope: env('FLEET_QUEUE'),
        }),
        model: env('FLEET_MODEL'),
        tools: [lookupOrder],
        modelSettings: { max_tokens: 50 },
        store,
        executor,
      }),
  },
});

const worker = runs.work({ concurrency: Number(env('FLEET_CONCURRENCY')) });
process.send?.({ type: 'ready', workerId });

const stop = async () => {
  await worker.close();
  await backend.close();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
