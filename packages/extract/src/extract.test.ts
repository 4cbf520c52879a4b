import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UserMessage } from '@chatloop/protocol';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { scriptedClient } from '../test/scripted-client.js';
import { extract } from './extract.js';
import { isExtractInputError, isExtractionFailedError, isExtractionRefusedError } from './extract-errors.js';

const Person = z.object({ name: z.string(), age: z.number().int() });

describe('extract', () => {
  it('json_schema mode: sends structured outputs and returns the typed object with usage', async () => {
    const client = scriptedClient([{ content: '{"name": "Ada", "age": 36}' }], { provider: 'openai' });
    const result = await extract({ client, model: 'gpt-x', schema: Person, input: 'Ada, 36.' });
    expect(result.object).toEqual({ name: 'Ada', age: 36 });
    expect(result.mode.mode).toBe('json_schema');
    expect(result.attempts).toBe(1);
    expect(result.usage).toEqual({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 });
    const request = client.requests[0]!;
    expect(request.response_format).toMatchObject({ type: 'json_schema', json_schema: { strict: true } });
    expect(request.messages.at(-1)).toEqual({ role: 'user', content: 'Ada, 36.' });
  });

  it('json_object mode: puts the schema in the system prompt', async () => {
    const client = scriptedClient([{ content: '{"name": "Ada", "age": 36}' }]);
    const result = await extract({ client, model: 'm', schema: Person, input: 'Ada', mode: 'json_object' });
    expect(result.object.name).toBe('Ada');
    expect(client.requests[0]!.response_format).toEqual({ type: 'json_object' });
    expect(String(client.requests[0]!.messages[0]!.content)).toContain('"required":["name","age"]');
  });

  it('tool mode: forces the function and reads its arguments', async () => {
    const client = scriptedClient([
      { toolCall: { name: 'extraction', arguments: '{"name": "Ada", "age": 36}' } },
    ]);
    const result = await extract({ client, model: 'm', schema: Person, input: 'Ada', mode: 'tool' });
    expect(result.object).toEqual({ name: 'Ada', age: 36 });
    expect(client.requests[0]!.tool_choice).toEqual({ type: 'function', function: { name: 'extraction' } });
  });

  it('text mode: reads fenced JSON out of prose', async () => {
    const client = scriptedClient([{ content: 'Sure:\n```json\n{"name": "Ada", "age": 36}\n```' }]);
    const result = await extract({ client, model: 'm', schema: Person, input: 'Ada', mode: 'text' });
    expect(result.object.age).toBe(36);
    expect(client.requests[0]!.response_format).toBeUndefined();
    expect(client.requests[0]!.tools).toBeUndefined();
  });

  it('repairs almost-JSON locally without another call', async () => {
    const client = scriptedClient([{ content: "{name: 'Ada', age: 36,}" }]);
    const result = await extract({ client, model: 'm', schema: Person, input: 'Ada', mode: 'json_object' });
    expect(result).toMatchObject({ object: { name: 'Ada', age: 36 }, repaired: true, attempts: 1 });
    expect(client.requests).toHaveLength(1);
  });

  it('retries with the validation errors shown to the model, and sums usage', async () => {
    const client = scriptedClient([
      { content: '{"name": "Ada", "age": "old"}' },
      { content: '{"name": "Ada", "age": 36}' },
    ]);
    const result = await extract({ client, model: 'm', schema: Person, input: 'Ada', mode: 'json_object' });
    expect(result.attempts).toBe(2);
    expect(result.usage.total_tokens).toBe(30);
    const retry = client.requests[1]!.messages;
    expect(retry.at(-2)).toEqual({ role: 'assistant', content: '{"name": "Ada", "age": "old"}' });
    expect(retry.at(-1)!.role).toBe('user');
    expect(String(retry.at(-1)!.content)).toContain('at age:');
  });

  it('in tool mode answers the rejected call with a tool message, so the transcript stays valid', async () => {
    const client = scriptedClient([
      { toolCall: { name: 'extraction', arguments: '{"name": 1}', id: 'call_a' } },
      { toolCall: { name: 'extraction', arguments: '{"name": "Ada", "age": 1}' } },
    ]);
    await extract({ client, model: 'm', schema: Person, input: 'Ada', mode: 'tool' });
    const retry = client.requests[1]!.messages;
    expect(retry.at(-2)).toMatchObject({ role: 'assistant', tool_calls: [{ id: 'call_a' }] });
    expect(retry.at(-1)).toMatchObject({ role: 'tool', tool_call_id: 'call_a' });
  });

  it('gives up after the bounded retries with a typed error carrying raw output and issues', async () => {
    const client = scriptedClient([{ content: 'I cannot format JSON today' }]);
    const error = await extract({
      client,
      model: 'm',
      schema: Person,
      input: 'Ada',
      mode: 'json_object',
      maxRepairRetries: 1,
    }).catch((caught: unknown) => caught);
    expect(isExtractionFailedError(error)).toBe(true);
    if (!isExtractionFailedError(error)) return;
    expect(error.attempts).toBe(2);
    expect(error.rawOutput).toBe('I cannot format JSON today');
    expect(error.issues.length).toBeGreaterThan(0);
    expect(error.usage.total_tokens).toBe(30);
    expect(client.requests).toHaveLength(2);
    expect(error.toJSON()).toMatchObject({ code: 'extraction_failed', attempts: 2 });
  });

  it('says when the answer was cut at the token limit', async () => {
    const client = scriptedClient([{ content: '{"name": "Ada"', finishReason: 'length' }]);
    const error = await extract({
      client,
      model: 'm',
      schema: Person,
      input: 'x',
      mode: 'json_object',
      maxRepairRetries: 0,
    }).catch((caught: unknown) => caught);
    expect(
      isExtractionFailedError(error) && error.issues.some((issue) => issue.message.includes('cut off')),
    ).toBe(true);
  });

  it('turns a refusal into its own typed error, without retrying', async () => {
    const client = scriptedClient([{ refusal: 'I will not help with that.' }]);
    const error = await extract({ client, model: 'm', schema: Person, input: 'x' }).catch(
      (caught: unknown) => caught,
    );
    expect(isExtractionRefusedError(error)).toBe(true);
    expect(client.requests).toHaveLength(1);
  });

  it('sends images: URLs as is, local files as data URLs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'extract-img-'));
    try {
      const file = join(dir, 'card.png');
      await writeFile(file, Buffer.from([0x89, 0x50, 0x4e, 0x47]));
      const client = scriptedClient([{ content: '{"name": "Ada", "age": 36}' }]);
      await extract({
        client,
        model: 'm',
        schema: Person,
        input: {
          text: 'Read the card.',
          images: ['https://example.com/a.jpg', { path: file, detail: 'low' }, 'data:image/png;base64,AA=='],
        },
      });
      const user = client.requests[0]!.messages.at(-1) as UserMessage;
      expect(user.content).toEqual([
        { type: 'text', text: 'Read the card.' },
        { type: 'image_url', image_url: { url: 'https://example.com/a.jpg' } },
        { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw==', detail: 'low' } },
        { type: 'image_url', image_url: { url: 'data:image/png;base64,AA==' } },
      ]);
      const bad = await extract({
        client,
        model: 'm',
        schema: Person,
        input: { images: [join(dir, 'notes.txt')] },
      }).catch((caught: unknown) => caught);
      expect(isExtractInputError(bad)).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps __proto__ and constructor keys in the output away from prototypes', async () => {
    const Loose = z.object({ name: z.string() }).passthrough();
    const client = scriptedClient([
      { content: '{"name": "Ada", "__proto__": {"polluted": 1}, "constructor": {"prototype": {"x": 1}}}' },
    ]);
    const result = await extract({ client, model: 'm', schema: Loose, input: 'x', mode: 'json_object' });
    expect(Object.getPrototypeOf(result.object)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((result.object as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('stops at once when aborted', async () => {
    const client = scriptedClient([{ content: '{}' }]);
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(
      extract({ client, model: 'm', schema: Person, input: 'x', signal: controller.signal }),
    ).rejects.toThrow('stop');
    expect(client.requests).toHaveLength(0);
  });
});
