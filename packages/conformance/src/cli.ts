import { resolve } from 'node:path';
import { createClientRunner } from './client-runner.js';
import { loadCorpus } from './corpus.js';
import { runCorpus } from './run-corpus.js';

/**
 * `pnpm conformance <dir> [--seed N]`: serves every recorded case of `<dir>` from a loopback server
 * and reads it through the public client, prints one line per case and, last, `N passed, N failed`;
 * exits 1 on any failure.
 */
async function main(argv: readonly string[]): Promise<number> {
  const args = [...argv];
  let seed: number | undefined;
  const seedAt = args.indexOf('--seed');
  if (seedAt !== -1) {
    seed = Number.parseInt(args[seedAt + 1] ?? '', 10);
    args.splice(seedAt, 2);
  }
  const dir = args[0];
  if (dir === undefined || (seed !== undefined && Number.isNaN(seed))) {
    process.stderr.write('usage: pnpm conformance <corpus dir> [--seed N]\n');
    return 2;
  }
  const cases = await loadCorpus(resolve(dir));
  const runner = await createClientRunner();
  try {
    const result = await runCorpus(cases, runner, {
      ...(seed === undefined ? {} : { seed }),
      onLine: (line) => process.stdout.write(`${line}\n`),
    });
    process.stdout.write(`${result.passed} passed, ${result.failed} failed\n`);
    return result.failed === 0 ? 0 : 1;
  } finally {
    await runner.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
