import { Agent, createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { scriptedModel, startServer } from '@chatloop/testing';

// Requests per second the test server sustains on loopback, plain and streamed, with the client in
// the same process (as in chatloop's own load tests). Prints figures; never asserts.
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 5_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const CONTENT = 'The quick brown fox jumps over the lazy dog. '.repeat(4).trim();

const server = await startServer({
  models: {
    bench: scriptedModel([{ content: CONTENT }]),
    tools: scriptedModel([
      { toolCalls: [{ name: 'lookup', arguments: { query: 'weather in Paris', days: 3 } }] },
    ]),
  },
});
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
const url = new URL(`${server.url}/chat/completions`);

// The same client against a bare node:http server answering a fixed body: the machine's ceiling, so the
// figures can be read on a shared, loaded machine.
const bare = createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{"ok":true}');
  });
});
await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
const bareUrl = new URL(`http://127.0.0.1:${(bare.address() as AddressInfo).port}/v1/chat/completions`);

function post(body: string, target = url): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      target,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let bytes = 0;
        res.on('data', (piece: Buffer) => {
          bytes += piece.length;
        });
        res.on('end', () =>
          res.statusCode === 200 ? resolve(bytes) : reject(new Error(`status ${res.statusCode}`)),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function run(label: string, body: unknown, target = url): Promise<void> {
  const text = JSON.stringify(body);
  for (let i = 0; i < 100; i++) await post(text, target);
  const latencies: number[] = [];
  let bytes = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + DURATION_MS;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline) {
        const sent = performance.now();
        const received = await post(text, target);
        bytes += received;
        latencies.push(performance.now() - sent);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  // CPU time per request (client and server, same process) does not depend on other load on the machine.
  const cpuMicros = (cpu.user + cpu.system) / latencies.length;
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(2);
  console.log(
    `${label.padEnd(28)} ${(latencies.length / seconds).toFixed(0).padStart(6)} req/s  p50 ${at(0.5)} ms  p99 ${at(0.99)} ms  ${(bytes / latencies.length).toFixed(0)} B/answer  ${cpuMicros.toFixed(0)} us CPU/req (~${(1e6 / cpuMicros).toFixed(0)} req/s per core)`,
  );
}

const messages = [{ role: 'user', content: 'Tell me about foxes.' }];
console.log(
  `@chatloop/testing server, loopback, ${CONCURRENCY} concurrent keep-alive clients, ${DURATION_MS / 1000} s each`,
);
await run('bare node:http (reference)', { model: 'bench', messages }, bareUrl);
await run('plain completion', { model: 'bench', messages });
await run('streamed (include_usage)', {
  model: 'bench',
  messages,
  stream: true,
  stream_options: { include_usage: true },
});
await run('streamed tool call', { model: 'tools', messages, stream: true });
agent.destroy();
bare.close();
bare.closeAllConnections();
await server.close();
