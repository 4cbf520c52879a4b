import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createClient, createLimiter, type SendMiddleware } from '@chatloop/core';
import type { ChatCompletionRequest } from '@chatloop/protocol';
import { scriptedModel } from '@chatloop/testing';
import { defineTool } from '@chatloop/tools';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { allTranscriptsValid, type Harness, startHarness } from '../test/harness.js';
import { Agent } from './agent.js';
import type { AgentEvent } from './agent-events.js';
import type { RunState } from './run-state.js';
import type { RunStore } from './run-store.js';
import { createMemoryRunStore } from './run-store.js';
import { createJournalingExecutor, type StepExecutor } from './step-executor.js';
import { validateTranscript } from './transcript.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const handles = () => new Set(process.getActiveResourcesInfo());
const leakedSince = (before: Set<string>) =>
  process.getActiveResourcesInfo().filter((name) => !before.has(name) && name !== 'TTYWrap');

describe('bad tool input (RELIABILITY: bad input)', () => {
  it('malformed JSON, an unknown tool and arguments failing the schema never run; the model reads why', async () => {
    let ran = 0;
    const add = defineTool({
      name: 'add',
      parameters: z.object({ a: z.number(), b: z.number() }),
      execute: ({ a, b }) => {
        ran += 1;
        return a + b;
      },
    });
    harness = await startHarness({
      m: scriptedModel([
        {
          toolCalls: [
            { name: 'add', arguments: '{"a": 1, "b": ' },
            { name: 'nope', arguments: {} },
            { name: 'add', arguments: { a: 'one', b: 2 } },
          ],
        },
        { content: 'I will stop.' },
      ]),
    });
    const result = await new Agent({ client: harness.client, model: 'm', tools: [add] }).run('x');
    expect(ran).toBe(0);
    expect(result.endReason).toBe('stop');
    const [malformed, unknown, invalid] = result.steps[0]!.toolResults;
    expect(malformed?.ok).toBe(false);
    expect(unknown?.content).toMatch(/add/);
    expect(invalid?.content).toMatch(/\ba\b/);
    expect(result.steps[0]!.toolResults.every((r) => r.content.length < 2000)).toBe(true);
    expect(allTranscriptsValid(harness)).toBe(true);
  });

  it('prototype keys in arguments never reach a prototype; BigInt, circular and throwing tools are fed back', async () => {
    const seen: unknown[] = [];
    const echo = defineTool({
      name: 'echo',
      parameters: z.object({ v: z.number() }).passthrough(),
      execute: (args) => {
        seen.push(args);
        return 'ok';
      },
    });
    const big = defineTool({ name: 'big', parameters: z.object({}), execute: () => ({ n: 10n }) });
    const circular = defineTool({
      name: 'circular',
      parameters: z.object({}),
      execute: () => {
        const o: Record<string, unknown> = {};
        o.self = o;
        return o;
      },
    });
    const boom = defineTool({
      name: 'boom',
      parameters: z.object({}),
      execute: () => {
        throw new Error('disk full');
      },
    });
    harness = await startHarness({
      m: scriptedModel([
        {
          toolCalls: [
            {
              name: 'echo',
              arguments: '{"v":1,"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}',
            },
            { name: 'big', arguments: {} },
            { name: 'circular', arguments: {} },
            { name: 'boom', arguments: {} },
          ],
        },
        { content: 'done' },
      ]),
    });
    const result = await new Agent({
      client: harness.client,
      model: 'm',
      tools: [echo, big, circular, boom],
    }).run('x');
    expect(result.endReason).toBe('stop');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(seen[0])).toBe(Object.prototype);
    const [, bigResult, circularResult, boomResult] = result.steps[0]!.toolResults;
    expect(bigResult?.content).toContain('10');
    expect(circularResult?.content).toContain('Circular');
    expect(boomResult).toMatchObject({ ok: false });
    expect(boomResult?.content).toContain('disk full');
    expect(allTranscriptsValid(harness)).toBe(true);
  });
});

