import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer, Socket } from 'node:net';
import { ChatloopError } from '@chatloop/protocol';

/** Defaults of {@link startRedisServer}. */
export const REDIS_SERVER_DEFAULTS = {
  /** The `redis-server` binary (Debian: `apt-get install redis-server`). */
  binary: 'redis-server',
  /** How long to wait for the first `PONG`, in milliseconds. */
  startTimeoutMs: 10_000,
} as const;

/** Options of {@link startRedisServer}. */
export interface RedisServerOptions {
  /** The binary to start. Default {@link REDIS_SERVER_DEFAULTS.binary}. */
  binary?: string;
  /** The loopback port; a free one is picked when omitted. */
  port?: number;
  /** How long to wait for `PING` to answer. Default 10 s. */
  startTimeoutMs?: number;
  /**
   * Turns persistence on (append-only file, flushed on shutdown) in this folder, so data survives
   * {@link RedisServerProcess.stop} and {@link RedisServerProcess.start}: for outage tests. Off by default.
   */
  persistDir?: string;
}

/** A `redis-server` child process on 127.0.0.1 with persistence off. */
export interface RedisServerProcess {
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** Stops the server (SIGTERM, then SIGKILL after 2 s) and waits for the process to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port (after {@link stop}); empty unless `persistDir` was given. */
  start(): Promise<void>;
}

/** Thrown when `redis-server` cannot be started or does not answer `PING` in time. */
export class RedisServerStartError extends ChatloopError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('redis_server_start_failed', message, options);
  }
}

/** True when the `redis-server` binary can be run on this machine. */
export function hasRedisServer(binary: string = REDIS_SERVER_DEFAULTS.binary): boolean {
  const probe = spawnSync(binary, ['--version'], { stdio: 'ignore' });
  return probe.status === 0;
}

/**
 * Starts a private `redis-server` on a free loopback port with persistence off (`--save ''`,
 * `--appendonly no`), for tests, benchmarks and offline examples. It never touches the system
 * service. Resolves once the server answers `PING`.
 *
 * @throws {@link RedisServerStartError} when the binary is missing or the server does not answer.
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServerProcess> {
  const binary = options.binary ?? REDIS_SERVER_DEFAULTS.binary;
  const startTimeoutMs = options.startTimeoutMs ?? REDIS_SERVER_DEFAULTS.startTimeoutMs;
  const port = options.port ?? (await freePort());
  let child: ChildProcess | undefined;

  const start = async (): Promise<void> => {
    if (child) return;
    const persistence = options.persistDir
      ? ['--dir', options.persistDir, '--appendonly', 'yes', '--appendfsync', 'everysec']
      : ['--appendonly', 'no'];
    const args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      ...persistence,
      '--daemonize',
      'no',
      '--loglevel',
      'warning',
    ];
    const spawned = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child = spawned;
    let stderr = '';
    spawned.stderr?.setEncoding('utf8').on('data', (text: string) => {
      stderr = (stderr + text).slice(-2_000);
    });
    const exited = new Promise<never>((_, reject) => {
      spawned.once('error', (error) =>
        reject(new RedisServerStartError(`could not run ${binary}: ${error.message}`, { cause: error })),
      );
      spawned.once('exit', (code) =>
        reject(
          new RedisServerStartError(
            `${binary} exited with code ${code} before answering PING: ${stderr.trim()}`,
          ),
        ),
      );
    });
    exited.catch(() => undefined);
    spawned.once('exit', () => {
      if (child === spawned) child = undefined;
    });
    try {
      await Promise.race([waitForPong(port, startTimeoutMs), exited]);
    } catch (error) {
      spawned.kill('SIGKILL');
      child = undefined;
      throw error;
    }
  };

  const stop = async (): Promise<void> => {
    const running = child;
    if (!running) return;
    child = undefined;
    if (running.exitCode !== null || running.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => running.kill('SIGKILL'), 2_000);
      running.once('exit', () => {
        clearTimeout(force);
        resolve();
      });
      running.kill('SIGTERM');
    });
  };

  await start();
  return { url: `redis://127.0.0.1:${port}`, port, start, stop };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Sends inline `PING` until `+PONG` comes back, with a raw socket so no client library is needed. */
async function waitForPong(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await pingOnce(port)) return;
    if (Date.now() > deadline)
      throw new RedisServerStartError(
        `redis-server on port ${port} did not answer PING within ${timeoutMs} ms`,
      );
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function pingOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    let answer = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.on('data', (data) => {
      answer += data.toString('utf8');
      if (answer.includes('\r\n')) done(answer.startsWith('+PONG'));
    });
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
  });
}
