import { scriptedModel } from '@chatloop/testing';
import { defineTool } from '@chatloop/tools';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { allTranscriptsValid, type Harness, startHarness } from '../test/harness.js';
import { Agent } from './agent.js';
import { isRunStateError } from './agent-errors.js';
import { serializeRunState } from './run-state.js';
import { validateTranscript } from './transcript.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

function makeTools(log: string[]) {
  return [
    defineTool({
      name: 'refund',
      parameters: z.object({ amount: z.number() }),
      needsApproval: ({ amount }) => amount > 100,
      execute: ({ amount }) => {
        log.push(`refund ${amount}`);
        return `refunded ${amount}`;
      },
    }),
    defineTool({
      name: 'lookup',
      parameters: z.object({}),
      execute: () => {
        log.push('lookup');
        return 'order 42';
      },
    }),
  ];
}

const script = () =>
  scriptedModel([
    {
      toolCalls: [
        { name: 'lookup', arguments: {} },
        { name: 'refund', arguments: { amount: 500 } },
        { name: 'refund', arguments: { amount: 5 } },
      ],
    },
    { content: 'All handled.' },
  ]);

describe('approvals', () => {
  it('pauses on needsApproval, survives a JSON round trip, and resumes in another agent instance', async () => {
    harness = await startHarness({ m: script() });
    const log: string[] = [];
    const first = new Agent({ name: 'support', client: harness.client, model: 'm', tools: makeTools(log) });
    const paused = await first.run('refund please');
    expect(paused.endReason).toBe('interrupted');
    expect(paused.pendingApprovals.map((p) => [p.name, p.arguments])).toEqual([['refund', '{"amount":500}']]);
    expect(paused.state.status).toBe('awaiting_approval');
    expect(log).toEqual(['lookup', 'refund 5']);
    expect(harness.bodies()).toHaveLength(1);

    const json = serializeRunState(paused.state);
    // "Another process": a fresh agent with the same name and tools re-bound by name.
    const log2: string[] = [];
    const second = new Agent({ name: 'support', client: harness.client, model: 'm', tools: makeTools(log2) });
    const resumed = await second.resume(json, [
      { toolCallId: paused.pendingApprovals[0]!.toolCallId, approved: true },
    ]);
    expect(resumed.endReason).toBe('stop');
    expect(resumed.text).toBe('All handled.');
    expect(log2).toEqual(['refund 500']);
    const toolMessages = resumed.messages.filter((m) => m.role === 'tool').map((m) => m.content);
    expect(toolMessages).toEqual(['order 42', 'refunded 500', 'refunded 5']);
    expect(validateTranscript(resumed.messages)).toEqual([]);
    expect(allTranscriptsValid(harness)).toBe(true);
    expect(resumed.usage.requests).toBe(2);
  });

  it('a denied call returns a refusal result to the model', async () => {
    harness = await startHarness({ m: script() });
    const log: string[] = [];
    const agent = new Agent({ name: 'support', client: harness.client, model: 'm', tools: makeTools(log) });
    const paused = await agent.run('refund please');
    const id = paused.pendingApprovals[0]!.toolCallId;
    const resumed = await agent.resume(paused.state, [
      { toolCallId: id, approved: false, message: 'too large' },
    ]);
    expect(resumed.endReason).toBe('stop');
    expect(log).toEqual(['lookup', 'refund 5']);
    const denied = resumed.steps[0]?.toolResults.find((r) => r.toolCallId === id);
    expect(denied).toMatchObject({
      ok: false,
      source: 'denied',
      content: 'The user denied this tool call: too large',
    });
    expect(allTranscriptsValid(harness)).toBe(true);
  });

  it('without a decision the call stays pending; finished or foreign states are refused', async () => {
    harness = await startHarness({ m: script() });
    const agent = new Agent({ name: 'support', client: harness.client, model: 'm', tools: makeTools([]) });
    const paused = await agent.run('refund please');
    const again = await agent.resume(paused.state, []);
    expect(again.endReason).toBe('interrupted');
    expect(again.pendingApprovals).toHaveLength(1);
    expect(harness.bodies()).toHaveLength(1);

    const other = new Agent({ name: 'billing', client: harness.client, model: 'm' });
    await expect(other.resume(paused.state)).rejects.toSatisfy(isRunStateError);
    const done = await agent.resume(paused.state, [
      { toolCallId: paused.pendingApprovals[0]!.toolCallId, approved: true },
    ]);
    await expect(agent.resume(done.state)).rejects.toThrow(/already finished/);
  });
});
