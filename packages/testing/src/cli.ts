#!/usr/bin/env node
import { CLI_USAGE, CliUsageError, parseCliArgs } from './cli-options.js';
import { ScriptFileError } from './script-file.js';
import { startServer } from './server.js';

async function main(): Promise<void> {
  let config: ReturnType<typeof parseCliArgs>;
  try {
    config = parseCliArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof CliUsageError || error instanceof ScriptFileError) {
      process.stderr.write(`chatloop-server: ${error.message}\n\n${CLI_USAGE}`);
      process.exitCode = 2;
      return;
    }
    throw error;
  }
  if (config.help) {
    process.stdout.write(CLI_USAGE);
    return;
  }
  const server = await startServer(config.server);
  process.stdout.write(`chatloop-server listening on ${server.url}\n`);
  const stop = (signal: NodeJS.Signals) => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    server.close().then(
      () =>
        process.stdout.write(
          `chatloop-server stopped (${signal}) after ${server.requests.length} request(s)\n`,
        ),
      (error: unknown) => {
        process.stderr.write(
          `chatloop-server: failed to stop: ${error instanceof Error ? error.message : String(error)}\n`,
        );
        process.exitCode = 1;
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`chatloop-server: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
