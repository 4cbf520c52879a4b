// Benchmark (not a test): the cost of the resilience layer without any network: limiter permits per
// second, the retry + limiter middleware overhead per call over a send that answers at once, and a
// provider rewrite of a long transcript. Run: pnpm --filter @chatloop/core bench

import {
  createLimiter,
  createLimiterMiddleware,
  createRetryMiddleware,
  getProviderPreset,
  type SendFunction,
  type SendRequest,
} from '@chatloop/core';
import type { ChatCompletionRequest } from '@chatloop/protocol';

const PERMITS = Number(process.env.BENCH_PERMITS ?? 100_000);
const CALLS = Number(process.env.BENCH_CALLS ?? 100_000);
const REWRITES = Number(process.env.BENCH_REWRITES ?? 20_000);

function perSecond(count: number, ms: number): string {
  return Math.round((count / ms) * 1000).toLocaleString('en-US');
}

async function timed(run: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

async function permits(
  label: string,
  limiter: ReturnType<typeof createLimiter>,
  inFlight: number,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < PERMITS) {
      next++;
      const permit = await limiter.acquire({ scope: 'bench', tokens: 10 });
      await permit.settle({ tokens: 8 });
      await permit.release();
    }
  };
  const ms = await timed(() => Promise.all(Array.from({ length: inFlight }, worker)).then(() => undefined));
  console.log(`limiter ${label}: ${perSecond(PERMITS, ms)} permits/s (${inFlight} in flight)`);
}

const request: SendRequest = {
  body: { model: 'm', messages: [{ role: 'user', content: 'hello' }], max_tokens: 16 },
  kind: 'chat',
  signal: undefined,
  timeoutMs: 0,
  idleTimeoutMs: 0,
  headers: undefined,
  attempt: 1,
  waitedMs: 0,
};
const answer = {
  kind: 'chat' as const,
  completion: {
    id: 'c',
    object: 'chat.completion',
    created: 1,
    model: 'm',
    choices: [{ index: 0, message: { role: 'assistant' as const, content: 'hi' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 },
  },
  meta: {
    requestId: undefined,
    status: 200,
    headers: {},
    latencyMs: 0,
    attempts: 1,
    retries: 0,
    waitedMs: 0,
  },
};
const bare: SendFunction = async () => answer;

async function calls(label: string, send: SendFunction): Promise<number> {
  const ms = await timed(async () => {
    for (let i = 0; i < CALLS; i++) await send(request);
  });
  console.log(
    `send ${label}: ${perSecond(CALLS, ms)} calls/s, ${((ms * 1000) / CALLS).toFixed(2)} µs per call`,
  );
  return ms;
}

await permits('concurrency 32, no rate budget', createLimiter({ concurrency: 32 }), 64);
await permits(
  'concurrency 32, RPM + TPM windows',
  createLimiter({ concurrency: 32, requestsPerMinute: 1e12, tokensPerMinute: 1e12 }),
  64,
);

for (let round = 0; round < 2; round++) {
  const base = await calls('bare', bare);
  const retried = await calls('+ retry', createRetryMiddleware()(bare));
  const limited = await calls(
    '+ retry + limiter',
    createRetryMiddleware()(
      createLimiterMiddleware({ limiter: createLimiter({ concurrency: 32 }), scope: 'b' })(bare),
    ),
  );
  console.log(
    `overhead per call: retry ${(((retried - base) * 1000) / CALLS).toFixed(2)} µs, retry + limiter ${(((limited - base) * 1000) / CALLS).toFixed(2)} µs`,
  );
}

const transcript: ChatCompletionRequest = {
  model: 'deepseek-v4-pro',
  messages: Array.from({ length: 40 }, (_, index) =>
    index % 2 === 0
      ? { role: 'user' as const, content: `question ${index}` }
      : {
          role: 'assistant' as const,
          content: null,
          tool_calls: [
            { id: `c${index}`, type: 'function' as const, function: { name: 'f', arguments: '{}' } },
          ],
        },
  ),
  max_completion_tokens: 100,
};
const preset = getProviderPreset('deepseek');
const rewriteMs = await timed(async () => {
  for (let i = 0; i < REWRITES; i++) preset.rewrite(transcript);
});
console.log(`deepseek rewrite of a 40-message transcript: ${((rewriteMs * 1000) / REWRITES).toFixed(1)} µs`);
