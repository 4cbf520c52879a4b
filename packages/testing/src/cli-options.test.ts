import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI_DEFAULTS, CliUsageError, parseCliArgs } from './cli-options.js';

const dir = mkdtempSync(join(tmpdir(), 'chatloop-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parseCliArgs', () => {
  it('defaults to 127.0.0.1:8787', () => {
    expect(parseCliArgs([])).toEqual({ help: false, server: { port: CLI_DEFAULTS.port, host: '127.0.0.1' } });
  });

  it('reads the script file, with flags over it', () => {
    const path = join(dir, 'script.json');
    writeFileSync(
      path,
      JSON.stringify({
        default: [{ content: 'hi' }],
        rateLimit: { rpm: 5, tpm: 100 },
        faults: { rate: 0.5 },
      }),
    );
    const { server } = parseCliArgs([
      '--script',
      path,
      '--port',
      '0',
      '--rpm',
      '7',
      '--fault-seed',
      '3',
      '--profile',
      'deepseek',
      '--api-key',
      'k',
      '--chunk-delay-ms',
      '2',
      '--no-validate',
    ]);
    expect(server).toMatchObject({
      port: 0,
      profile: 'deepseek',
      apiKey: 'k',
      rateLimit: { rpm: 7, tpm: 100 },
      faults: { rate: 0.5, seed: 3 },
      chunkDelayMs: 2,
      validate: false,
    });
    expect(server.defaultModel).toBeDefined();
  });

  it('replays a cassette, or records one through a proxy', () => {
    expect(parseCliArgs(['--cassette', 'c.json']).server.replay).toEqual({ cassette: 'c.json' });
    expect(
      parseCliArgs(['--record', 'https://api.example.com/v1', '--cassette', 'c.json']).server.record,
    ).toEqual({
      upstreamURL: 'https://api.example.com/v1',
      cassettePath: 'c.json',
    });
    expect(() => parseCliArgs(['--record', 'https://api.example.com/v1'])).toThrow(
      '--record needs --cassette',
    );
  });

  it('rejects unknown flags and bad values', () => {
    expect(() => parseCliArgs(['--prot', '1'])).toThrow(CliUsageError);
    expect(() => parseCliArgs(['--port', 'abc'])).toThrow(
      "--port expects a number from 0 to 65535, got 'abc'.",
    );
    expect(() => parseCliArgs(['--fault-rate', '1.5'])).toThrow('--fault-rate');
    expect(() => parseCliArgs(['--profile', 'x'])).toThrow('--profile');
    expect(parseCliArgs(['--help']).help).toBe(true);
  });
});
