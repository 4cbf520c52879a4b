import { ChatloopError } from '@chatloop/protocol';
import { Command, CommanderError, Option } from 'commander';
import {
  CLI_EXIT_CODES,
  type CliIO,
  type ExtractCommandOptions,
  runExtractCommand,
} from './extract-command.js';
import { runTokensCommandForFiles, type TokensCommandOptions } from './tokens-command.js';

const EXTRACT_HELP = `
Inputs (--input): a .jsonl file, one input a line: "text", or {"id": "...", "text": "...", "images": ["a.png"]};
a directory (each text or image file one input, its relative path as id); or one file.
Results go to --out as JSONL ({"id", "object", "attempts", "usage", "costUSD"}), failures beside it in
<out>.errors.jsonl. Rerun with --resume after a stop: finished inputs are skipped, nothing is written twice.
With --redis <url>, run the same command in several processes (or machines): they share one batch, each input
is extracted once, and each process writes the complete --out once the batch is done (needs @chatloop/redis).

Environment: CHATLOOP_API_KEY (or OPENAI_API_KEY), CHATLOOP_BASE_URL (or OPENAI_BASE_URL), CHATLOOP_PROVIDER,
CHATLOOP_MODEL.

Exit codes: 0 all done; 1 some inputs failed or were unusable; 2 bad usage; 3 stopped at the budget;
4 stopped by a fatal error (quota, key, permission, unknown model); 130 interrupted.

Example:
  chatloop extract --schema schema.ts#Invoice --input invoices/ --out invoices.jsonl --model gpt-4o-mini --concurrency 8
`;

/**
 * Runs the `chatloop` CLI with `argv` (without the node and script entries) and returns the exit code
 * (see `CLI_EXIT_CODES`). Never calls `process.exit`; every output goes through `io`.
 */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  let exitCode: number = CLI_EXIT_CODES.ok;
  const program = new Command('chatloop')
    .description('Structured extraction at scale, and token counts, over OpenAI-compatible APIs.')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError('(run with --help for usage)');

  program
    .command('extract')
    .description('Extract a JSON object matching a schema from each input, resumably.')
    .requiredOption('--schema <spec>', 'a JSON schema file (schema.json) or a module export (schema.ts#Name)')
    .requiredOption('--input <path>', 'a .jsonl file, a directory, or one file')
    .option('--out <file>', 'the JSONL results file (the checkpoint)')
    .option('--errors <file>', 'the JSONL failures file (default: <out>.errors.jsonl)')
    .option('--model <id>', 'the model id (or CHATLOOP_MODEL)')
    .addOption(
      new Option('--mode <mode>', 'how to ask for JSON')
        .choices(['auto', 'json_schema', 'json_object', 'tool', 'text'])
        .default('auto'),
    )
    .option('--instructions <text>', 'instructions for the model')
    .option('--concurrency <n>', 'inputs extracted at once', '8')
    .option('--resume', 'continue an existing --out file, skipping finished inputs')
    .option('--retry-failed', 'with --resume, run again the inputs that failed before')
    .option('--dry-run', 'count tokens and estimate the cost of the whole batch; send nothing')
    .option('--max-cost <usd>', 'stop taking inputs once this run spent this many USD')
    .option('--max-tokens <n>', 'stop taking inputs once this run spent this many tokens')
    .option('--max-output-tokens <n>', 'output limit per request (max_completion_tokens)')
    .option('--max-repair-retries <n>', 'retries that show the model its validation errors (default 2)')
    .option('--base-url <url>', 'the API base URL, up to /v1 (or CHATLOOP_BASE_URL)')
    .option('--provider <name>', 'the provider preset, e.g. openai, deepseek, groq (or CHATLOOP_PROVIDER)')
    .option('--api-key <key>', 'the API key (prefer CHATLOOP_API_KEY: flags are visible to other users)')
    .option('--timeout-ms <ms>', 'deadline of each request')
    .option('--max-retries <n>', 'retries of a failed request (5xx, 429, connection), with backoff', '4')
    .option('--rpm <n>', 'requests per minute to stay under (429s also pause sending)')
    .option('--tpm <n>', 'tokens per minute to stay under')
    .option('--grace-ms <ms>', 'after Ctrl-C, how long in-flight inputs may finish', '30000')
    .option('--json', 'print the summary (or the dry-run estimate) as one JSON line')
    .option('--no-progress', 'no progress bar')
    .option(
      '--redis <url>',
      'share the batch with other processes running the same command (needs @chatloop/redis)',
    )
    .option(
      '--batch-id <id>',
      'with --redis, the shared batch (default: from the input path, schema and model)',
    )
    .addHelpText('after', EXTRACT_HELP)
    .action(async (options: ExtractCommandOptions) => {
      exitCode = await runExtractCommand(options, io);
    });

  program
    .command('tokens')
    .description('Count tokens and input cost of files, or report on a ChatCompletions request file.')
    .argument(
      '<paths...>',
      'files or directories; a single {model, messages} .json file gets the full request report',
    )
    .option('--model <id>', 'the model whose tokenizer and price to use')
    .option('--json', 'print one JSON line')
    .action(async (paths: string[], options: TokensCommandOptions) => {
      exitCode = await runTokensCommandForFiles(paths, options, io);
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? CLI_EXIT_CODES.ok : CLI_EXIT_CODES.usage;
    }
    if (
      ChatloopError.is(error) &&
      ['cli_usage', 'extract_schema', 'extract_input', 'shared_backend_missing'].includes(error.code)
    ) {
      io.stderr(`chatloop: ${error.message}\n`);
      return CLI_EXIT_CODES.usage;
    }
    io.stderr(`chatloop: ${error instanceof Error ? error.message : String(error)}\n`);
    return CLI_EXIT_CODES.fatal;
  }
}
