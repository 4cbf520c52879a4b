// One worker process: registers the `support` agent by name and processes runs from the shared queue.
// Every worker draws on one API key's budget through the Redis limiter. Reports its totals on SIGTERM.
import { Agent } from '@chatloop/agent';
import { createClient } from '@chatloop/core';
import { createAgentRuns, createBackend } from '@chatloop/redis';
import { defineTool } from '@chatloop/tools';
import { z } from 'zod';

const [workerId = 'worker', redisUrl = '', baseURL = '', rpm = '600'] = process.argv.slice(2);

const backend = await createBackend({
  redisUrl,
  limits: { requestsPerMinute: Number(rpm), concurrency: 16 },
  queue: { queueName: 'fleet-example' },
});

const lookupOrder = defineTool({
  name: 'lookup_order',
  description: 'Look up an order by id.',
  parameters: z.object({ orderId: z.string() }),
  execute: async ({ orderId }) => ({ orderId, status: 'shipped', carrier: 'DHL' }),
});

const totals = { runs: 0, promptTokens: 0, completionTokens: 0, costUSD: 0 };
const agents = createAgentRuns({
  backend,
  ledgerScope: 'fleet-example',
  onRunFinished: (summary) => {
    totals.runs++;
    totals.promptTokens += summary.usage.promptTokens;
    totals.completionTokens += summary.usage.completionTokens;
    totals.costUSD += summary.usage.costUSD;
  },
  agents: {
    support: ({ store, executor }) =>
      new Agent({
        name: 'support',
        client: createClient({
          baseURL,
          apiKey: 'sk-shared-fleet-key',
          maxRetries: 5,
          // One scope for the whole fleet: the key's budget, counted in Redis.
          limiter: backend.limiter,
          limiterScope: 'shared-key',
        }),
        model: 'support-model',
        instructions: 'You are a support agent. Use the tools to answer.',
        tools: [lookupOrder],
        modelSettings: { max_tokens: 64 },
        store,
        executor,
      }),
  },
});

const worker = agents.work({ concurrency: 8 });
process.send?.({ type: 'ready', workerId });
process.once('SIGTERM', async () => {
  await worker.close();
  await backend.close();
  process.send?.({ type: 'totals', workerId, ...totals }, () => process.exit(0));
});
