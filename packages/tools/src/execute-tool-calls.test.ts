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

const ticks = async (count: number) => {
  for (let i = 0; i < count; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('executeToolCalls: scheduling', () => {
  it('respects the concurrency limit and keeps call order whatever the finishing order', async () => {
    let running = 0;
    let maxRunning = 0;
    const work = defineTool({
      name: 'work',
      parameters: z.object({ n: z.number() }),
      execute: async ({ n }) => {
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        await ticks(10 - n);
        running -= 1;
        return `done ${n}`;
      },
    });
    const calls = Array.from({ length: 8 }, (_, n) => toolCall(`c${n}`, 'work', { n }));
    const results = await executeToolCalls(calls, createToolRegistry([work]), { concurrency: 3 });
    expect(maxRunning).toBe(3);
    expect(results.map((result) => result.content)).toEqual(calls.map((_, n) => `done ${n}`));
    expect(results.map((result) => result.toolCallId)).toEqual(calls.map((call) => call.id));
  });

  it('runs sequential tools one at a time, in call order, beside parallel ones', async () => {
    const log: string[] = [];
    let writing = 0;
    let overlap = false;
    const write = defineTool({
      name: 'write',
      parameters: z.object({ n: z.number() }),
      sequential: true,
      execute: async ({ n }) => {
        writing += 1;
        if (writing > 1) overlap = true;
        log.push(`start ${n}`);
        await ticks(5 - n);
        writing -= 1;
        return n;
      },
    });
    const read = defineTool({ name: 'read', parameters: z.object({}), execute: () => 'r' });
    const calls = [0, 1, 2, 3].map((n) => toolCall(`w${n}`, 'write', { n }));
    const results = await executeToolCalls(
      [...calls, toolCall('r', 'read', {})],
      createToolRegistry([write, read]),
      {
        concurrency: 8,
      },
    );
    expect(overlap).toBe(false);
    expect(log).toEqual(['start 0', 'start 1', 'start 2', 'start 3']);
    expect(results.every((result) => result.ok)).toBe(true);
  });

  it('de-duplicates identical calls within a batch when asked (key order does not matter)', async () => {
    let runs = 0;
    const search = defineTool({
      name: 'search',
      parameters: z.object({ q: z.string(), page: z.number() }),
      execute: ({ q, page }) => {
        runs += 1;
        return `${q}#${page}`;
      },
    });
    const registry = createToolRegistry([search]);
    const calls = [
      toolCall('a', 'search', '{"q":"x","page":1}'),
      toolCall('b', 'search', '{"page":1,"q":"x"}'),
      toolCall('c', 'search', '{"q":"x","page":2}'),
    ];
    const results = await executeToolCalls(calls, registry, { dedupe: true });
    expect(runs).toBe(2);
    expect(results.map((result) => [result.toolCallId, result.content, result.deduplicated])).toEqual([
      ['a', 'x#1', false],
      ['b', 'x#1', true],
      ['c', 'x#2', false],
    ]);
    runs = 0;
    await executeToolCalls(calls, registry);
    expect(runs).toBe(3);
  });

  it('de-duplicates across batches through a shared cache, but never caches a failure', async () => {
    let runs = 0;
    let fail = true;
    const flaky = defineTool({
      name: 'flaky',
      parameters: z.object({ id: z.string() }),
      execute: ({ id }) => {
        runs += 1;
        if (fail) throw new Error('temporary');
        return id;
      },
    });
    const registry = createToolRegistry([flaky]);
    const cache = new Map();
    const first = await executeToolCalls([toolCall('a', 'flaky', { id: '1' })], registry, { dedupe: cache });
    expect(first[0]?.ok).toBe(false);
    fail = false;
    const second = await executeToolCalls([toolCall('b', 'flaky', { id: '1' })], registry, { dedupe: cache });
    const third = await executeToolCalls([toolCall('c', 'flaky', { id: '1' })], registry, { dedupe: cache });
    expect([second[0]?.ok, third[0]?.ok, third[0]?.deduplicated]).toEqual([true, true, true]);
    expect(runs).toBe(2);
  });
});

describe('executeToolCalls: approvals', () => {
  const transfer = defineTool({
    name: 'transfer',
    parameters: z.object({ usd: z.number() }),
    needsApproval: ({ usd }) => usd > 100,
    execute: ({ usd }) => `sent ${usd}`,
  });
  const registry = createToolRegistry([transfer]);

  it('does not run a call that needs approval without an approver', async () => {
    const [small, large] = await executeToolCalls(
      [toolCall('a', 'transfer', { usd: 5 }), toolCall('b', 'transfer', { usd: 500 })],
      registry,
    );
    expect(small?.content).toBe('sent 5');
    expect(large).toMatchObject({ ok: false, error: { code: 'tool_approval_required' } });
    expect(large?.content).toContain('needs approval');
  });

  it('asks the approver with the validated arguments and obeys it', async () => {
    const asked: unknown[] = [];
    const results = await executeToolCalls(
      [toolCall('a', 'transfer', { usd: 500 }), toolCall('b', 'transfer', { usd: 900 })],
      registry,
      {
        approve: ({ arguments: args, toolCall: call }) => {
          asked.push(args);
          return call.id === 'a';
        },
      },
    );
    expect(asked).toEqual([{ usd: 500 }, { usd: 900 }]);
    expect(results[0]?.content).toBe('sent 500');
    expect(results[1]).toMatchObject({ ok: false, error: { code: 'tool_approval_denied' } });
  });

  it('answers a throwing approver as a failed call', async () => {
    const [result] = await executeToolCalls([toolCall('a', 'transfer', { usd: 500 })], registry, {
      approve: () => {
        throw new Error('approval service down');
      },
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'tool_execution_failed' } });
    expect(result?.content).toContain('approval service down');
  });
});

describe('executeToolCalls: failures, limits and safety', () => {
  it('times out a tool that ignores its signal, and aborts that signal', async () => {
    let signal: AbortSignal | undefined;
    const stubborn = defineTool({
      name: 'stubborn',
      parameters: z.object({}),
      execute: (_args, context) => {
        signal = context.signal;
        return new Promise(() => undefined);
      },
    });
    const [result] = await executeToolCalls([toolCall('a', 'stubborn', {})], createToolRegistry([stubborn]), {
      timeoutMs: 1,
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'tool_timeout', timeoutMs: 1 } });
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toMatchObject({ code: 'tool_timeout' });
  });

  it('on abort: rejects at once, queued calls never start, no timer or listener is left', async () => {
    const before = process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    const started: string[] = [];
    const gate = deferred();
    const hang = defineTool({
      name: 'hang',
      parameters: z.object({ id: z.string() }),
      execute: ({ id }) => {
        started.push(id);
        gate.resolve();
        return new Promise(() => undefined);
      },
    });
    const controller = new AbortController();
    const running = executeToolCalls(
      ['a', 'b', 'c'].map((id) => toolCall(id, 'hang', { id })),
      createToolRegistry([hang]),
      { signal: controller.signal, concurrency: 1 },
    );
    await gate.promise;
    controller.abort();
    await expect(running).rejects.toMatchObject({ code: 'aborted' });
    await ticks(3);
    expect(started).toEqual(['a']);
    expect(process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length).toBe(before);
  });

  it('rejects before running anything when the signal is already aborted', async () => {
    let ran = false;
    const tool = defineTool({
      name: 't',
      parameters: z.object({}),
      execute: () => {
        ran = true;
      },
    });
    await expect(
      executeToolCalls([toolCall('a', 't', {})], createToolRegistry([tool]), { signal: AbortSignal.abort() }),
    ).rejects.toMatchObject({ code: 'aborted' });
    expect(ran).toBe(false);
  });

  it('caps huge outputs with a marker', async () => {
    const flood = defineTool({
      name: 'flood',
      parameters: z.object({}),
      execute: () => 'x'.repeat(5 * 1024 * 1024),
    });
    const [result] = await executeToolCalls([toolCall('a', 'flood', {})], createToolRegistry([flood]), {
      maxOutputChars: 4000,
    });
    expect(result?.truncated).toBe(true);
    expect(result?.content.length).toBeLessThanOrEqual(4000);
    expect(result?.content).toContain('…[truncated: output was 5242880 characters');
  });

  it('serialises BigInt and circular results, or fails them when unserializable is "error"', async () => {
    const circular: Record<string, unknown> = { n: 1n };
    circular.self = circular;
    const odd = defineTool({ name: 'odd', parameters: z.object({}), execute: () => circular });
    const registry = createToolRegistry([odd]);
    const [replaced] = await executeToolCalls([toolCall('a', 'odd', {})], registry);
    expect(replaced).toMatchObject({ ok: true, content: '{"n":"1","self":"[Circular]"}' });
    const [refused] = await executeToolCalls([toolCall('a', 'odd', {})], registry, {
      unserializable: 'error',
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'tool_output_invalid' } });
    expect(refused?.content).toContain('bigint, circular');
  });

  it('summarises thrown non-errors and redacts given secrets', async () => {
    const throwsString = defineTool({
      name: 's',
      parameters: z.object({}),
      execute: () => {
        throw 'connection to db with key SENTINEL-KEY-123 refused';
      },
    });
    const [result] = await executeToolCalls([toolCall('a', 's', {})], createToolRegistry([throwsString]), {
      secrets: ['SENTINEL-KEY-123'],
    });
    expect(result?.content).toBe(
      'Error: tool "s" failed: Error: connection to db with key [REDACTED] refused',
    );
    expect(JSON.stringify(result?.error)).not.toContain('SENTINEL-KEY-123');
  });

  it('keeps prototype-pollution payloads away from prototypes, for zod and JSON Schema tools', async () => {
    const seen: unknown[] = [];
    const zodTool = defineTool({
      name: 'z',
      parameters: z.object({ a: z.object({}).passthrough() }),
      execute: (args) => {
        seen.push(args);
        return 'ok';
      },
    });
    const jsonTool = defineTool({
      name: 'j',
      parameters: { type: 'object', properties: { a: { type: 'object' } } },
      execute: (args) => {
        seen.push(args);
        return 'ok';
      },
    });
    const payload =
      '{"a":{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}},"__proto__":{"x":1}}';
    const results = await executeToolCalls(
      [toolCall('1', 'z', payload), toolCall('2', 'j', payload)],
      createToolRegistry([zodTool, jsonTool]),
    );
    expect(results.every((result) => result.ok)).toBe(true);
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect(Object.prototype).not.toHaveProperty('x');
    for (const args of seen) {
      expect(Object.getPrototypeOf(args)).toBe(Object.prototype);
      expect(Object.getPrototypeOf((args as { a: object }).a)).toBe(Object.prototype);
      expect(JSON.stringify(args)).not.toContain('polluted');
    }
  });

  it('reports repairs, measures duration with the injected clock, and survives a throwing listener', async () => {
    let clock = 100;
    const results = await executeToolCalls(
      [toolCall('a', 'add', '```json\n{"a":1,"b":2,}\n```')],
      createToolRegistry([add]),
      {
        now: () => {
          clock += 5;
          return clock;
        },
        onEvent: () => {
          throw new Error('listener bug');
        },
      },
    );
    expect(results[0]).toMatchObject({
      ok: true,
      content: '3',
      repairs: ['code_fence_removed', 'trailing_commas_removed'],
    });
    expect(results[0]?.durationMs).toBe(5);
  });

  it('answers calls without a name or arguments', async () => {
    const noArgs = defineTool({ name: 'ping', parameters: z.object({}), execute: () => 'pong' });
    const results = await executeToolCalls(
      [toolCall('a', 'ping', ''), { id: 'b', type: 'function', function: { name: '', arguments: '{}' } }],
      createToolRegistry([noArgs]),
    );
    expect(results.map((result) => result.content)).toEqual([
      'pong',
      'Error: Unknown tool "". Available tools: ping.',
    ]);
    expect(results[0]?.repairs).toEqual(['empty_as_object']);
  });
});

