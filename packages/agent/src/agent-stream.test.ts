import { scriptedModel } from '@chatloop/testing';
import { defineTool } from '@chatloop/tools';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type Harness, startHarness } from '../test/harness.js';
import { Agent } from './agent.js';
import type { AgentEvent } from './agent-events.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const weather = defineTool({
  name: 'weather',
  parameters: z.object({ city: z.string() }),
  execute: ({ city }) => `${city}: 18°C`,
});

/** One stable line per event (durations and latencies left out). */
function describeEvent(event: AgentEvent): string {
  switch (event.type) {
    case 'run_started':
      return `run_started ${event.agentName} resumed=${event.resumed}`;
    case 'step_started':
      return `step_started #${event.step} ${event.model}`;
    case 'text_delta':
    case 'reasoning_delta':
      return `${event.type} #${event.step} ${JSON.stringify(event.delta)}`;
    case 'tool_call_started':
      return `tool_call_started #${event.step} [${event.index}] ${event.name} ${event.toolCallId}`;
    case 'tool_call_arguments_delta':
      return `tool_call_arguments_delta #${event.step} [${event.index}] ${JSON.stringify(event.delta)}`;
    case 'tool_result':
      return `tool_result #${event.step} ${event.toolCallId} ok=${event.ok} ${JSON.stringify(event.content)}`;
    case 'approval_required':
      return `approval_required #${event.step} ${event.pending.map((p) => p.name).join(',')}`;
    case 'step_finished':
      return `step_finished #${event.step.index} ${event.step.finishReason} tokens=${event.step.usage?.total_tokens}`;
    case 'run_finished':
      return `run_finished ${event.endReason} ${JSON.stringify(event.text)} tokens=${event.usage.totalTokens}`;
  }
}

describe('Agent.stream', () => {
  it('emits the reviewed event sequence, and the text deltas concatenate to the final text', async () => {
    harness = await startHarness({
      m: scriptedModel([
        {
          reasoningContent: 'Need weather.',
          toolCalls: [
            { name: 'weather', arguments: { city: 'Paris' }, id: 'call_a' },
            { name: 'weather', arguments: { city: 'Rome' }, id: 'call_b' },
          ],
        },
        { content: 'Paris is 18°C and so is Rome, a fine day for a walk.' },
      ]),
    });
    const agent = new Agent({
      name: 'forecaster',
      client: harness.client,
      model: 'm',
      tools: [weather],
      generateId: () => 'run_1',
    });
    const stream = agent.stream('Weather in Paris and Rome?');
    const emitted: AgentEvent[] = [];
    stream.on('event', (event) => emitted.push(event));
    const texts: string[] = [];
    stream.on('text_delta', (event) => texts.push(event.delta));
    const iterated: AgentEvent[] = [];
    for await (const event of stream) iterated.push(event);
    const result = await stream.result;

    expect(iterated).toEqual(emitted);
    expect(iterated.filter((e) => e.type === 'run_finished')).toHaveLength(1);
    expect(iterated.every((e) => e.runId === 'run_1')).toBe(true);
    expect(texts.join('')).toBe(result.text);
    expect(result.text).toBe('Paris is 18°C and so is Rome, a fine day for a walk.');
    expect(iterated.map(describeEvent)).toMatchInlineSnapshot(`
      [
        "run_started forecaster resumed=false",
        "step_started #0 m",
        "reasoning_delta #0 "Need "",
        "reasoning_delta #0 "weather."",
        "tool_call_started #0 [0] weather call_a",
        "tool_call_arguments_delta #0 [0] "{\\"city\\""",
        "tool_call_arguments_delta #0 [0] ":\\"Paris"",
        "tool_call_arguments_delta #0 [0] "\\"}"",
        "tool_call_started #0 [1] weather call_b",
        "tool_call_arguments_delta #0 [1] "{\\"city\\""",
        "tool_call_arguments_delta #0 [1] ":\\"Rome\\""",
        "tool_call_arguments_delta #0 [1] "}"",
        "tool_result #0 call_a ok=true "Paris: 18°C"",
        "tool_result #0 call_b ok=true "Rome: 18°C"",
        "step_finished #0 tool_calls tokens=65",
        "step_started #1 m",
        "text_delta #1 "Paris "",
        "text_delta #1 "is "",
        "text_delta #1 "18°C "",
        "text_delta #1 "and "",
        "text_delta #1 "so "",
        "text_delta #1 "is "",
        "text_delta #1 "Rome, "",
        "text_delta #1 "a "",
        "text_delta #1 "fine "",
        "text_delta #1 "day "",
        "text_delta #1 "for "",
        "text_delta #1 "a "",
        "text_delta #1 "walk."",
        "step_finished #1 stop tokens=93",
        "run_finished stop "Paris is 18°C and so is Rome, a fine day for a walk." tokens=158",
      ]
    `);
  });

  it('textStream yields only the answer text', async () => {
    harness = await startHarness({ m: scriptedModel([{ content: 'Hello there, streaming world.' }]) });
    const stream = new Agent({ client: harness.client, model: 'm' }).stream('hi');
    let text = '';
    for await (const delta of stream.textStream()) text += delta;
    expect(text).toBe('Hello there, streaming world.');
    expect((await stream.result).endReason).toBe('stop');
  });

  it('abort mid-stream ends with aborted, one terminal event, a valid transcript and no handles left', async () => {
    const before = new Set(process.getActiveResourcesInfo());
    harness = await startHarness(
      { m: scriptedModel([{ content: 'word '.repeat(400) }]) },
      { chunkDelayMs: 2 },
    );
    const stream = new Agent({ client: harness.client, model: 'm' }).stream('talk');
    const events: AgentEvent[] = [];
    for await (const event of stream) {
      events.push(event);
      if (event.type === 'text_delta') stream.abort();
    }
    const result = await stream.result;
    expect(result.endReason).toBe('aborted');
    expect(result.error?.code).toBe('aborted');
    expect(events.filter((e) => e.type === 'run_finished')).toHaveLength(1);
    await harness.close();
    harness = undefined;
    const leaked = process.getActiveResourcesInfo().filter((name) => !before.has(name));
    expect(leaked.filter((name) => name !== 'TTYWrap')).toEqual([]);
  });
});
