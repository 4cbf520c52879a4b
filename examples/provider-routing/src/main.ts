import { runProviderRouting } from './provider-routing.js';

// `pnpm start`: cost-based choice, then fallback, over two local "providers".
const reports = await runProviderRouting((line) => process.stdout.write(`${line}\n`));
process.exitCode = reports.every((report) => report.endReason === 'stop') ? 0 : 1;
