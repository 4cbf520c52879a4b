// Benchmark (not a test): the client against bare undici on a loopback server in another process.
// Interleaved rounds, medians. Run: pnpm --filter @chatloop/core bench
import { type ChildProcess, fork } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createClient } from '@chatloop/core';
import { request as undiciRequest } from 'undici';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const SLICE_REQUESTS = Number(process.env.BENCH_SLICE_REQUESTS ?? 300);
// About 40 ms of streaming per slice: long enough that one GC pause or scheduler hiccup on a loaded
// machine does not decide a slice, short enough that the rounds stay interleaved.
const SLICE_STREAMS = Number(process.env.BENCH_SLICE_STREAMS ?? 20);
const IN_FLIGHT = 1_000;
const STREAM_CHUNKS = 1_000;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const chatRequest = {
  model: 'bench-model',
  messages: [
    { role: 'system' as const, content: 'You are a helpful assistant.' },
    { role: 'user' as const, content: 'Say something short about foxes.' },
  ],
  max_tokens: 64,
};

async function startServer(): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(fileURLToPath(new URL('./loopback-server.ts', import.meta.url)), [], {
    execArgv: process.execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve) => {
    child.once('message', (message: { port: number }) => resolve(message.port));
  });
  return { child, port };
}

const { child, port } = await startServer();
const baseURL = `http://127.0.0.1:${port}/v1`;
const url = `${baseURL}/chat/completions`;
const client = createClient({ baseURL, apiKey: 'sk-bench' });
const bareHeaders = { 'content-type': 'application/json', authorization: 'Bearer sk-bench' };

/** The baseline: bare `undici.request` + `JSON.parse`. */
async function bareChat(): Promise<unknown> {
  const { body } = await undiciRequest(url, {
    method: 'POST',
    headers: bareHeaders,
    body: JSON.stringify(chatRequest),
  });
  return JSON.parse(await body.text());
}

/** The stream baseline: bare `undici.request`, split on blank lines, `JSON.parse` each `data:`. */
async function bareStream(): Promise<number> {
  return bareStreamOf(chatRequest);
}

async function bareStreamOf(request: typeof chatRequest): Promise<number> {
  const { body } = await undiciRequest(url, {
    method: 'POST',
    headers: bareHeaders,
    body: JSON.stringify({ ...request, stream: true }),
  });
  body.setEncoding('utf8');
  let buffer = '';
  let chunks = 0;
  for await (const text of body as AsyncIterable<string>) {
    buffer += text;
    let end = buffer.indexOf('\n\n');
    while (end !== -1) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (event.startsWith('data: ') && event !== 'data: [DONE]') {
        JSON.parse(event.slice(6));
        chunks++;
      }
      end = buffer.indexOf('\n\n');
    }
  }
  return chunks;
}

async function clientStream(): Promise<void> {
  const final = await client.stream(chatRequest).final();
  if (final.choices[0]?.finish_reason !== 'stop') throw new Error('stream did not finish');
}

const chunkedRequest = { ...chatRequest, model: 'chunked' };

/** The stream baseline over the one-write-per-event server. */
async function bareChunkedStream(): Promise<number> {
  return bareStreamOf(chunkedRequest);
}

/** The same stream sent one event per write (chunked encoding), read with `final()`. */
async function clientChunkedStream(): Promise<void> {
  const final = await client.stream(chunkedRequest).final();
  if (final.choices[0]?.finish_reason !== 'stop') throw new Error('stream did not finish');
}

/** The same stream read chunk by chunk with `for await`, as a caller showing tokens does. */
async function clientStreamIterated(): Promise<void> {
  let chunks = 0;
  for await (const _chunk of client.stream(chatRequest)) chunks++;
  if (chunks !== STREAM_CHUNKS) throw new Error(`stream gave ${chunks} chunks`);
}

interface Slice {
  /** Operations per second (wall clock). */
  rate: number;
  /** This process's CPU time (user + system) per operation, in microseconds. */
  cpuMicros: number;
}

