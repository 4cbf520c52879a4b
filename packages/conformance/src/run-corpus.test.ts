import { rm } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sampleError, samplePlain, sampleStream, writeCorpus } from '../test/write-corpus.js';
import type { CaseRunner } from './case-runner.js';
import { createClientRunner } from './client-runner.js';
import { loadCorpus } from './corpus.js';
import { createDecoderRunner } from './decoder-runner.js';
import { runCorpus } from './run-corpus.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function corpus(cases: Parameters<typeof writeCorpus>[0]) {
  const dir = await writeCorpus(cases);
  dirs.push(dir);
  return loadCorpus(dir);
}

const runners: Array<[string, () => Promise<CaseRunner>]> = [
  ['the decoder runner', async () => createDecoderRunner()],
  ['the client runner (loopback server + public client)', createClientRunner],
];

describe.each(runners)('runCorpus with %s', (_name, createRunner) => {
  let runner: CaseRunner;
  beforeEach(async () => {
    runner = await createRunner();
  });
  afterEach(async () => {
    await runner.close();
  });

  it('passes stream (uncut and cut), plain and error cases that match expected.json', async () => {
    const cases = await corpus({
      stream: { kind: 'stream', ...sampleStream() },
      plain: { kind: 'plain', ...samplePlain() },
      error: { kind: 'error', ...sampleError() },
    });
    expect(cases.map((c) => [c.id, c.kind, c.status])).toEqual([
      ['stream', 'stream', 200],
      ['plain', 'plain', 200],
      ['error', 'error', 400],
    ]);
    const lines: string[] = [];
    const result = await runCorpus(cases, runner, { onLine: (line) => lines.push(line) });
    expect(result).toMatchObject({ passed: 3, failed: 0 });
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^PASS stream .*cut at 25 byte positions \(\d+ inside a multi-byte character/);
  });

  it('fails a case whose result differs, naming the field', async () => {
    const stream = sampleStream();
    const cases = await corpus({
      wrong: {
        kind: 'stream',
        body: stream.body,
        expected: { ...(stream.expected as object), content: 'other' },
      },
      status: {
        kind: 'error',
        ...sampleError(),
        expected: { ...(sampleError().expected as object), status: 401 },
      },
    });
    const result = await runCorpus(cases, runner);
    expect(result).toMatchObject({ passed: 0, failed: 2 });
    expect(result.results[0]?.line).toMatch(
      /^FAIL wrong .*uncut: \$\.content: got "Grüße 🌍 世界", expected "other"/,
    );
    expect(result.results[1]?.line).toMatch(/\$\.status: got 400, expected 401/);
  });

  it('fails a stream that ends without [DONE] or finish_reason instead of passing a short answer', async () => {
    const chunk = {
      id: 'x',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'm',
      choices: [{ index: 0, delta: { content: 'Hi' }, finish_reason: null }],
    };
    const cases = await corpus({
      cut: {
        kind: 'stream',
        body: `data: ${JSON.stringify(chunk)}\n\n`,
        expected: {
          content: 'Hi',
          refusal: null,
          reasoning_content: null,
          tool_calls: [],
          finish_reason: null,
          usage: null,
        },
      },
    });
    const result = await runCorpus(cases, runner);
    expect(result.failed).toBe(1);
    expect(result.results[0]?.line).toContain('IncompleteStreamError');
  });
});

/** The handles a server, a socket or a timer would leave behind. */
function handles(): { network: string[]; timers: number } {
  const active = process.getActiveResourcesInfo();
  return {
    network: active.filter((kind) => kind.startsWith('TCP')).sort(),
    timers: active.filter((kind) => kind === 'Timeout').length,
  };
}

describe('the client runner', () => {
  it('leaves no handle behind once closed', async () => {
    const cases = await corpus({
      stream: { kind: 'stream', ...sampleStream() },
      error: { kind: 'error', ...sampleError() },
    });
    const before = handles();
    const runner = await createClientRunner();
    const result = await runCorpus(cases, runner);
    await runner.close();
    expect(result.failed).toBe(0);
    const after = handles();
    expect(after.network).toEqual(before.network);
    expect(after.timers).toBeLessThanOrEqual(before.timers);
  });

  it('checks a 5xx error case against the InternalServerError class', async () => {
    const cases = await corpus({
      teapot: {
        kind: 'error',
        body: JSON.stringify({ error: { message: 'busy', type: 'server_error', param: null, code: null } }),
        status: 503,
        expected: { status: 503, error: { message: 'busy', type: 'server_error', param: null, code: null } },
      },
    });
    const runner = await createClientRunner();
    try {
      const result = await runCorpus(cases, runner);
      expect(result.passed).toBe(1);
    } finally {
      await runner.close();
    }
  });
});
