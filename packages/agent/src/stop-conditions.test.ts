import { describe, expect, it } from 'vitest';
import type { StepRecord } from './run-state.js';
import { hasToolCall, shouldStop, stepCountIs, stepMatches } from './stop-conditions.js';

const step = (index: number, tools: string[] = [], text = ''): StepRecord => ({
  index,
  model: 'm',
  finishReason: tools.length ? 'tool_calls' : 'stop',
  text,
  toolCalls: tools.map((name, i) => ({ id: `c${i}`, type: 'function', function: { name, arguments: '{}' } })),
  toolResults: [],
  usage: null,
  latencyMs: 0,
  retries: 0,
});

describe('stop conditions', () => {
  it('stepCountIs, hasToolCall and stepMatches decide on the steps so far', async () => {
    const steps = [step(0, ['search']), step(1, ['answer'])];
    const ctx = { steps, lastStep: steps[1]! };
    expect(await shouldStop([stepCountIs(2)], ctx)).toBe(true);
    expect(await shouldStop([stepCountIs(3)], ctx)).toBe(false);
    expect(await shouldStop([hasToolCall('answer')], ctx)).toBe(true);
    expect(await shouldStop([hasToolCall('search')], ctx)).toBe(false);
    expect(await shouldStop([hasToolCall()], ctx)).toBe(true);
    expect(await shouldStop([stepMatches(async (s) => s.index === 1)], ctx)).toBe(true);
    expect(await shouldStop([], ctx)).toBe(false);
  });
});
