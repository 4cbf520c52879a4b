import { scriptedModel } from '@chatloop/testing';
import { defineTool } from '@chatloop/tools';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { allTranscriptsValid, type Harness, startHarness } from '../test/harness.js';
import { Agent } from './agent.js';
import type { StepRecord } from './run-state.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('hooks', () => {
  it('beforeStep changes the model, tools, tool_choice and messages of one step only', async () => {
    const lookup = defineTool({
      name: 'lookup',
      parameters: z.object({ q: z.string() }),
      execute: ({ q }) => `found ${q}`,
    });
    const other = defineTool({ name: 'other', parameters: z.object({}), execute: () => 'other' });
    harness = await startHarness({
      a: scriptedModel([{ toolCalls: [{ name: 'lookup', arguments: { q: 'x' } }] }]),
      b: scriptedModel([{ content: 'from b' }]),
    });
    const seen: number[] = [];
    const agent = new Agent({
      client: harness.client,
      model: 'a',
      tools: [lookup, other],
      hooks: {
        beforeStep: ({ step, messages }) => {
          seen.push(step);
          if (step === 0)
            return { tools: [lookup], toolChoice: 'required', modelSettings: { temperature: 0 } };
          return { model: 'b', messages: [...messages, { role: 'user', content: 'Answer now.' }] };
        },
      },
    });
    const result = await agent.run('q');
    expect(result.endReason).toBe('stop');
    expect(result.text).toBe('from b');
    expect(seen).toEqual([0, 1]);
    const [first, second] = harness.bodies();
    expect(first?.tools?.map((t) => t.function.name)).toEqual(['lookup']);
    expect(first?.tool_choice).toBe('required');
    expect(first?.temperature).toBe(0);
    expect(second?.model).toBe('b');
    expect(second?.tools?.map((t) => t.function.name)).toEqual(['lookup', 'other']);
    expect(second?.messages.at(-1)).toEqual({ role: 'user', content: 'Answer now.' });
    // The override was for that step only: the run's transcript does not contain it.
    expect(result.messages.some((m) => m.role === 'user' && m.content === 'Answer now.')).toBe(false);
  });

  it('afterStep sees every finished step with its checkpointed state', async () => {
    const noop = defineTool({ name: 'noop', parameters: z.object({}), execute: () => 'ok' });
    harness = await startHarness({
      m: scriptedModel([{ toolCalls: [{ name: 'noop', arguments: {} }] }, { content: 'end' }]),
    });
    const steps: Array<{ step: StepRecord; version: number }> = [];
    const agent = new Agent({
      client: harness.client,
      model: 'm',
      tools: [noop],
      hooks: { afterStep: ({ step, state }) => void steps.push({ step, version: state.version }) },
    });
    await agent.run('go');
    expect(steps.map((s) => [s.step.index, s.step.toolResults.length, s.version])).toEqual([
      [0, 1, 1],
      [1, 0, 2],
    ]);
  });

  it('onToolCall allows, denies with a message, or replaces the result', async () => {
    const ran: string[] = [];
    const echo = defineTool({
      name: 'echo',
      parameters: z.object({ v: z.string() }),
      execute: ({ v }) => {
        ran.push(v);
        return `echo ${v}`;
      },
    });
    harness = await startHarness({
      m: scriptedModel([
        {
          toolCalls: [
            { name: 'echo', arguments: { v: 'allow' } },
            { name: 'echo', arguments: { v: 'deny' } },
            { name: 'echo', arguments: { v: 'replace' } },
          ],
        },
        { content: 'done' },
      ]),
    });
    const agent = new Agent({
      client: harness.client,
      model: 'm',
      tools: [echo],
      hooks: {
        onToolCall: ({ toolCall }) => {
          if (toolCall.function.arguments.includes('deny'))
            return { action: 'deny', message: 'Not allowed here.' };
          if (toolCall.function.arguments.includes('replace'))
            return { action: 'replace', result: { cached: true } };
          return { action: 'allow' };
        },
      },
    });
    const result = await agent.run('go');
    expect(ran).toEqual(['allow']);
    expect(result.steps[0]?.toolResults.map((r) => [r.source, r.ok, r.content])).toEqual([
      ['executed', true, 'echo allow'],
      ['denied', false, 'Not allowed here.'],
      ['replaced', true, '{"cached":true}'],
    ]);
    expect(allTranscriptsValid(harness)).toBe(true);
  });

  it('a throwing hook ends the run with reason error and a typed error', async () => {
    harness = await startHarness({ m: scriptedModel([{ content: 'x' }]) });
    const agent = new Agent({
      client: harness.client,
      model: 'm',
      hooks: {
        beforeStep: () => {
          throw new TypeError('bad hook');
        },
      },
    });
    const result = await agent.run('go');
    expect(result.endReason).toBe('error');
    expect(result.error?.code).toBe('agent_run_failed');
    expect(result.error?.message).toContain('bad hook');
  });
});
