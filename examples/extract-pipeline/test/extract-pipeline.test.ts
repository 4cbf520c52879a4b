import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateInvoices } from '../src/invoice-generator.js';
import { readInvoice } from '../src/invoice-model.js';
import { runPipeline } from '../src/pipeline.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chatloop-extract-pipeline-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('extract-pipeline example', () => {
  it('generates 200+ deterministic documents the scripted model reads back exactly', () => {
    const documents = generateInvoices();
    expect(documents).toHaveLength(240);
    expect(generateInvoices()).toEqual(documents);
    expect(documents.filter((document) => document.text.startsWith('INVOICE '))).toHaveLength(80);
    expect(documents.filter((document) => document.text.startsWith('Subject: '))).toHaveLength(80);
    expect(documents.filter((document) => document.text.includes(' | invoice no. '))).toHaveLength(80);
    for (const document of documents) expect(readInvoice(document.text)).toEqual(document.expected);
  });

  it('runs the CLI: dry run, Ctrl-C half way, resume; every input once, all correct, cost reported', async () => {
    const lines: string[] = [];
    const report = await runPipeline({
      count: 40,
      dir,
      write: (line) => lines.push(line),
      cli: 'in-process',
    });
    expect(report.exitCodes).toEqual({ dryRun: 0, first: 130, resumed: 0 });
    expect(report).toMatchObject({ total: 40, uniqueIds: 40, lines: 40, correct: 40 });
    expect(report.costUSD).toBeGreaterThan(0);
    const trace = lines.join('\n');
    expect(trace).toContain('dry run: 40 input(s), 0 bad, model gpt-4o-mini');
    expect(trace).toMatch(/aborted: \d+ done, 0 failed/);
    expect(trace).toMatch(/completed: \d+ done, 0 failed, \d+ skipped/);
    expect(trace).toContain('each exactly once: yes');
    expect(trace).toMatch(/tokens: \d+ · cost: \$0\.\d{6}/);
    const out = await readFile(join(dir, 'invoices.out.jsonl'), 'utf8');
    expect(out.trim().split('\n')).toHaveLength(40);
  });
});
