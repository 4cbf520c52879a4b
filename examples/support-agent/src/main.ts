import { runSupportAgent } from './support-agent.js';

// `pnpm start [-- --yes] [customer message]`: the flagship example, offline unless a key is set.
process.exitCode = await runSupportAgent({
  args: process.argv.slice(2),
  env: process.env,
  input: process.stdin,
  output: process.stdout,
  write: (line) => process.stdout.write(`${line}\n`),
});
