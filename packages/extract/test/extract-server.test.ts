import { type ChatClient, createClient } from '@chatloop/core';
import type { ChatCompletionRequest, UserMessage } from '@chatloop/protocol';
import { type ScriptedTurn, scriptedModel, startServer, type TestServer } from '@chatloop/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { extract } from '../src/extract.js';
import { isExtractionRefusedError } from '../src/extract-errors.js';
import { extractStream } from '../src/extract-stream.js';
import { isPrefixObject } from '../src/parse-partial-object.js';

const Invoice = z.object({
  number: z.string(),
  total: z.number(),
  lines: z.array(z.object({ item: z.string(), qty: z.number() })),
});
const invoice = {
  number: 'INV-7',
  total: 41.5,
  lines: [
    { item: 'paper', qty: 3 },
    { item: 'ink', qty: 1 },
  ],
};

/** Answers the invoice in whatever shape the request asks for. */
function invoiceTurn(request: ChatCompletionRequest, body = JSON.stringify(invoice)): ScriptedTurn {
  const tool = request.tools?.[0];
  if (tool) return { toolCalls: [{ name: tool.function.name, arguments: body }] };
  if (request.response_format) return { content: body };
  return { content: `Here you go:\n\`\`\`json\n${body}\n\`\`\`` };
}

let server: TestServer;
let client: ChatClient;
let baseline = 0;

beforeAll(async () => {
  // Taken inside a hook, like the check in afterAll, so both count the hook's own timeout timer.
  baseline = process.getActiveResourcesInfo().length;
  server = await startServer({
    models: {
      invoices: scriptedModel([(request) => invoiceTurn(request)]),
      sloppy: scriptedModel([
        (request) => invoiceTurn(request, '{"number": "INV-7", "total": "forty", "lines": []}'),
        (request) => invoiceTurn(request),
      ]),
      refuser: scriptedModel([{ refusal: "I can't help with that." }]),
    },
  });
  client = createClient({ baseURL: server.url, apiKey: 'sk-test' });
});

afterAll(async () => {
  await client.close();
  await server.close();
  expect(process.getActiveResourcesInfo().length).toBeLessThanOrEqual(baseline);
});

describe('extract against the testing server through a core client', () => {
  it.each(['json_schema', 'json_object', 'tool', 'text'] as const)('%s mode', async (mode) => {
    const result = await extract({
      client,
      model: 'invoices',
      schema: Invoice,
      input: 'Invoice INV-7 ...',
      mode,
    });
    expect(result.object).toEqual(invoice);
    expect(result.mode.mode).toBe(mode);
    expect(result.usage.total_tokens).toBeGreaterThan(0);
  });

  it('auto mode follows the provider capability table', async () => {
    const picks: Record<string, string> = {};
    for (const provider of ['openai', 'deepseek', 'groq', 'llamacpp']) {
      const result = await extract({ client, provider, model: 'invoices', schema: Invoice, input: 'x' });
      picks[provider] = result.mode.mode;
    }
    expect(picks).toEqual({ openai: 'json_schema', deepseek: 'tool', groq: 'tool', llamacpp: 'json_schema' });
  });

  it('retries with the validation errors and the server sees a valid transcript', async () => {
    const before = server.requests.length;
    const result = await extract({ client, model: 'sloppy', schema: Invoice, input: 'x', mode: 'tool' });
    expect(result.attempts).toBe(2);
    const retry = server.requests[before + 1]?.body as ChatCompletionRequest;
    expect(retry.messages.at(-1)).toMatchObject({ role: 'tool' });
    expect(JSON.stringify(retry.messages.at(-1))).toContain('total');
  });

  it('a refusal is its own error', async () => {
    const error = await extract({ client, model: 'refuser', schema: Invoice, input: 'x' }).catch(
      (caught: unknown) => caught,
    );
    expect(isExtractionRefusedError(error)).toBe(true);
  });

  it('streams partial objects, each a prefix of the next and of the final object', async () => {
    for (const mode of ['json_schema', 'tool'] as const) {
      const partials: unknown[] = [];
      let final: unknown;
      for await (const event of extractStream({
        client,
        model: 'invoices',
        schema: Invoice,
        input: 'x',
        mode,
      })) {
        if (event.type === 'partial') partials.push(event.object);
        if (event.type === 'final') final = event.object;
      }
      expect(final).toEqual(invoice);
      expect(partials.length).toBeGreaterThan(1);
      partials.forEach((partial, index) => {
        expect(isPrefixObject(partial, invoice)).toBe(true);
        if (index > 0) expect(isPrefixObject(partials[index - 1], partial)).toBe(true);
      });
    }
  });

  it('sends an image input the server accepts', async () => {
    const before = server.requests.length;
    await extract({
      client,
      model: 'invoices',
      schema: Invoice,
      input: {
        text: 'Read this invoice.',
        images: [{ data: new Uint8Array([1, 2, 3]), mimeType: 'image/png' }],
      },
    });
    const sent = server.requests[before]?.body as ChatCompletionRequest;
    expect((sent.messages.at(-1) as UserMessage).content).toContainEqual({
      type: 'image_url',
      image_url: { url: 'data:image/png;base64,AQID' },
    });
  });
});
