// Benchmark of @chatloop/context: preparing a growing history turn after turn (one new message each
// time), time per turn at several history lengths. Prints figures; asserts nothing.
import { performance } from 'node:perf_hooks';
import {
  type ContextManager,
  composeManagers,
  elideToolResults,
  slidingWindow,
  tokenBudget,
} from '@chatloop/context';
import type { ChatMessage } from '@chatloop/protocol';

const CHECKPOINTS = [1_000, 2_500, 5_000, 10_000];
const SAMPLE_TURNS = 100;

function nextMessage(i: number): ChatMessage[] {
  const text = `step ${i}: ${'the agent reads a file and reports what it found there '.repeat(1 + (i % 5))}`;
  if (i % 3 === 2) {
    const id = `call_${i}`;
    return [
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id, type: 'function', function: { name: 'read', arguments: `{"i":${i}}` } }],
      },
      { role: 'tool', tool_call_id: id, content: text.repeat(i % 7 === 0 ? 60 : 1) },
    ];
  }
  return [{ role: i % 3 === 0 ? 'user' : 'assistant', content: text }];
}

async function measure(label: string, make: () => ContextManager, fresh = false) {
  const manager = make();
  const history: ChatMessage[] = [
    { role: 'system', content: 'You are an agent.' },
    { role: 'user', content: 'Do the long task.' },
  ];
  const ctx = { model: 'gpt-4o', contextWindow: 32_000, maxOutputTokens: 1_000 };
  const figures: string[] = [];
  let i = 0;
  for (const checkpoint of CHECKPOINTS) {
    const sample = fresh ? 5 : SAMPLE_TURNS;
    while (history.length < checkpoint - sample) {
      history.push(...nextMessage(i++));
      if (!fresh) await manager.prepare(history, ctx);
    }
    const times: number[] = [];
    while (history.length < checkpoint) {
      history.push(...nextMessage(i++));
      const start = performance.now();
      await (fresh ? make() : manager).prepare(history, ctx);
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)]!;
    figures.push(`${String(checkpoint).padStart(6)}: ${(median * 1000).toFixed(0).padStart(5)} µs`);
  }
  console.log(`${label.padEnd(36)} ${figures.join('   ')}`);
}

console.log('# median time per turn (one new message each turn) at history length (messages)\n');
await measure('tokenBudget', () => tokenBudget());
await measure('slidingWindow(50)', () => slidingWindow({ maxMessages: 50 }));
await measure('elideToolResults + tokenBudget', () => composeManagers(elideToolResults(), tokenBudget()));
await measure('tokenBudget from scratch (no caches)', () => tokenBudget(), true);
