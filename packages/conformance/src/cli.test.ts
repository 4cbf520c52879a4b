import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { sampleError, sampleStream, writeCorpus } from '../test/write-corpus.js';

const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));

function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '--conditions=@chatloop/source', cli, ...args],
      { timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('conformance CLI', () => {
  it('prints one line per case, ends with "N passed, N failed" and exits 1 on a failure', async () => {
    const dir = await writeCorpus({
      good: { kind: 'stream', ...sampleStream() },
      bad: { kind: 'error', ...sampleError(), expected: { status: 500, error: {} } },
    });
    dirs.push(dir);
    const { code, stdout } = await runCli([dir, '--seed', '5']);
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^PASS good .*seed 5\)$/);
    expect(lines[1]).toMatch(/^FAIL bad /);
    expect(lines[2]).toBe('1 passed, 1 failed');
    expect(code).toBe(1);
  });

  it('exits 2 with a usage line when no folder is given', async () => {
    const { code, stderr } = await runCli([]);
    expect(code).toBe(2);
    expect(stderr).toContain('usage: pnpm conformance');
  });
});