/** Runs `count` operations in `concurrency` loops: their rate and the CPU time each one cost. */
async function slice(concurrency: number, count: number, op: () => Promise<unknown>): Promise<Slice> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  let left = count;
  const loop = async () => {
    while (left-- > 0) await op();
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  const elapsedMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { rate: count / (elapsedMs / 1000), cpuMicros: (used.user + used.system) / count };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

interface Case {
  name: string;
  unit: string;
  /** What one unit is, for the CPU column. */
  cpuUnit: string;
  /** Operations per slice, and units (requests or chunks) per operation. */
  concurrency: number;
  count: number;
  perOp: number;
  bare: () => Promise<unknown>;
  ours: () => Promise<unknown>;
}

/** A case of one 1,000-chunk stream per operation, one at a time. */
function streamCase(name: string, bare: () => Promise<unknown>, ours: () => Promise<unknown>): Case {
  return {
    name,
    unit: 'chunks/s',
    cpuUnit: 'chunk',
    concurrency: 1,
    count: SLICE_STREAMS,
    perOp: STREAM_CHUNKS,
    bare,
    ours,
  };
}

const cases: Case[] = [
  {
    name: 'chat c=1',
    unit: 'req/s',
    cpuUnit: 'request',
    concurrency: 1,
    count: SLICE_REQUESTS,
    perOp: 1,
    bare: bareChat,
    ours: () => client.chat(chatRequest),
  },
  {
    name: 'chat c=32',
    unit: 'req/s',
    cpuUnit: 'request',
    concurrency: 32,
    count: 2 * SLICE_REQUESTS,
    perOp: 1,
    bare: bareChat,
    ours: () => client.chat(chatRequest),
  },
  streamCase('stream 1000 chunks', bareStream, clientStream),
  streamCase('stream, event/write', bareChunkedStream, clientChunkedStream),
  streamCase('stream, for await', bareStream, clientStreamIterated),
];

// Warm-up, then interleaved rounds: in each round every case runs a baseline slice and a client slice
// back to back (alternating which goes first), so both see the same machine load; the ratio of each
// pair is taken, and the medians are reported. CPU time per unit is reported beside the rates: it
// does not depend on what else the machine runs.
const results = cases.map(() => ({
  bare: [] as number[],
  ours: [] as number[],
  ratios: [] as number[],
  bareCpu: [] as number[],
  oursCpu: [] as number[],
}));
for (const item of cases) {
  await slice(item.concurrency, item.count, item.bare);
  await slice(item.concurrency, item.count, item.ours);
}
for (let round = 0; round < ROUNDS; round++) {
  for (const [index, item] of cases.entries()) {
    let bare: Slice;
    let ours: Slice;
    if (round % 2 === 0) {
      bare = await slice(item.concurrency, item.count, item.bare);
      ours = await slice(item.concurrency, item.count, item.ours);
    } else {
      ours = await slice(item.concurrency, item.count, item.ours);
      bare = await slice(item.concurrency, item.count, item.bare);
    }
    const entry = results[index]!;
    entry.bare.push(bare.rate * item.perOp);
    entry.ours.push(ours.rate * item.perOp);
    entry.ratios.push(ours.rate / bare.rate);
    entry.bareCpu.push(bare.cpuMicros / item.perOp);
    entry.oursCpu.push(ours.cpuMicros / item.perOp);
  }
}

/** Heap bytes per in-flight request, with the server holding `IN_FLIGHT` responses. */
async function heapPerInFlight(send: () => Promise<unknown>): Promise<number> {
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const held = new Promise<void>((resolve) => {
    const onMessage = (message: { held?: number }) => {
      if (message.held !== undefined) {
        child.off('message', onMessage);
        resolve();
      }
    };
    child.on('message', onMessage);
  });
  child.send({ hold: IN_FLIGHT });
  const pending = Array.from({ length: IN_FLIGHT }, send);
  await held;
  gc();
  gc();
  const during = process.memoryUsage().heapUsed;
  child.send({ release: true });
  await Promise.all(pending);
  return (during - before) / IN_FLIGHT;
}

const holdRequest = { ...chatRequest, model: 'hold' };
const heapBare = await heapPerInFlight(async () => {
  const { body } = await undiciRequest(url, {
    method: 'POST',
    headers: bareHeaders,
    body: JSON.stringify(holdRequest),
  });
  return JSON.parse(await body.text());
});
const heapOurs = await heapPerInFlight(() => client.chat(holdRequest));

console.log(
  `@chatloop/core bench: ${ROUNDS} interleaved rounds, medians; loopback server in its own process (Node ${process.version}, load average ${os.loadavg()[0]!.toFixed(2)})`,
);
for (const [index, item] of cases.entries()) {
  const entry = results[index]!;
  const bare = median(entry.bare).toFixed(0).padStart(7);
  const ours = median(entry.ours).toFixed(0).padStart(7);
  console.log(
    `${item.name.padEnd(19)} bare undici ${bare} ${item.unit.padEnd(8)}  client ${ours} ${item.unit.padEnd(8)}  ratio ${median(entry.ratios).toFixed(2)}` +
      `  (CPU µs per ${item.cpuUnit}: bare ${median(entry.bareCpu).toFixed(2)}, client ${median(entry.oursCpu).toFixed(2)})`,
  );
}
console.log(
  `heap per in-flight request (${IN_FLIGHT} held): bare undici ${(heapBare / 1024).toFixed(1)} KiB, client ${(heapOurs / 1024).toFixed(1)} KiB`,
);

await client.close();
child.send({ exit: true });
await import('./resilience.js');
