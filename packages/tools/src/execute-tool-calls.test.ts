import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { deferred, toolCall } from '../test/tool-calls.js';
import { defineTool, type ToolContext } from './define-tool.js';
import { executeToolCalls } from './execute-tool-calls.js';
import { isToolCallsAbortedError } from './tool-errors.js';
import type { ToolEvent } from './tool-events.js';
import { createToolRegistry } from './tool-registry.js';

const add = defineTool({
  name: 'add',
  parameters: z.object({ a: z.number(), b: z.number() }),
  execute: ({ a, b }) => a + b,
});

describe('executeToolCalls', () => {
  it('runs calls and answers each with a tool message, in call order', async () => {
    const registry = createToolRegistry([add]);
    const results = await executeToolCalls(
      [toolCall('c1', 'add', { a: 1, b: 2 }), toolCall('c2', 'add', { a: 3, b: 4 })],
      registry,
    );
    expect(results.map((result) => result.message)).toEqual([
      { role: 'tool', tool_call_id: 'c1', content: '3' },
      { role: 'tool', tool_call_id: 'c2', content: '7' },
    ]);
    expect(results[0]).toMatchObject({
      toolCallId: 'c1',
      name: 'add',
      ok: true,
      value: 3,
      arguments: { a: 1, b: 2 },
    });
  });

  it('turns every failure into an ok: false result the model can read, and a typed event', async () => {
    const boom = defineTool({
      name: 'boom',
      parameters: z.object({}),
      execute: () => {
        throw new Error('database password=hunter2 rejected\n    at Object.<anonymous> (/srv/app.js:1:1)');
      },
    });
    const slow = defineTool({
      name: 'slow',
      parameters: z.object({}),
      timeoutMs: 5,
      execute: (_args, context) =>
        new Promise((_resolve, reject) =>
          context.signal.addEventListener('abort', () => reject(context.signal.reason)),
        ),
    });
    const events: ToolEvent[] = [];
    const results = await executeToolCalls(
      [
        toolCall('c1', 'nope', {}),
        toolCall('c2', 'add', '{"a": 1, "b": '),
        toolCall('c3', 'add', { a: 'one', b: 2 }),
        toolCall('c4', 'boom', {}),
        toolCall('c5', 'slow', {}),
      ],
      createToolRegistry([add, boom, slow]),
      { onEvent: (event) => events.push(event) },
    );
    expect(results.map((result) => [result.ok, result.error?.code])).toEqual([
      [false, 'tool_unknown'],
      [false, 'tool_arguments_invalid'],
      [false, 'tool_arguments_invalid'],
      [false, 'tool_execution_failed'],
      [false, 'tool_timeout'],
    ]);
    const [unknown, malformed, invalid, thrown, timedOut] = results.map((result) => result.content);
    expect(unknown).toBe('Error: Unknown tool "nope". Available tools: add, boom, slow.');
    expect(malformed).toContain('not valid JSON');
    expect(invalid).toContain('- a: ');
    expect(thrown).toBe('Error: tool "boom" failed: Error: database password=[REDACTED] rejected');
    expect(thrown).not.toContain('app.js');
    expect(timedOut).toContain('did not finish within 5 ms');
    const terminal = events.filter((event) => event.type !== 'tool_call_started');
    expect(terminal.map((event) => event.type)).toEqual(Array(5).fill('tool_call_failed'));
    expect(events.filter((event) => event.type === 'tool_call_started')).toHaveLength(5);
  });

  it('gives each tool a context: call id, idempotency key from the prefix, run context, signal', async () => {
    const seen: ToolContext<{ userId: string }>[] = [];
    const probe = defineTool({
      name: 'probe',
      parameters: z.object({}),
      execute: (_args, context: ToolContext<{ userId: string }>) => {
        seen.push(context);
        return 'ok';
      },
    });
    await executeToolCalls([toolCall('call_9', 'probe', {})], createToolRegistry([probe]), {
      idempotencyKeyPrefix: 'run_1',
      context: { userId: 'u1' },
    });
    expect(seen[0]).toMatchObject({
      toolCallId: 'call_9',
      toolName: 'probe',
      idempotencyKey: 'run_1:call_9',
      context: { userId: 'u1' },
    });
    expect(seen[0]?.signal).toBeInstanceOf(AbortSignal);
  });

  it('rejects with an abort error at once when the signal aborts, aborting running tools', async () => {
    const started = deferred();
    let toolSignal: AbortSignal | undefined;
    const hang = defineTool({
      name: 'hang',
      parameters: z.object({}),
      execute: (_args, context) => {
        toolSignal = context.signal;
        started.resolve();
        return new Promise(() => undefined);
      },
    });
    const controller = new AbortController();
    const running = executeToolCalls([toolCall('c1', 'hang', {})], createToolRegistry([hang]), {
      signal: controller.signal,
    });
    await started.promise;
    controller.abort(new Error('user cancelled'));
    const error = await running.catch((caught: unknown) => caught);
    expect(isToolCallsAbortedError(error)).toBe(true);
    expect(toolSignal?.aborted).toBe(true);
  });
});
