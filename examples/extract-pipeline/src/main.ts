import { fileURLToPath } from 'node:url';
import { runPipeline } from './pipeline.js';

// `pnpm start [count]`: 240 invoices (or `count`) through the chatloop extract CLI, offline.
const report = await runPipeline({
  count: Number(process.argv.slice(2).find((arg) => /^\d+$/.test(arg)) ?? 240),
  dir: fileURLToPath(new URL('../out', import.meta.url)),
  write: (line) => process.stdout.write(`${line}\n`),
  stderr: 'inherit',
});
process.exitCode = report.exitCodes.resumed === 0 && report.correct === report.total ? 0 : 1;
