// `pnpm bench:compare`: chatloop against a bare undici baseline, the official openai SDK, the AI SDK and
// the OpenAI Agents SDK, on the same @chatloop/testing server (in a child process), interleaved in one
// run. Prints a table of medians and ratios and writes it to docs/benchmarks.md. A benchmark, not a test.
import { type ChildProcess, fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Adapter, createAdapters } from './adapters.js';
import { LOOP_STEPS, STREAM_CHUNKS } from './bench-models.js';
import { median, settledHeapUsed, timeSlice } from './measure.js';
import { type BenchResults, formatReport, type HeapRow, type SpeedRow } from './report.js';
import type { ServerCommand, ServerReport } from './server-process.js';

/** Defaults of the settings (each overridable by its environment variable). */
export const BENCH_DEFAULTS = {
  rounds: 8,
  requests: 50,
  streams: 10,
  loops: 6,
  inFlight: 1_000,
  budgetS: 100,
} as const;
const setting = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const ROUNDS = setting('BENCH_ROUNDS', BENCH_DEFAULTS.rounds);
const REQUESTS = setting('BENCH_REQUESTS', BENCH_DEFAULTS.requests);
const STREAMS = setting('BENCH_STREAMS', BENCH_DEFAULTS.streams);
const LOOPS = setting('BENCH_LOOPS', BENCH_DEFAULTS.loops);
const IN_FLIGHT = setting('BENCH_IN_FLIGHT', BENCH_DEFAULTS.inFlight);
/** After this many seconds of throughput rounds, no new round starts (at least `MIN_ROUNDS` run). */
const BUDGET_S = setting('BENCH_BUDGET_S', BENCH_DEFAULTS.budgetS);
const MIN_ROUNDS = 3;
const RAMP_BATCH = 100;
/** Pause after each memory measurement, so its sockets are gone before the next one starts. */
const SETTLE_MS = 1_000;
/**
 * Tool-loop runs are held at their first model call (so the Agents SDK, which has no plain request, has a
 * memory row too), at half the requests of holding them later, which keeps the whole run inside 5 minutes.
 */
const HOLD_LOOP_STEP = 0;
const DOC_PATH = fileURLToPath(new URL('../../../docs/benchmarks.md', import.meta.url));

interface SpeedCase {
  name: string;
  unit: string;
  /** What one unit is, for the CPU table. */
  perUnit: string;
  concurrency: number;
  count: number;
  /** Units (requests, chunks, steps) per operation. */
  perOp: number;
  op: (adapter: Adapter) => (() => Promise<unknown>) | undefined;
}

const speedCases: SpeedCase[] = [
  {
    name: 'plain requests, c=1',
    unit: 'req/s',
    perUnit: 'request',
    concurrency: 1,
    count: REQUESTS,
    perOp: 1,
    op: (a) => a.chat,
  },
  {
    name: 'plain requests, c=32',
    unit: 'req/s',
    perUnit: 'request',
    concurrency: 32,
    count: Math.max(64, 2 * REQUESTS),
    perOp: 1,
    op: (a) => a.chat,
  },
  {
    name: `stream of ${STREAM_CHUNKS} chunks`,
    unit: 'chunks/s',
    perUnit: 'chunk',
    concurrency: 1,
    count: STREAMS,
    perOp: STREAM_CHUNKS,
    op: (a) => a.stream,
  },
  {
    name: `${LOOP_STEPS}-step tool loop`,
    unit: 'steps/s',
    perUnit: 'step',
    concurrency: 1,
    count: LOOPS,
    perOp: LOOP_STEPS,
    op: (a) => a.toolLoop,
  },
];

function startServerProcess(): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(fileURLToPath(new URL('./server-process.ts', import.meta.url)), {
    execArgv: ['--import', 'tsx', '--conditions=@chatloop/source'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.on('message', (report: ServerReport) => {
      if (report.type === 'ready') resolve({ child, url: report.url });
    });
  });
}

const command = (child: ChildProcess, message: ServerCommand) => child.send(message);

function waitForHeld(child: ChildProcess, count: number): Promise<void> {
  return new Promise((resolve) => {
    const onReport = (report: ServerReport) => {
      if (report.type === 'held' && report.count >= count) {
        child.off('message', onReport);
        resolve();
      }
    };
    child.on('message', onReport);
  });
}

