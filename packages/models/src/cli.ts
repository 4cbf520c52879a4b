#!/usr/bin/env node
import { runTokensCommand } from './tokens-command.js';

// `chatloop-tokens <request.json>`; the `chatloop` CLI dispatches `chatloop tokens` to runTokensCommand.
process.exitCode = await runTokensCommand(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
