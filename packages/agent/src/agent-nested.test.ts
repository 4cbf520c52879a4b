import { scriptedModel } from '@chatloop/testing';
import { defineTool } from '@chatloop/tools';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { allTranscriptsValid, type Harness, startHarness } from '../test/harness.js';
import { Agent } from './agent.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('agent.asTool', () => {
  it('lets one agent call another, with the nested usage rolled up', async () => {
    const search = defineTool({
      name: 'search',
      parameters: z.object({ q: z.string() }),
      execute: () => 'three results',
    });
    harness = await startHarness({
      researcher: scriptedModel([
        { toolCalls: [{ name: 'search', arguments: { q: 'cats' } }] },
        { content: 'Cats sleep 15 hours.' },
      ]),
      lead: scriptedModel([
        { toolCalls: [{ name: 'researcher', arguments: { input: 'How long do cats sleep?' } }] },
        { content: 'Answer: about 15 hours.' },
      ]),
    });
    const researcher = new Agent({
      name: 'researcher',
      client: harness.client,
      model: 'researcher',
      tools: [search],
    });
    const lead = new Agent({
      name: 'lead',
      client: harness.client,
      model: 'lead',
      tools: [researcher.asTool()],
    });
    const result = await lead.run('Cats?');
    expect(result.endReason).toBe('stop');
    expect(result.text).toBe('Answer: about 15 hours.');
    const nested = result.steps[0]?.toolResults[0];
    expect(nested?.content).toBe('Cats sleep 15 hours.');
    expect(nested?.usage?.requests).toBe(2);
    const ledger = harness.server.ledger.snapshot();
    expect(result.usage.requests).toBe(4);
    expect(result.usage.promptTokens).toBe(ledger.promptTokens);
    expect(result.usage.completionTokens).toBe(ledger.completionTokens);
    expect(allTranscriptsValid(harness)).toBe(true);
    expect(harness.bodies()[0]?.tools?.[0]?.function.parameters).toMatchObject({ required: ['input'] });
  });

  it('a failing nested run becomes a failed tool result the caller reads', async () => {
    harness = await startHarness({
      inner: scriptedModel([{ content: '', finishReason: 'content_filter' }]),
      outer: scriptedModel([
        { toolCalls: [{ name: 'inner', arguments: { input: 'x' } }] },
        { content: 'fallback' },
      ]),
    });
    const inner = new Agent({ name: 'inner', client: harness.client, model: 'inner' });
    const outer = new Agent({
      name: 'outer',
      client: harness.client,
      model: 'outer',
      tools: [inner.asTool()],
    });
    const result = await outer.run('go');
    expect(result.endReason).toBe('stop');
    const failed = result.steps[0]?.toolResults[0];
    expect(failed?.ok).toBe(false);
    expect(failed?.content).toMatch(/content_filter/);
    // The failed nested run's model call is billed and counted: usage equals the server's ledger.
    expect(failed?.usage?.requests).toBe(1);
    const ledger = harness.server.ledger.snapshot();
    expect(result.usage.requests).toBe(3);
    expect(result.usage.promptTokens).toBe(ledger.promptTokens);
    expect(result.usage.completionTokens).toBe(ledger.completionTokens);
  });
});
