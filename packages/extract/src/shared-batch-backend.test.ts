import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defaultBatchId } from './shared-batch-backend.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const tsxLoader = pathToFileURL(join(repoRoot, 'node_modules/tsx/dist/loader.mjs')).href;
const modulePath = fileURLToPath(new URL('./shared-batch-backend.ts', import.meta.url));

/** Runs loadRedisBatchBackend in a plain Node process (Node's own resolution, as the CLI has) from `cwd`. */
function loadFrom(cwd: string): Promise<string> {
  const script = `const m = await import(${JSON.stringify(modulePath)});
const result = await m.loadRedisBatchBackend(process.cwd()).catch((error) => error);
console.log(typeof result === 'function' ? 'factory' : \`\${result.code}: \${result.message}\`);`;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', tsxLoader, '--conditions=@chatloop/source', '--input-type=module', '-e', script],
      // Without NODE_PATH (the vitest shim sets one that reaches the workspace's packages from anywhere).
      { cwd, timeout: 60_000, env: { ...process.env, NODE_PATH: '' } },
      (error, stdout) => (error ? reject(error) : resolve(stdout.trim())),
    );
  });
}

describe('shared batch backend loading', () => {
  it('gives a typed error when @chatloop/redis is not installed in the project', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chatloop-no-redis-'));
    try {
      expect(await loadFrom(dir)).toMatch(
        /^shared_backend_missing: --redis needs the @chatloop\/redis package/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('loads createRedisExtractBackend from the project that has @chatloop/redis', async () => {
    expect(await loadFrom(repoRoot)).toBe('factory');
  }, 60_000);

  it('derives one batch id per input, schema and model', () => {
    const id = defaultBatchId({ input: 'in.jsonl', schema: 'schema.json', model: 'gpt-4o-mini' });
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(defaultBatchId({ input: './in.jsonl', schema: 'schema.json', model: 'gpt-4o-mini' })).toBe(id);
    expect(defaultBatchId({ input: 'in.jsonl', schema: 'schema.json', model: 'gpt-4o' })).not.toBe(id);
    expect(defaultBatchId({ input: 'other.jsonl', schema: 'schema.json', model: 'gpt-4o-mini' })).not.toBe(
      id,
    );
  });
});