describe('executeToolCalls: cancelling one call', () => {
  it('aborts only the call whose signal aborts; the others finish', async () => {
    const started = deferred();
    const release = deferred();
    let cancelledSignal: AbortSignal | undefined;
    const job = defineTool({
      name: 'job',
      parameters: z.object({ id: z.string() }),
      execute: async ({ id }, context) => {
        if (id === 'slow') {
          cancelledSignal = context.signal;
          started.resolve();
          return new Promise(() => undefined);
        }
        await release.promise;
        return `done ${id}`;
      },
    });
    const cancel = new AbortController();
    const running = executeToolCalls(
      [toolCall('a', 'job', { id: 'slow' }), toolCall('b', 'job', { id: 'fast' })],
      createToolRegistry([job]),
      { callSignal: (call) => (call.id === 'a' ? cancel.signal : undefined) },
    );
    await started.promise;
    cancel.abort();
    release.resolve();
    const [first, second] = await running;
    expect(first).toMatchObject({ ok: false, error: { code: 'tool_aborted' } });
    expect(first?.content).toBe('Error: the call to tool "job" was cancelled.');
    expect(cancelledSignal?.aborted).toBe(true);
    expect(second).toMatchObject({ ok: true, content: 'done fast' });
  });

  it('does not start a call whose signal is already aborted', async () => {
    let ran = false;
    const tool = defineTool({
      name: 't',
      parameters: z.object({}),
      execute: () => {
        ran = true;
      },
    });
    const [result] = await executeToolCalls([toolCall('a', 't', {})], createToolRegistry([tool]), {
      callSignal: () => AbortSignal.abort(),
    });
    expect(result?.error?.code).toBe('tool_aborted');
    expect(ran).toBe(false);
  });
});

describe('executeToolCalls: a sentinel key', () => {
  it('never reaches the content, the error message, its cause, toJSON or events', async () => {
    const SENTINEL = 'sk-sentinel-0123456789abcdef';
    const leaky = defineTool({
      name: 'leaky',
      parameters: z.object({}),
      execute: () => {
        throw new Error(`upstream rejected key ${SENTINEL}`);
      },
    });
    const events: ToolEvent[] = [];
    const [result] = await executeToolCalls([toolCall('a', 'leaky', {})], createToolRegistry([leaky]), {
      onEvent: (event) => events.push(event),
    });
    const error = result?.error;
    expect(error?.code).toBe('tool_execution_failed');
    const surfaces = [
      result?.content,
      error?.message,
      String((error?.cause as Error | undefined)?.message),
      String((error?.cause as Error | undefined)?.stack),
      JSON.stringify(error),
      JSON.stringify(error?.toJSON()),
      JSON.stringify(events.map((event) => ('result' in event ? event.result.content : event))),
    ];
    for (const surface of surfaces) expect(surface).not.toContain(SENTINEL);
    expect((error?.cause as Error | undefined)?.message).toBe('upstream rejected key [REDACTED]');
  });
});
