import { scriptedModel } from '@chatloop/testing';
import { defineTool } from '@chatloop/tools';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { allTranscriptsValid, type Harness, startHarness } from '../test/harness.js';
import { Agent } from './agent.js';
import { isOutputValidationError } from './agent-errors.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const City = z.object({ name: z.string(), population: z.number().int() });

describe('structured output', () => {
  it('requests json_schema, validates, and repairs once showing the validation errors', async () => {
    harness = await startHarness({
      m: scriptedModel([
        { content: '{"name":"Paris","population":"two million"}' },
        { content: '{"name":"Paris","population":2100000}' },
      ]),
    });
    const agent = new Agent({ client: harness.client, model: 'm', output: City, outputMode: 'json_schema' });
    const result = await agent.run('Biggest French city?');
    expect(result.endReason).toBe('stop');
    expect(result.output).toEqual({ name: 'Paris', population: 2100000 });
    const population: number | undefined = result.output?.population;
    expect(population).toBe(2100000);
    const [first, second] = harness.bodies();
    expect(first?.response_format).toMatchObject({
      type: 'json_schema',
      json_schema: { name: 'final_output' },
    });
    const repair = second?.messages.at(-1);
    expect(repair?.role).toBe('user');
    expect(String(repair?.content)).toMatch(/did not match the required JSON schema[\s\S]*population/);
    expect(result.state.outputRepairs).toBe(1);
  });

  it('gives up after the bounded repairs with a typed error listing the issues', async () => {
    harness = await startHarness({ m: scriptedModel([{ content: 'not json at all' }]) });
    const agent = new Agent({
      client: harness.client,
      model: 'm',
      output: City,
      outputMode: 'json_schema',
      maxOutputRepairs: 1,
    });
    const result = await agent.run('x');
    expect(result.endReason).toBe('error');
    expect(isOutputValidationError(result.error)).toBe(true);
    expect(result.output).toBeUndefined();
    expect(harness.bodies()).toHaveLength(2);
  });

  it('uses a final tool where json_schema is lacking, repairing through the tool result', async () => {
    const lookup = defineTool({
      name: 'lookup',
      parameters: z.object({}),
      execute: () => 'Paris has 2.1M people',
    });
    harness = await startHarness({
      m: scriptedModel([
        { toolCalls: [{ name: 'lookup', arguments: {} }] },
        { toolCalls: [{ name: 'final_output', arguments: { name: 'Paris' } }] },
        { toolCalls: [{ name: 'final_output', arguments: { name: 'Paris', population: 2100000 } }] },
      ]),
    });
    const agent = new Agent({
      client: harness.client,
      model: 'm',
      tools: [lookup],
      output: City,
      outputMode: 'tool',
    });
    const result = await agent.run('x');
    expect(result.endReason).toBe('stop');
    expect(result.output).toEqual({ name: 'Paris', population: 2100000 });
    const bodies = harness.bodies();
    expect(bodies[0]?.response_format).toBeUndefined();
    expect(bodies[0]?.tools?.map((t) => t.function.name)).toEqual(['lookup', 'final_output']);
    expect(String(bodies[2]?.messages.at(-1)?.content)).toMatch(/population/);
    expect(allTranscriptsValid(harness)).toBe(true);
  });

  it('auto mode picks the final tool for a model known to lack json_schema', async () => {
    harness = await startHarness({
      'deepseek-chat': scriptedModel([
        { toolCalls: [{ name: 'final_output', arguments: { name: 'Rome', population: 1 } }] },
      ]),
    });
    const agent = new Agent({ client: harness.client, model: 'deepseek-chat', output: City });
    const result = await agent.run('x');
    expect(result.output).toEqual({ name: 'Rome', population: 1 });
    expect(harness.bodies()[0]?.response_format).toBeUndefined();
  });

  it('keeps __proto__ keys of a structured answer away from any prototype', async () => {
    harness = await startHarness({
      m: scriptedModel([{ content: '{"name":"x","population":1,"__proto__":{"polluted":true}}' }]),
    });
    const agent = new Agent({
      client: harness.client,
      model: 'm',
      output: z.object({ name: z.string(), population: z.number() }).passthrough(),
    });
    const result = await agent.run('x');
    expect(result.endReason).toBe('stop');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(result.output)).toBe(Object.prototype);
    expect((result.output as Record<string, unknown>).polluted).toBeUndefined();
  });
});
