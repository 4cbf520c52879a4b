import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChatloopError } from '@chatloop/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { scriptedClient } from '../test/scripted-client.js';
import type { BatchInput } from './batch-input.js';
import { createMemoryJournal } from './batch-journal.js';
import { type BatchProgress, extractMany } from './extract-many.js';

const Item = z.object({ n: z.number() });
const echoN = (request: { messages: Array<{ role: string; content?: unknown }> }) => {
  const text = String(request.messages.at(-1)?.content ?? '');
  if (text.includes('bad')) return { content: 'not json' };
  return { content: JSON.stringify({ n: Number(text.replace(/\D/g, '')) }) };
};
const inputs = (count: number): BatchInput[] =>
  Array.from({ length: count }, (_, index) => ({ id: `item-${index}`, text: `item ${index}` }));

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'extract-many-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function readJsonl(path: string): Promise<Array<Record<string, unknown>>> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('extractMany', () => {
  it('extracts every input within the concurrency cap and reports progress, usage and totals', async () => {
    let running = 0;
    let peak = 0;
    const gates: Array<() => void> = [];
    const client = scriptedClient([echoN], {
      before: () =>
        new Promise<void>((resolve) => {
          running++;
          peak = Math.max(peak, running);
          gates.push(() => {
            running--;
            resolve();
          });
          queueMicrotask(() => gates.shift()?.());
        }),
    });
    const journal = createMemoryJournal<{ n: number }>();
    const seen: BatchProgress[] = [];
    const summary = await extractMany(inputs(20), {
      client,
      model: 'm',
      schema: Item,
      mode: 'json_object',
      concurrency: 4,
      journal,
      onProgress: (progress) => seen.push(progress),
    });
    expect(summary).toMatchObject({
      stopped: 'completed',
      total: 20,
      done: 20,
      failed: 0,
      skipped: 0,
      interrupted: 0,
    });
    expect(summary.usage).toEqual({ prompt_tokens: 200, completion_tokens: 100, total_tokens: 300 });
    expect(summary.costUSD).toBeUndefined();
    expect(summary.totals).toMatchObject({ done: 20, failed: 0, totalTokens: 300 });
    expect(peak).toBeLessThanOrEqual(4);
    expect(seen).toHaveLength(20);
    expect(new Set(journal.records.map((record) => record.id)).size).toBe(20);
    const first = journal.records.find((record) => record.id === 'item-7');
    expect(first).toMatchObject({ ok: true, object: { n: 7 } });
  });

  it('records failed items without stopping, and reruns them only with retryFailed', async () => {
    const checkpoint = join(dir, 'out.jsonl');
    const batch: BatchInput[] = [...inputs(5), { id: 'broken', text: 'bad one' }, { id: 'empty' }];
    const client = scriptedClient([echoN]);
    const first = await extractMany(batch, {
      client,
      model: 'm',
      schema: Item,
      mode: 'json_object',
      checkpoint,
      maxRepairRetries: 0,
    });
    expect(first).toMatchObject({ stopped: 'completed', done: 5, failed: 2 });
    const errors = await readJsonl(join(dir, 'out.errors.jsonl'));
    expect(errors.map((line) => [line.id, (line.error as { code: string }).code]).sort()).toEqual([
      ['broken', 'extraction_failed'],
      ['empty', 'extract_input'],
    ]);
    const again = await extractMany(batch, {
      client,
      model: 'm',
      schema: Item,
      mode: 'json_object',
      checkpoint,
    });
    expect(again).toMatchObject({ done: 0, failed: 0, skipped: 7 });
    const fixed = scriptedClient([() => ({ content: '{"n": 99}' })]);
    const retried = await extractMany(batch, {
      client: fixed,
      model: 'm',
      schema: Item,
      mode: 'json_object',
      checkpoint,
      retryFailed: true,
    });
    expect(retried).toMatchObject({ done: 1, failed: 1, skipped: 5 });
    expect(retried.totals).toMatchObject({ done: 6, failed: 1 });
    const results = await readJsonl(checkpoint);
    expect(results.map((line) => line.id).sort()).toEqual([
      'broken',
      'item-0',
      'item-1',
      'item-2',
      'item-3',
      'item-4',
    ]);
  });

  it('resumes after a kill: cuts a torn last line and never writes an item twice', async () => {
    const checkpoint = join(dir, 'out.jsonl');
    const usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };
    await writeFile(
      checkpoint,
      `${JSON.stringify({ id: 'item-0', object: { n: 0 }, attempts: 1, usage })}\n${JSON.stringify({ id: 'item-1', object: { n: 1 }, attempts: 1, usage })}\n{"id":"item-2","obj`,
    );
    const client = scriptedClient([echoN]);
    const summary = await extractMany(inputs(6), {
      client,
      model: 'm',
      schema: Item,
      mode: 'json_object',
      checkpoint,
    });
    expect(summary).toMatchObject({ done: 4, skipped: 2, stopped: 'completed' });
    expect(summary.totals).toMatchObject({ done: 6, totalTokens: 90 });
    const lines = await readJsonl(checkpoint);
    expect(lines.map((line) => line.id).sort()).toEqual([
      'item-0',
      'item-1',
      'item-2',
      'item-3',
      'item-4',
      'item-5',
    ]);
  });

  it('counts the billed attempts of an item that then fails on an API error', async () => {
    const journal = createMemoryJournal<{ n: number }>();
    let calls = 0;
    const client = scriptedClient([{ content: '{"n": "not a number"}' }], {
      before: async () => {
        calls++;
        if (calls === 2) throw new ChatloopError('internal_server', 'The server had an error.');
      },
    });
    const summary = await extractMany(['item 1'], {
      client,
      model: 'm',
      schema: Item,
      journal,
      mode: 'json_object',
    });
    expect(summary).toMatchObject({ failed: 1, usage: { total_tokens: 15 } });
    expect(journal.records[0]).toMatchObject({
      ok: false,
      error: { code: 'internal_server' },
      usage: { total_tokens: 15 },
    });
  });

  it('skips a repeated key within a run, keyed by content when there is no id', async () => {
    const journal = createMemoryJournal<{ n: number }>();
    const summary = await extractMany(['item 1', 'item 2', 'item 1'], {
      client: scriptedClient([echoN]),
      model: 'm',
      schema: Item,
      journal,
    });
    expect(summary).toMatchObject({ done: 2, skipped: 1 });
    expect(journal.records.every((record) => record.id.startsWith('sha256:'))).toBe(true);
  });

  it('stops at once on an error no item can overcome, without recording it', async () => {
    const journal = createMemoryJournal<{ n: number }>();
    const client = scriptedClient([echoN], {
      before: async () => {
        throw new ChatloopError('insufficient_quota', 'You exceeded your current quota.');
      },
    });
    const summary = await extractMany(inputs(10), {
      client,
      model: 'm',
      schema: Item,
      journal,
      concurrency: 2,
    });
    expect(summary.stopped).toBe('fatal');
    expect(summary.error).toMatchObject({ code: 'insufficient_quota' });
    expect(journal.records).toHaveLength(0);
  });

  it('stops cleanly at a token budget', async () => {
    const journal = createMemoryJournal<{ n: number }>();
    const summary = await extractMany(inputs(10), {
      client: scriptedClient([echoN]),
      model: 'm',
      schema: Item,
      journal,
      concurrency: 1,
      budget: { maxTokens: 45 },
    });
    expect(summary).toMatchObject({ stopped: 'budget', done: 4 });
    expect(journal.records).toHaveLength(4);
  });

  it('computes cost for a priced model, and refuses a cost budget for an unpriced one', async () => {
    const summary = await extractMany(inputs(2), {
      client: scriptedClient([echoN]),
      model: 'gpt-4o-mini',
      schema: Item,
    });
    expect(summary.costUSD).toBeGreaterThan(0);
    expect(summary.totals.costUSD).toBeCloseTo(summary.costUSD ?? 0, 12);
    await expect(
      extractMany(inputs(2), {
        client: scriptedClient([echoN]),
        model: 'no-such-model',
        schema: Item,
        budget: { maxCostUSD: 1 },
      }),
    ).rejects.toMatchObject({ code: expect.any(String) });
  });

  it('on abort stops intake, aborts in-flight items after the grace period, and a resume finishes the rest', async () => {
    const checkpoint = join(dir, 'out.jsonl');
    const controller = new AbortController();
    let calls = 0;
    const client = scriptedClient([echoN], {
      before: (_request, signal) => {
        calls++;
        if (calls <= 3) return Promise.resolve();
        if (calls === 4) controller.abort(new Error('SIGINT'));
        return new Promise<void>((_resolve, reject) => {
          if (signal?.aborted) reject(signal.reason);
          signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
        });
      },
    });
    const stopped = await extractMany(inputs(12), {
      client,
      model: 'm',
      schema: Item,
      mode: 'json_object',
      checkpoint,
      concurrency: 1,
      signal: controller.signal,
      graceMs: 0,
    });
    expect(stopped).toMatchObject({ stopped: 'aborted', done: 3, interrupted: 1, failed: 0 });
    const resumed = await extractMany(inputs(12), {
      client: scriptedClient([echoN]),
      model: 'm',
      schema: Item,
      checkpoint,
    });
    expect(resumed).toMatchObject({ stopped: 'completed', done: 9, skipped: 3 });
    const lines = await readJsonl(checkpoint);
    expect(lines).toHaveLength(12);
    expect(new Set(lines.map((line) => line.id)).size).toBe(12);
    expect(await readJsonl(join(dir, 'out.errors.jsonl'))).toHaveLength(0);
  });
});
