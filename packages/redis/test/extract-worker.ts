// One process of the shared-batch tests: runs `extractMany` over the same inputs as its siblings with the
// Redis journal and queue, reports each finished item and its summary over IPC, then exits. Configured by
// environment variables (see extract-batch.test.ts).
import { createClient } from '@chatloop/core';
import { batchInputKey, extractMany } from '@chatloop/extract';
import { createRedisExtractBackend } from '../src/redis-extract-backend.js';
import { batchInputs, NUMBER_SCHEMA } from './extract-batch-fixtures.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`extract worker: ${name} is not set`);
  return value;
};

const inputs = batchInputs(Number(env('BATCH_ITEMS')));
const backend = await createRedisExtractBackend({
  url: env('REDIS_URL'),
  batchId: env('BATCH_ID'),
  leaseMs: Number(env('BATCH_LEASE_MS')),
  pollMs: 20,
});
const client = createClient({ baseURL: env('CHATLOOP_BASE_URL'), apiKey: 'sk-batch-test-key' });
try {
  const summary = await extractMany(inputs, {
    client,
    model: env('BATCH_MODEL'),
    schema: NUMBER_SCHEMA,
    concurrency: Number(env('BATCH_CONCURRENCY')),
    journal: backend.journal,
    queue: backend.queue(inputs, { key: batchInputKey }),
    onItem: (event) => process.send?.({ type: 'item', key: event.key, ok: event.ok }),
  });
  process.send?.({ type: 'summary', stopped: summary.stopped, done: summary.done, failed: summary.failed });
} finally {
  await client.close();
  await backend.close();
}
process.disconnect?.();
