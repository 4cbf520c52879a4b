import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { scriptedClient } from '../test/scripted-client.js';
import { isExtractionFailedError, isExtractionRefusedError } from './extract-errors.js';
import { type ExtractStreamEvent, extractStream } from './extract-stream.js';
import { isPrefixObject } from './parse-partial-object.js';

const Card = z.object({ name: z.string(), year: z.number(), tags: z.array(z.string()), active: z.boolean() });
const answer = { name: 'Ada Lovelace', year: 1843, tags: ['notes', 'engine', 'poetry'], active: true };

async function collect<T>(events: AsyncIterable<ExtractStreamEvent<T>>): Promise<ExtractStreamEvent<T>[]> {
  const seen: ExtractStreamEvent<T>[] = [];
  for await (const event of events) seen.push(event);
  return seen;
}

describe('extractStream', () => {
  it.each(['json_schema', 'tool', 'text'] as const)(
    '%s mode: partials grow as prefixes of each other and of the final object',
    async (mode) => {
      const text = JSON.stringify(answer, null, 1);
      const turn =
        mode === 'tool'
          ? { toolCall: { name: 'extraction', arguments: text } }
          : { content: mode === 'text' ? `Here:\n\`\`\`json\n${text}\n\`\`\`` : text };
      const client = scriptedClient([turn], { chunkChars: 2 });
      const events = await collect(extractStream({ client, model: 'm', schema: Card, input: 'x', mode }));
      const partials = events.filter((event) => event.type === 'partial');
      expect(partials.length).toBeGreaterThan(10);
      const last = events.at(-1);
      expect(last).toMatchObject({ type: 'final', object: answer });
      let previous: unknown;
      for (const event of partials) {
        expect(isPrefixObject(event.object, answer)).toBe(true);
        if (previous !== undefined) expect(isPrefixObject(previous, event.object)).toBe(true);
        previous = event.object;
      }
      expect(client.requests[0]).toMatchObject({ stream: true, stream_options: { include_usage: true } });
      if (last?.type === 'final') expect(last.result.usage.total_tokens).toBe(15);
    },
  );

  it('retries a rejected streamed answer with its errors, with a repair event between attempts', async () => {
    const client = scriptedClient([
      { content: '{"name": "Ada", "year": "soon"}' },
      { content: JSON.stringify(answer) },
    ]);
    const events = await collect(
      extractStream({ client, model: 'm', schema: Card, input: 'x', mode: 'json_object' }),
    );
    const repair = events.findIndex((event) => event.type === 'repair');
    expect(repair).toBeGreaterThan(0);
    expect(events[repair]).toMatchObject({ type: 'repair', attempt: 1 });
    expect(events.slice(repair + 1).every((event) => event.type !== 'partial' || event.attempt === 2)).toBe(
      true,
    );
    expect(events.at(-1)).toMatchObject({
      type: 'final',
      result: { attempts: 2, usage: { total_tokens: 30 } },
    });
    expect(String(client.requests[1]!.messages.at(-1)!.content)).toContain('at year');
  });

  it('gives up with the typed error after bounded retries', async () => {
    const client = scriptedClient([{ content: '{"name": 1}' }]);
    const stream = extractStream({
      client,
      model: 'm',
      schema: Card,
      input: 'x',
      maxRepairRetries: 1,
      mode: 'json_object',
    });
    const error = await stream.result().catch((caught: unknown) => caught);
    expect(isExtractionFailedError(error) && error.attempts === 2).toBe(true);
  });

  it('turns a streamed refusal into the refusal error', async () => {
    const client = scriptedClient([{ refusal: 'No.' }]);
    const error = await collect(extractStream({ client, model: 'm', schema: Card, input: 'x' })).catch(
      (caught: unknown) => caught,
    );
    expect(isExtractionRefusedError(error)).toBe(true);
  });

  it('result() works without iterating, and a stream is consumed once', async () => {
    const client = scriptedClient([{ content: JSON.stringify(answer) }]);
    const stream = extractStream({ client, model: 'm', schema: Card, input: 'x' });
    expect((await stream.result()).object).toEqual(answer);
    expect(() => stream[Symbol.asyncIterator]()).toThrow(TypeError);
  });
});
