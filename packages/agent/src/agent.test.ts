import { scriptedModel } from '@chatloop/testing';
import { defineTool } from '@chatloop/tools';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { allTranscriptsValid, type Harness, startHarness } from '../test/harness.js';
import { Agent } from './agent.js';
import { hasToolCall } from './stop-conditions.js';
import { validateTranscript } from './transcript.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const add = defineTool({
  name: 'add',
  description: 'Adds two numbers.',
  parameters: z.object({ a: z.number(), b: z.number() }),
  execute: ({ a, b }) => a + b,
});

describe('Agent.run', () => {
  it('runs a multi-step tool loop and returns text, transcript, steps and exact usage', async () => {
    harness = await startHarness({
      m: scriptedModel([
        { toolCalls: [{ name: 'add', arguments: { a: 1, b: 2 } }] },
        { toolCalls: [{ name: 'add', arguments: { a: 3, b: 4 } }] },
        { content: 'The sums are 3 and 7.' },
      ]),
    });
    const agent = new Agent({ client: harness.client, model: 'm', instructions: 'Be brief.', tools: [add] });
    const result = await agent.run('Add things');
    expect(result.endReason).toBe('stop');
    expect(result.text).toBe('The sums are 3 and 7.');
    expect(result.steps).toHaveLength(3);
    expect(result.steps[0]?.toolResults.map((r) => r.content)).toEqual(['3']);
    expect(result.steps[1]?.toolResults.map((r) => r.content)).toEqual(['7']);
    expect(result.steps[0]?.request?.messages[0]).toEqual({ role: 'system', content: 'Be brief.' });
    expect(result.messages.map((m) => m.role)).toEqual([
      'user',
      'assistant',
      'tool',
      'assistant',
      'tool',
      'assistant',
    ]);
    expect(validateTranscript(result.messages)).toEqual([]);
    expect(allTranscriptsValid(harness)).toBe(true);
    const ledger = harness.server.ledger.snapshot();
    expect(result.usage.requests).toBe(3);
    expect(result.usage.promptTokens).toBe(ledger.promptTokens);
    expect(result.usage.completionTokens).toBe(ledger.completionTokens);
    expect(result.state.status).toBe('finished');
    expect(result.state.version).toBeGreaterThan(0);
  });

  it('runs parallel tool calls and answers each call id in order', async () => {
    harness = await startHarness({
      m: scriptedModel([
        {
          toolCalls: [
            { name: 'add', arguments: { a: 1, b: 1 } },
            { name: 'add', arguments: { a: 2, b: 2 } },
            { name: 'add', arguments: { a: 3, b: 3 } },
          ],
        },
        { content: 'done' },
      ]),
    });
    const agent = new Agent({ client: harness.client, model: 'm', tools: [add], parallelToolCalls: true });
    const result = await agent.run('go');
    expect(result.endReason).toBe('stop');
    const calls = result.steps[0]!.toolCalls.map((c) => c.id);
    const tools = result.messages.filter((m) => m.role === 'tool');
    expect(tools.map((m) => m.tool_call_id)).toEqual(calls);
    expect(tools.map((m) => m.content)).toEqual(['2', '4', '6']);
    expect(harness.bodies()[0]?.parallel_tool_calls).toBe(true);
    expect(allTranscriptsValid(harness)).toBe(true);
  });

  it('ends with max_steps at the step limit and keeps the work done', async () => {
    harness = await startHarness({
      m: scriptedModel([{ toolCalls: [{ name: 'add', arguments: { a: 1, b: 1 } }] }]),
    });
    const agent = new Agent({ client: harness.client, model: 'm', tools: [add], maxSteps: 3 });
    const result = await agent.run('loop forever');
    expect(result.endReason).toBe('max_steps');
    expect(result.steps).toHaveLength(3);
    expect(result.messages.filter((m) => m.role === 'tool')).toHaveLength(3);
    expect(validateTranscript(result.messages)).toEqual([]);
    expect(harness.bodies()).toHaveLength(3);
  });

  it('with onMaxSteps final_call makes one last call with tool_choice none', async () => {
    harness = await startHarness({
      m: scriptedModel([
        {
          when: (request) => request.tool_choice === 'none',
          content: 'Best answer so far: 2.',
        },
        { toolCalls: [{ name: 'add', arguments: { a: 1, b: 1 } }] },
      ]),
    });
    const agent = new Agent({
      client: harness.client,
      model: 'm',
      tools: [add],
      maxSteps: 2,
      onMaxSteps: 'final_call',
    });
    const result = await agent.run('go');
    expect(result.endReason).toBe('max_steps');
    expect(result.text).toBe('Best answer so far: 2.');
    expect(harness.bodies().map((b) => b.tool_choice)).toEqual([undefined, undefined, 'none']);
    expect(allTranscriptsValid(harness)).toBe(true);
  });

  it('ends with stop_condition when a stopWhen condition holds', async () => {
    harness = await startHarness({
      m: scriptedModel([{ toolCalls: [{ name: 'add', arguments: { a: 1, b: 1 } }] }, { content: 'never' }]),
    });
    const agent = new Agent({
      client: harness.client,
      model: 'm',
      tools: [add],
      stopWhen: hasToolCall('add'),
    });
    const result = await agent.run('go');
    expect(result.endReason).toBe('stop_condition');
    expect(result.steps).toHaveLength(1);
    expect(result.messages.at(-1)).toMatchObject({ role: 'tool', content: '2' });
  });

  it('ends with length and content_filter on those finish reasons, never running a cut tool call', async () => {
    let ran = 0;
    const counted = defineTool({ name: 'count', parameters: z.object({}), execute: () => ++ran });
    harness = await startHarness({
      len: scriptedModel([
        { content: 'Partial', toolCalls: [{ name: 'count', arguments: '{' }], finishReason: 'length' },
      ]),
      filt: scriptedModel([{ content: '', finishReason: 'content_filter' }]),
    });
    const lengthResult = await new Agent({ client: harness.client, model: 'len', tools: [counted] }).run('x');
    expect(lengthResult.endReason).toBe('length');
    expect(lengthResult.text).toBe('Partial');
    expect(ran).toBe(0);
    expect(validateTranscript(lengthResult.messages)).toEqual([]);
    const filtered = await new Agent({ client: harness.client, model: 'filt' }).run('x');
    expect(filtered.endReason).toBe('content_filter');
  });

  it('ends with budget once the token cap is passed, after finishing the step', async () => {
    harness = await startHarness({
      m: scriptedModel([{ toolCalls: [{ name: 'add', arguments: { a: 1, b: 1 } }] }]),
    });
    const agent = new Agent({ client: harness.client, model: 'm', tools: [add], budget: { maxTokens: 1 } });
    const result = await agent.run('go');
    expect(result.endReason).toBe('budget');
    expect(result.error?.code).toBe('budget_exceeded');
    expect(result.steps).toHaveLength(1);
    expect(validateTranscript(result.messages)).toEqual([]);
  });

  it('ends with error and a typed error when the model call fails, keeping the transcript', async () => {
    harness = await startHarness({
      m: scriptedModel([
        { toolCalls: [{ name: 'add', arguments: { a: 1, b: 1 } }] },
        () => {
          throw new Error('upstream exploded');
        },
      ]),
    });
    const result = await new Agent({ client: harness.client, model: 'm', tools: [add] }).run('go');
    expect(result.endReason).toBe('error');
    expect(result.error?.code).toMatch(/internal_server|api_error/);
    expect(result.steps).toHaveLength(1);
    expect(result.messages.at(-1)).toMatchObject({ role: 'tool', content: '2' });
  });

  it('stops a model that repeats the same failing call with repeated_tool_failure', async () => {
    harness = await startHarness({
      m: scriptedModel([{ toolCalls: [{ name: 'add', arguments: { a: 'one' } }] }]),
    });
    const agent = new Agent({ client: harness.client, model: 'm', tools: [add], maxRepeatedToolFailures: 3 });
    const result = await agent.run('go');
    expect(result.endReason).toBe('repeated_tool_failure');
    expect(result.error?.code).toBe('repeated_tool_failure');
    expect(result.steps).toHaveLength(3);
    expect(result.steps[0]?.toolResults[0]?.ok).toBe(false);
    expect(allTranscriptsValid(harness)).toBe(true);
  });
});
