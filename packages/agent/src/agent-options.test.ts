import { createBudget } from '@chatloop/models';
import { scriptedModel } from '@chatloop/testing';
import { defineTool } from '@chatloop/tools';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type Harness, startHarness } from '../test/harness.js';
import { Agent } from './agent.js';
import type { AgentContextManager } from './agent-options.js';
import { validateTranscript } from './transcript.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const ping = defineTool({ name: 'ping', parameters: z.object({}), execute: () => 'pong' });

describe('agent options', () => {
  it('a context manager prepares the messages of each call; the transcript keeps everything', async () => {
    harness = await startHarness({
      m: scriptedModel([{ toolCalls: [{ name: 'ping', arguments: {} }] }, { content: 'ok' }]),
    });
    const seen: number[] = [];
    const lastTwo: AgentContextManager = {
      name: 'last-two',
      prepare: async (messages, { model, tools }) => {
        seen.push(messages.length);
        expect(model).toBe('m');
        expect(tools?.map((t) => t.function.name)).toEqual(['ping']);
        return messages.length > 2 ? [messages[0]!, ...messages.slice(-2)] : messages;
      },
    };
    const history = [
      { role: 'user' as const, content: 'old question' },
      { role: 'assistant' as const, content: 'old answer' },
      { role: 'user' as const, content: 'new question' },
    ];
    const result = await new Agent({
      client: harness.client,
      model: 'm',
      tools: [ping],
      context: lastTwo,
    }).run(history);
    expect(result.endReason).toBe('stop');
    expect(seen).toEqual([3, 5]);
    expect(harness.bodies().map((b) => b.messages.length)).toEqual([3, 3]);
    expect(result.messages).toHaveLength(6);
    expect(validateTranscript(harness.bodies()[1]!.messages)).toEqual([]);
  });

  it('a shared budget spans runs: the next run ends with budget before calling the model', async () => {
    harness = await startHarness({
      m: scriptedModel([{ content: 'a fairly long answer to spend tokens on' }]),
    });
    const budget = createBudget({ maxTokens: 20 });
    const agent = new Agent({ client: harness.client, model: 'm', budget });
    const first = await agent.run('one two three four five six seven eight');
    expect(first.endReason).toBe('stop');
    expect(budget.exceeded).toBe(true);
    const second = await agent.run('again');
    expect(second.endReason).toBe('budget');
    expect(harness.bodies()).toHaveLength(1);
  });

  it('resumeStream continues an interrupted run as events', async () => {
    const guarded = defineTool({
      name: 'guarded',
      parameters: z.object({}),
      needsApproval: true,
      execute: () => 'did it',
    });
    harness = await startHarness({
      m: scriptedModel([{ toolCalls: [{ name: 'guarded', arguments: {} }] }, { content: 'finished' }]),
    });
    const agent = new Agent({ client: harness.client, model: 'm', tools: [guarded] });
    const paused = await agent.run('go');
    expect(paused.endReason).toBe('interrupted');
    const stream = agent.resumeStream(JSON.stringify(paused.state), [
      { toolCallId: paused.pendingApprovals[0]!.toolCallId, approved: true },
    ]);
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types[0]).toBe('run_started');
    expect(types).toContain('tool_result');
    expect(types.at(-1)).toBe('run_finished');
    const result = await stream.result;
    expect(result.text).toBe('finished');
    expect(result.steps.map((s) => s.toolResults.map((r) => r.content))).toEqual([['did it'], []]);
  });

  it('breaking out of the event loop aborts the run', async () => {
    harness = await startHarness(
      { m: scriptedModel([{ content: 'word '.repeat(200) }]) },
      { chunkDelayMs: 1 },
    );
    const stream = new Agent({ client: harness.client, model: 'm' }).stream('talk');
    for await (const event of stream) if (event.type === 'text_delta') break;
    const result = await stream.result;
    expect(result.endReason).toBe('aborted');
  });
});
