import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChatCompletion } from '@chatloop/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { postChat } from '../test/sse.js';

const dir = mkdtempSync(join(tmpdir(), 'chatloop-cli-run-'));
const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));
const tsx = createRequire(import.meta.url).resolve('tsx');
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** Starts the CLI from its sources and resolves with the base URL it prints. */
function startCli(args: string[]) {
  const child = spawn(process.execPath, ['--import', tsx, '--conditions=@chatloop/source', cli, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (piece: Buffer) => {
    stderr += piece.toString();
  });
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, stdout, stderr })),
  );
  const url = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (piece: Buffer) => {
      stdout += piece.toString();
      const match = /listening on (\S+)/.exec(stdout);
      if (match) resolve(match[1]!);
    });
    exited.then((result) => reject(new Error(`the CLI exited with ${result.code}: ${result.stderr}`)));
  });
  // Runs that are expected to fail await `exited`, not `url`; mark the rejection as seen.
  url.catch(() => undefined);
  return { child, url, exited };
}

describe('chatloop-server', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('serves a script file and stops cleanly on %s', async (signal) => {
    const script = join(dir, `script-${signal}.json`);
    writeFileSync(script, JSON.stringify({ models: { 'gpt-4o': [{ content: 'scripted reply' }] } }));
    const run = startCli(['--script', script, '--port', '0']);
    const url = await run.url;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const response = await postChat(url, { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    expect(((await response.json()) as ChatCompletion).choices[0]?.message.content).toBe('scripted reply');
    run.child.kill(signal);
    const result = await run.exited;
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`chatloop-server stopped (${signal}) after 1 request(s)`);
    expect(result.stderr).toBe('');
  });

  it('exits with 2 and the usage on a bad script', async () => {
    const script = join(dir, 'bad.json');
    writeFileSync(script, JSON.stringify({ modles: {} }));
    const result = await startCli(['--script', script]).exited;
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown field 'modles'");
    expect(result.stderr).toContain('Usage: chatloop-server');
  });
});
