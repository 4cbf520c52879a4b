import { parseArgs } from 'node:util';
import { ChatloopError } from '@chatloop/protocol';
import { loadScript } from './script-file.js';
import type { ServerOptions } from './server.js';

/** Thrown for command-line arguments the CLI cannot use; the message says which. */
export class CliUsageError extends ChatloopError {
  constructor(message: string) {
    super('cli_usage', message);
  }
}

/** Defaults of the `chatloop-server` command. */
export const CLI_DEFAULTS = { port: 8787, host: '127.0.0.1' } as const;

/** The help text of `chatloop-server`. */
export const CLI_USAGE = `Usage: chatloop-server [options]

Serves an OpenAI-compatible API (POST /v1/chat/completions, GET /v1/models) for tests.

  --script <file>         JSON script: an array of turns, or { models, default, profile, rateLimit, faults, ... }
  --cassette <file>       replay recorded exchanges from this cassette (with --record: write it)
  --record <url>          proxy to this upstream base URL (e.g. https://api.openai.com/v1), recording
                          each exchange to --cassette; the client's Authorization header is forwarded
  --port <n>              port (default ${CLI_DEFAULTS.port}; 0 for any free port)
  --host <addr>           interface (default ${CLI_DEFAULTS.host})
  --profile <name>        openai | deepseek
  --api-key <key>         require this bearer key
  --rpm <n>, --tpm <n>    rate-limit budgets per window
  --rate-window-ms <n>    rate-limit window (default 60000)
  --chunk-delay-ms <n>    pause between stream chunks
  --fault-rate <p>        probability (0..1) of a fault per request
  --fault-seed <n>        seed of the fault draw (default 1)
  --no-validate           do not reject malformed requests
  --help                  print this help

Prints "chatloop-server listening on <base URL>" once ready; stops on SIGINT or SIGTERM.
Clients may ask for a fault per request with the header x-chatloop-fault: {"kind":"status","status":503}.
`;

/** What the command line asks for. */
export interface CliConfig {
  help: boolean;
  server: ServerOptions;
}

function number(value: string | undefined, flag: string, max = Number.POSITIVE_INFINITY): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed < 0 || parsed > max) {
    throw new CliUsageError(`${flag} expects a number from 0 to ${max}, got '${value}'.`);
  }
  return parsed;
}

/**
 * Parses `chatloop-server` arguments into server options (the script file first, flags over it).
 * @throws CliUsageError for unknown flags or bad values; ScriptFileError for a bad script.
 */
export function parseCliArgs(argv: readonly string[]): CliConfig {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        script: { type: 'string' },
        cassette: { type: 'string' },
        record: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        profile: { type: 'string' },
        'api-key': { type: 'string' },
        rpm: { type: 'string' },
        tpm: { type: 'string' },
        'rate-window-ms': { type: 'string' },
        'chunk-delay-ms': { type: 'string' },
        'fault-rate': { type: 'string' },
        'fault-seed': { type: 'string' },
        'no-validate': { type: 'boolean' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new CliUsageError(error instanceof Error ? error.message : String(error));
  }
  const text = (key: string) => values[key] as string | undefined;
  const server: ServerOptions = text('script') === undefined ? {} : { ...loadScript(text('script')!) };
  server.port = number(text('port'), '--port', 65_535) ?? CLI_DEFAULTS.port;
  server.host = text('host') ?? CLI_DEFAULTS.host;
  const profile = text('profile');
  if (profile !== undefined) {
    if (profile !== 'openai' && profile !== 'deepseek')
      throw new CliUsageError(`--profile expects openai or deepseek, got '${profile}'.`);
    server.profile = profile;
  }
  if (text('api-key') !== undefined) server.apiKey = text('api-key');
  const rpm = number(text('rpm'), '--rpm');
  const tpm = number(text('tpm'), '--tpm');
  const windowMs = number(text('rate-window-ms'), '--rate-window-ms');
  if (rpm !== undefined || tpm !== undefined || windowMs !== undefined) {
    server.rateLimit = { ...server.rateLimit };
    if (rpm !== undefined) server.rateLimit.rpm = rpm;
    if (tpm !== undefined) server.rateLimit.tpm = tpm;
    if (windowMs !== undefined) server.rateLimit.windowMs = windowMs;
  }
  const chunkDelayMs = number(text('chunk-delay-ms'), '--chunk-delay-ms');
  if (chunkDelayMs !== undefined) server.chunkDelayMs = chunkDelayMs;
  const rate = number(text('fault-rate'), '--fault-rate', 1);
  const seed = number(text('fault-seed'), '--fault-seed');
  if (rate !== undefined || seed !== undefined) {
    server.faults = { ...server.faults };
    if (rate !== undefined) server.faults.rate = rate;
    if (seed !== undefined) server.faults.seed = seed;
  }
  if (values['no-validate'] === true) server.validate = false;
  const cassette = text('cassette');
  const record = text('record');
  if (record !== undefined) {
    if (cassette === undefined) throw new CliUsageError('--record needs --cassette <file> to write to.');
    server.record = { upstreamURL: record, cassettePath: cassette };
  } else if (cassette !== undefined) {
    server.replay = { cassette };
  }
  return { help: values.help === true, server };
}
