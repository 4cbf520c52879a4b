import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { toolCall } from '../test/tool-calls.js';
import { defineTool } from './define-tool.js';
import { executeToolCalls } from './execute-tool-calls.js';
import { isToolFailureLimitError } from './tool-errors.js';
import { createToolFailureTracker } from './tool-failure-tracker.js';
import { createToolRegistry } from './tool-registry.js';

const registry = createToolRegistry([
  defineTool({
    name: 'lookup',
    parameters: z.object({ id: z.string() }),
    execute: ({ id }) => `found ${id}`,
  }),
]);

describe('createToolFailureTracker', () => {
  it('stops after K identical failures with a typed error', async () => {
    const tracker = createToolFailureTracker({ maxIdenticalFailures: 3 });
    const bad = () => executeToolCalls([toolCall('c', 'lookup', { id: 7 })], registry);
    tracker.record(await bad());
    tracker.record(await bad());
    let caught: unknown;
    try {
      tracker.record(await bad());
    } catch (error) {
      caught = error;
    }
    expect(isToolFailureLimitError(caught)).toBe(true);
    expect(caught).toMatchObject({
      toolName: 'lookup',
      failures: 3,
      cause: { code: 'tool_arguments_invalid' },
    });
  });

  it('counts different failures apart, and a success clears the tool', async () => {
    const tracker = createToolFailureTracker({ maxIdenticalFailures: 2 });
    tracker.record(await executeToolCalls([toolCall('a', 'lookup', { id: 7 })], registry));
    tracker.record(await executeToolCalls([toolCall('b', 'lookup', '{')], registry));
    tracker.record(await executeToolCalls([toolCall('c', 'lookup', { id: 'x' })], registry));
    expect(tracker.snapshot()).toEqual({});
    tracker.record(await executeToolCalls([toolCall('d', 'lookup', { id: 7 })], registry));
    const resumed = createToolFailureTracker({ maxIdenticalFailures: 2, initial: tracker.snapshot() });
    const again = await executeToolCalls([toolCall('e', 'lookup', { id: 7 })], registry);
    expect(() => resumed.record(again)).toThrow(/failed the same way 2 times/);
    resumed.reset();
    expect(resumed.snapshot()).toEqual({});
  });
});
