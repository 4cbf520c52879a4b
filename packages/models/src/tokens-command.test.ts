import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTokensCommand } from './tokens-command.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chatloop-tokens-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runTokensCommand(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

describe('chatloop tokens', () => {
  it('prints prompt tokens, fit and cost range of a request file', async () => {
    const file = join(dir, 'request.json');
    await writeFile(
      file,
      JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hello' }], max_tokens: 10 }),
    );
    const { code, stdout } = await run([file]);
    expect(code).toBe(0);
    expect(stdout).toContain('prompt   8 tokens (exact, o200k_base)');
    expect(stdout).toContain('fits');
    expect(stdout).toContain('cost     $');
  });

  it('exits 1 when the request does not fit', async () => {
    const file = join(dir, 'big.json');
    await writeFile(
      file,
      JSON.stringify({ model: 'gpt-4', messages: [{ role: 'user', content: 'word '.repeat(9000) }] }),
    );
    const { code, stdout } = await run([file]);
    expect(code).toBe(1);
    expect(stdout).toContain('does NOT fit');
  });

  it('exits 2 on bad usage, unreadable files and non-requests', async () => {
    expect((await run([])).code).toBe(2);
    expect((await run([join(dir, 'missing.json')])).stderr).toContain('cannot read');
    const file = join(dir, 'not-a-request.json');
    await writeFile(file, '{"hello":1}');
    expect(await run([file])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('not a ChatCompletions request'),
    });
  });
});