describe('huge tool output (RELIABILITY: 50 MB)', () => {
  it('is capped with a visible truncation marker; the transcript stays small', async () => {
    const dump = defineTool({
      name: 'dump',
      parameters: z.object({}),
      execute: () => 'x'.repeat(50_000_000),
    });
    harness = await startHarness({
      m: scriptedModel([{ toolCalls: [{ name: 'dump', arguments: {} }] }, { content: 'ok' }]),
    });
    const result = await new Agent({ client: harness.client, model: 'm', tools: [dump] }).run('x');
    expect(result.endReason).toBe('stop');
    const content = result.steps[0]!.toolResults[0]!.content;
    expect(content.length).toBeLessThanOrEqual(32_000);
    expect(content).toMatch(/truncated/);
    expect(JSON.stringify(result.state).length).toBeLessThan(100_000);
  });
});

describe('aborts (RELIABILITY: abort mid-request, mid-stream, mid-tool)', () => {
  it('mid-tool: the tool sees its signal abort, the run ends aborted with one terminal event and nothing left', async () => {
    const before = handles();
    const controller = new AbortController();
    let toolSignal: AbortSignal | undefined;
    const slow = defineTool({
      name: 'slow',
      parameters: z.object({}),
      execute: (_args, context) =>
        new Promise((_resolve, reject) => {
          toolSignal = context.signal;
          context.signal.addEventListener('abort', () => reject(context.signal.reason), { once: true });
          controller.abort(new Error('user cancelled'));
        }),
    });
    const quick = defineTool({ name: 'quick', parameters: z.object({}), execute: () => 'fast' });
    harness = await startHarness({
      m: scriptedModel([
        {
          toolCalls: [
            { name: 'quick', arguments: {} },
            { name: 'slow', arguments: {} },
          ],
        },
      ]),
    });
    const events: AgentEvent[] = [];
    const result = await new Agent({ client: harness.client, model: 'm', tools: [quick, slow] }).run('x', {
      signal: controller.signal,
      onEvent: (event) => events.push(event),
    });
    expect(result.endReason).toBe('aborted');
    expect(result.error?.code).toBe('aborted');
    expect(toolSignal?.aborted).toBe(true);
    expect(events.filter((e) => e.type === 'run_finished')).toHaveLength(1);
    expect(validateTranscript(result.messages)).toEqual([]);
    expect(result.messages.filter((m) => m.role === 'tool')).toHaveLength(2);
    await harness.close();
    harness = undefined;
    expect(leakedSince(before)).toEqual([]);
  });

  it('mid-request: the model call is cancelled at once and nothing is left', async () => {
    const before = handles();
    const controller = new AbortController();
    harness = await startHarness({
      m: scriptedModel([
        () => {
          controller.abort();
          return new Promise(() => {});
        },
      ]),
    });
    const result = await new Agent({ client: harness.client, model: 'm' }).run('x', {
      signal: controller.signal,
    });
    expect(result.endReason).toBe('aborted');
    expect(result.error?.code).toBe('aborted');
    expect(result.steps).toHaveLength(0);
    await harness.close();
    harness = undefined;
    expect(leakedSince(before)).toEqual([]);
  });

  it('an already aborted signal ends the run before any call', async () => {
    harness = await startHarness({ m: scriptedModel([{ content: 'x' }]) });
    const result = await new Agent({ client: harness.client, model: 'm' }).run('x', {
      signal: AbortSignal.abort(),
    });
    expect(result.endReason).toBe('aborted');
    expect(harness.bodies()).toHaveLength(0);
  });
});

