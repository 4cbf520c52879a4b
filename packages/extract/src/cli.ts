#!/usr/bin/env node
import { runCli } from './cli-program.js';

// The `chatloop` executable: wires the CLI to the process (argv, streams, environment, Ctrl-C).
const exitCode = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  isTTY: process.stderr.isTTY === true,
  onInterrupt: (handler) => {
    let count = 0;
    const listener = () => {
      count++;
      // A second Ctrl-C does not wait for the grace period. The journal repairs a line cut mid-write.
      if (count > 1) process.exit(130);
      handler();
    };
    process.on('SIGINT', listener);
    process.on('SIGTERM', listener);
    return () => {
      process.off('SIGINT', listener);
      process.off('SIGTERM', listener);
    };
  },
});
process.exitCode = exitCode;