async function measureSpeed(
  adapters: Adapter[],
  child: ChildProcess,
): Promise<{ rows: SpeedRow[]; rounds: number }> {
  const rows: SpeedRow[] = speedCases.map((item) => ({
    name: item.name,
    unit: item.unit,
    perUnit: item.perUnit,
    cells: new Map(),
  }));
  // Warm-up: JIT, connections.
  for (const item of speedCases)
    for (const adapter of adapters) {
      const op = item.op(adapter);
      if (op) await timeSlice(item.concurrency, Math.min(item.count, 2 * item.concurrency), op);
    }
  const samples = speedCases.map(() => new Map<string, { rate: number[]; cpu: number[] }>());
  const started = performance.now();
  let rounds = 0;
  for (let round = 0; round < ROUNDS; round++) {
    if (round >= MIN_ROUNDS && (performance.now() - started) / 1000 > BUDGET_S) break;
    rounds++;
    // The order rotates every round (and runs backwards on odd rounds), so no contender always goes first.
    const rotated = adapters.map((_, i) => adapters[(i + round) % adapters.length]!);
    const order = round % 2 === 0 ? rotated : rotated.reverse();
    for (const [index, item] of speedCases.entries()) {
      for (const adapter of order) {
        const op = item.op(adapter);
        if (!op) continue;
        // No forced GC between slices: forced full GCs age compiled code and made every contender slower
        // (by 2-5x on streams); the rotating order spreads the GC debt of one slice over all contenders.
        const timing = await timeSlice(item.concurrency, item.count, op);
        const units = item.count * item.perOp;
        const entry = samples[index]!.get(adapter.name) ?? { rate: [], cpu: [] };
        entry.rate.push((units * 1000) / timing.wallMs);
        entry.cpu.push(timing.cpuUs / units);
        samples[index]!.set(adapter.name, entry);
      }
    }
    command(child, { type: 'trim' });
    process.stderr.write(`  round ${round + 1}/${ROUNDS} done\n`);
  }
  const baseline = adapters[0]!.name;
  for (const [index, row] of rows.entries()) {
    const base = samples[index]!.get(baseline)!;
    for (const [name, entry] of samples[index]!) {
      row.cells.set(name, {
        rate: median(entry.rate),
        cpuPerUnit: median(entry.cpu),
        // Per-round ratios: each pair ran in the same round, under the same machine load.
        rateRatio: median(entry.rate.map((rate, i) => rate / base.rate[i]!)),
        cpuRatio: median(entry.cpu.map((cpu, i) => cpu / base.cpu[i]!)),
      });
    }
  }
  return { rows, rounds };
}

/** Heap bytes per in-flight operation with `IN_FLIGHT` of them held by the server. */
async function heapPerInFlight(
  child: ChildProcess,
  start: (signal: AbortSignal) => Promise<unknown>,
  loopStep: number,
): Promise<number> {
  const before = settledHeapUsed();
  command(child, { type: 'hold', loopStep });
  const controllers: AbortController[] = [];
  const runs: Promise<unknown>[] = [];
  for (let started = 0; started < IN_FLIGHT; started += RAMP_BATCH) {
    const batch = Math.min(RAMP_BATCH, IN_FLIGHT - started);
    const reached = waitForHeld(child, started + batch);
    for (let i = 0; i < batch; i++) {
      const controller = new AbortController();
      controllers.push(controller);
      runs.push(start(controller.signal).catch(() => undefined));
    }
    await reached;
  }
  const during = settledHeapUsed();
  // The controllers are in the measured heap for every contender alike (a few hundred bytes each).
  for (const controller of controllers) controller.abort();
  command(child, { type: 'release' });
  await Promise.all(runs);
  command(child, { type: 'trim' });
  // Let the aborted sockets close before the next measurement takes its "before" figure.
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  return (during - before) / IN_FLIGHT;
}

async function measureHeap(adapters: Adapter[], child: ChildProcess): Promise<HeapRow[]> {
  const plain: HeapRow = { name: `plain request in flight (${IN_FLIGHT} requests)`, cells: new Map() };
  const loop: HeapRow = {
    name: `tool-loop run in flight (${IN_FLIGHT} runs, held at model call ${HOLD_LOOP_STEP + 1})`,
    cells: new Map(),
  };
  for (const adapter of adapters)
    if (adapter.chat) plain.cells.set(adapter.name, await heapPerInFlight(child, adapter.chat, 0));
  // The second row runs in reverse order, so no contender always measures right after the same one.
  for (const adapter of [...adapters].reverse()) {
    if (adapter.toolLoop)
      loop.cells.set(adapter.name, await heapPerInFlight(child, adapter.toolLoop, HOLD_LOOP_STEP));
    process.stderr.write(
      `  heap: ${adapter.name} done at ${((Date.now() - startedAt.getTime()) / 1000).toFixed(0)} s\n`,
    );
  }
  return [plain, loop];
}

const startedAt = new Date();
const { child, url } = await startServerProcess();
const adapters = createAdapters(url);
try {
  process.stderr.write(
    `bench:compare: ${ROUNDS} interleaved rounds against ${url} (server in a child process)\n`,
  );
  const { rows: speed, rounds } = await measureSpeed(adapters, child);
  process.stderr.write(
    `  throughput rows took ${((Date.now() - startedAt.getTime()) / 1000).toFixed(0)} s\n`,
  );
  const heap = await measureHeap(adapters, child);
  const results: BenchResults = {
    adapters: adapters.map((a) => a.name),
    speed,
    heap,
    startedAt,
    durationS: (Date.now() - startedAt.getTime()) / 1000,
    rounds,
    settings: {
      rounds: ROUNDS,
      requests: REQUESTS,
      streams: STREAMS,
      loops: LOOPS,
      inFlight: IN_FLIGHT,
      budgetS: BUDGET_S,
    },
    defaults: BENCH_DEFAULTS,
  };
  const report = formatReport(results);
  console.log(report);
  writeFileSync(DOC_PATH, report);
  process.stderr.write(`wrote ${DOC_PATH}\n`);
} finally {
  for (const adapter of adapters) await adapter.close();
  command(child, { type: 'close' });
}