describe('key redaction (RELIABILITY: sentinel key)', () => {
  it('the API key is absent from results, state, events, errors and their causes', async () => {
    const KEY = 'sk-SENTINEL-4f9d2c7e1b';
    const lookup = defineTool({
      name: 'lookup',
      parameters: z.object({}),
      execute: () => {
        throw new Error('backend said no');
      },
    });
    harness = await startHarness(
      {
        m: scriptedModel([
          { toolCalls: [{ name: 'lookup', arguments: {} }] },
          () => {
            throw new Error('model exploded');
          },
        ]),
      },
      { apiKey: KEY },
    );
    const events: AgentEvent[] = [];
    const agent = new Agent({ client: harness.client, model: 'm', tools: [lookup] });
    const result = await agent.run('x', { onEvent: (event) => events.push(event) });
    expect(result.endReason).toBe('error');
    const streamed = await agent.stream('x').result;
    const surfaces = [
      JSON.stringify(events),
      JSON.stringify(result.state),
      JSON.stringify(result.messages),
      JSON.stringify(result.steps),
      JSON.stringify(result.error),
      String(result.error?.message),
      String(result.error?.stack),
      String((result.error as { cause?: unknown } | undefined)?.cause),
      JSON.stringify(streamed.state),
      JSON.stringify(streamed.error),
    ];
    for (const surface of surfaces) expect(surface).not.toContain(KEY);
    expect(harness.server.requests[0]?.headers.authorization).toBe('[redacted]');
  });
});

describe('durable runs through the ports', () => {
  it('a crashed run resumed from its checkpoint repeats no journaled model call or tool', async () => {
    const executed: string[] = [];
    const note = defineTool({
      name: 'note',
      parameters: z.object({ n: z.number() }),
      execute: ({ n }) => {
        executed.push(`note ${n}`);
        return `noted ${n}`;
      },
    });
    harness = await startHarness({
      m: scriptedModel([
        { toolCalls: [{ name: 'note', arguments: { n: 1 }, id: 'call_n1' }] },
        {
          toolCalls: [
            { name: 'note', arguments: { n: 2 }, id: 'call_n2' },
            { name: 'note', arguments: { n: 3 }, id: 'call_n3' },
          ],
        },
        { content: 'all noted' },
      ]),
    });
    const store = createMemoryRunStore();
    let dead = false;
    // The "process" dies when the third tool is about to run: nothing it does afterwards is stored.
    const journaling = createJournalingExecutor(store);
    const crashing: StepExecutor = {
      run(key, fn) {
        if (key.endsWith('/tool/call_n3') && !dead) {
          dead = true;
          return Promise.reject(new Error('SIGKILL'));
        }
        return journaling.run(key, fn);
      },
    };
    const deadStore: RunStore = {
      ...store,
      commit: (runId, expected, checkpoint) =>
        dead ? Promise.resolve(true) : store.commit(runId, expected, checkpoint),
    };
    const first = new Agent({
      name: 'notes',
      client: harness.client,
      model: 'm',
      tools: [note],
      store: deadStore,
      executor: crashing,
    });
    const crashed = await first.run('note things', { runId: 'run_crash' });
    expect(crashed.endReason).toBe('error');
    expect(executed).toEqual(['note 1', 'note 2']);
    const requestsBefore = harness.bodies().length;

    const checkpoint = (await store.load('run_crash')) as RunState;
    expect(checkpoint.status).toBe('running');
    expect(checkpoint.steps).toHaveLength(1);
    const worker = new Agent({
      name: 'notes',
      client: harness.client,
      model: 'm',
      tools: [note],
      store,
      executor: createJournalingExecutor(store),
    });
    const resumed = await worker.resume(checkpoint);
    expect(resumed.endReason).toBe('stop');
    expect(resumed.text).toBe('all noted');
    expect(executed).toEqual(['note 1', 'note 2', 'note 3']);
    expect(harness.bodies().length - requestsBefore).toBe(1);
    expect(validateTranscript(resumed.messages)).toEqual([]);
    expect(allTranscriptsValid(harness)).toBe(true);
    expect((await store.load('run_crash'))?.status).toBe('finished');
  });

  it('two workers cannot both advance a run: the loser stops with a checkpoint conflict', async () => {
    harness = await startHarness({ m: scriptedModel([{ content: 'one' }]) });
    const store = createMemoryRunStore();
    const agent = new Agent({ name: 'a', client: harness.client, model: 'm', store });
    const first = await agent.run('x', { runId: 'same' });
    expect(first.endReason).toBe('stop');
    const second = await agent.run('x', { runId: 'same' });
    expect(second.endReason).toBe('error');
    expect(second.error?.code).toBe('checkpoint_conflict');
  });
});

