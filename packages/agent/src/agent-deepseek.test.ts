import { scriptedModel } from '@chatloop/testing';
import { defineTool } from '@chatloop/tools';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type Harness, startHarness } from '../test/harness.js';
import { Agent } from './agent.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const time = defineTool({ name: 'time', parameters: z.object({}), execute: () => '12:00' });

describe('DeepSeek transcripts', () => {
  it('thinking mode: reasoning_content is passed back on tool-calling turns and the server accepts every request', async () => {
    const script = () =>
      scriptedModel(
        [
          { reasoningContent: 'I should check the time.', toolCalls: [{ name: 'time', arguments: {} }] },
          { toolCalls: [{ name: 'time', arguments: {} }] },
          { reasoningContent: 'Done.', content: 'It is noon.' },
        ],
        { thinking: true },
      );
    harness = await startHarness(
      { 'deepseek-v4': script(), 'deepseek-v4-stream': script() },
      { profile: 'deepseek' },
    );
    for (const model of ['deepseek-v4', 'deepseek-v4-stream']) {
      const agent = new Agent({ client: harness.client, model, tools: [time] });
      const result = model === 'deepseek-v4' ? await agent.run('time?') : await agent.stream('time?').result;
      expect(result.endReason, result.error?.message).toBe('stop');
      expect(result.text).toBe('It is noon.');
      const last = harness.bodies().at(-1)!;
      const assistants = last.messages.filter((m) => m.role === 'assistant');
      expect(assistants.map((m) => (m as { reasoning_content?: unknown }).reasoning_content)).toEqual([
        'I should check the time.',
        '',
      ]);
    }
    expect(harness.bodies()).toHaveLength(6);
  });

  it('the server rejects a thinking-mode transcript without reasoning_content (the rule is real)', async () => {
    harness = await startHarness(
      {
        'deepseek-v4': scriptedModel(
          [{ reasoningContent: 'hm', toolCalls: [{ name: 'time', arguments: {} }] }, { content: 'ok' }],
          { thinking: true },
        ),
      },
      { profile: 'deepseek' },
    );
    const agent = new Agent({
      client: harness.client,
      model: 'deepseek-v4',
      tools: [time],
      reasoning: 'strip',
    });
    const result = await agent.run('time?');
    expect(result.endReason).toBe('error');
    expect(result.error?.message).toMatch(/reasoning_content/);
  });

  it('deepseek-reasoner (R1): prior reasoning is never sent back', async () => {
    harness = await startHarness(
      {
        'deepseek-reasoner': scriptedModel([
          { reasoningContent: 'think', content: 'first' },
          { content: 'second' },
        ]),
      },
      { profile: 'deepseek' },
    );
    const agent = new Agent({ client: harness.client, model: 'deepseek-reasoner' });
    const first = await agent.run('a');
    const second = await agent.run([...first.messages, { role: 'user', content: 'b' }]);
    expect(second.text).toBe('second');
    const sent = harness.bodies()[1]!.messages;
    expect(sent.some((m) => 'reasoning_content' in m)).toBe(false);
  });
});