describe('load (RELIABILITY: 1,000 concurrent runs)', () => {
  it('1,000 runs of 3 model steps and 2 tool calls, a fifth streamed: every run ends once, usage equals the ledger', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    const before = handles();
    const toolsSeen = (request: ChatCompletionRequest) =>
      request.messages.filter((m) => m.role === 'tool').length;
    // Server latency 5-50 ms (seeded), and a server-side rate limit the client's limiter stays under:
    // at most 32 in flight and 1,400 requests per 1 s window against the server's 2,000.
    let seed = 42;
    const latencyMs = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return 5 + (seed % 46);
    };
    harness = await startHarness(
      {
        m: scriptedModel([
          async (request) => {
            await new Promise((resolve) => setTimeout(resolve, latencyMs()));
            return toolsSeen(request) < 2
              ? { toolCalls: [{ name: 'square', arguments: { n: toolsSeen(request) + 2 } }] }
              : { content: 'Squares computed.' };
          },
        ]),
      },
      { rateLimit: { rpm: 2_000, windowMs: 1_000 } },
    );
    let inFlight = 0;
    let maxInFlight = 0;
    const counting: SendMiddleware = (next) => async (request) => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      try {
        return await next(request);
      } finally {
        inFlight--;
      }
    };
    const retries: string[] = [];
    const client = createClient({
      baseURL: harness.server.url,
      limiter: createLimiter({ concurrency: 32, requestsPerMinute: 1_400, windowMs: 1_000 }),
      middleware: [counting],
      onEvent: (event) => {
        if (event.type === 'retry') retries.push(String(event.reason));
      },
    });
    const square = defineTool({
      name: 'square',
      parameters: z.object({ n: z.number() }),
      execute: ({ n }) => n * n,
    });
    const agent = new Agent({ client, model: 'm', tools: [square] });
    const terminal = new Map<string, number>();
    const count = (event: AgentEvent) => {
      if (event.type === 'run_finished') terminal.set(event.runId, (terminal.get(event.runId) ?? 0) + 1);
    };
    const results = await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        i % 5 === 0
          ? agent.stream(`run ${i}`, { onEvent: count }).result
          : agent.run(`run ${i}`, { onEvent: count }),
      ),
    );
    const failures = results
      .filter((r) => r.endReason !== 'stop')
      .map((r) => `${r.endReason}: ${r.error?.message}`);
    expect(failures.slice(0, 3)).toEqual([]);
    expect(terminal.size).toBe(1000);
    expect([...terminal.values()].every((n) => n === 1)).toBe(true);
    expect(
      results.every((r) => r.steps.length === 3 && r.messages.filter((m) => m.role === 'tool').length === 2),
    ).toBe(true);
    const ledger = harness.server.ledger.snapshot();
    expect(ledger.requests).toBe(3000);
    // Never more than 32 in flight, never a window over the server's limit (it would have sent a 429).
    expect(maxInFlight).toBeLessThanOrEqual(32);
    expect(retries).toEqual([]);
    expect(results.reduce((sum, r) => sum + r.usage.promptTokens, 0)).toBe(ledger.promptTokens);
    expect(results.reduce((sum, r) => sum + r.usage.completionTokens, 0)).toBe(ledger.completionTokens);
    results.length = 0;
    await client.close();
    await harness.close();
    harness = undefined;
    gc();
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(50 * 1024 * 1024);
    expect(leakedSince(before)).toEqual([]);
  }, 60_000);
});
