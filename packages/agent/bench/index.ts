// Benchmark: per-step overhead of a 10-step tool loop, chatloop vs the AI SDK vs the OpenAI Agents SDK,
// with a hand-written loop on bare undici as the floor; then the heap of 1,000 runs in flight for each.
// The model server runs in a child process. Throughput rounds are interleaved (the order rotates).
// Run: pnpm --filter @chatloop/agent bench   (prints figures; never a test)
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  aiSdkContender,
  bareUndiciContender,
  type Contender,
  chatloopContender,
  openAIAgentsContender,
} from './contenders.js';
import { STEPS_PER_RUN } from './tool-loop.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 8);
const RUNS_PER_ROUND = Number(process.env.BENCH_RUNS ?? 10);
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 1000);
const RAMP_BATCH = 100;
/** Runs are held at this step (after 2 tool round trips) so their state includes some transcript. */
const HOLD_AT_STEP = 1;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const settleHeap = () => {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
};

type ServerMessage = { type: 'ready'; url: string } | { type: 'held'; count: number };

function startServerProcess(): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(fileURLToPath(new URL('./bench-server.ts', import.meta.url)), {
    execArgv: ['--import', 'tsx', '--conditions=@chatloop/source'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.on('message', (message: ServerMessage) => {
      if (message.type === 'ready') resolve({ child, url: message.url });
    });
  });
}

/** Tracks how many calls the server holds. */
function heldCounter(child: ChildProcess): {
  count: () => number;
  reached: (n: number) => Promise<void>;
  stop: () => void;
} {
  let held = 0;
  let waiter: { n: number; resolve: () => void } | undefined;
  const onMessage = (message: ServerMessage) => {
    if (message.type !== 'held') return;
    held = message.count;
    if (waiter && held >= waiter.n) {
      waiter.resolve();
      waiter = undefined;
    }
  };
  child.on('message', onMessage);
  return {
    count: () => held,
    reached: (n) =>
      held >= n
        ? Promise.resolve()
        : new Promise((resolve) => {
            waiter = { n, resolve };
          }),
    stop: () => child.off('message', onMessage),
  };
}

async function throughput(contenders: Contender[]): Promise<Map<string, number>> {
  const elapsedMs = new Map(contenders.map((c) => [c.name, 0]));
  for (const contender of contenders) await contender.run(); // warm-up (JIT, connections)
  for (let round = 0; round < ROUNDS; round++) {
    const order = contenders.map((_, i) => contenders[(i + round) % contenders.length]!);
    for (const contender of order) {
      const started = performance.now();
      for (let i = 0; i < RUNS_PER_ROUND; i++) await contender.run();
      elapsedMs.set(contender.name, elapsedMs.get(contender.name)! + performance.now() - started);
    }
  }
  const stepsPerSecond = new Map<string, number>();
  for (const [name, ms] of elapsedMs)
    stepsPerSecond.set(name, (ROUNDS * RUNS_PER_ROUND * STEPS_PER_RUN * 1000) / ms);
  return stepsPerSecond;
}

async function heapInFlight(
  contender: Contender,
  child: ChildProcess,
): Promise<{ perRun: number; held: number; failed: number }> {
  const baseline = settleHeap();
  child.send({ type: 'hold', atStep: HOLD_AT_STEP });
  const held = heldCounter(child);
  const controllers: AbortController[] = [];
  const runs: Promise<unknown>[] = [];
  let failed = 0;
  for (let started = 0; started < IN_FLIGHT; started += RAMP_BATCH) {
    const batch: Promise<unknown>[] = [];
    for (let i = 0; i < RAMP_BATCH; i++) {
      const controller = new AbortController();
      controllers.push(controller);
      batch.push(
        contender.run(controller.signal).catch(() => {
          if (!controller.signal.aborted) failed += 1;
        }),
      );
    }
    runs.push(...batch);
    // Every run of the batch reaches the held step, or ended (a failed run is counted and left out).
    await Promise.race([held.reached(started + RAMP_BATCH - failed), Promise.all(batch)]);
  }
  const heldRuns = held.count();
  const inFlight = settleHeap();
  held.stop();
  // The controllers are part of the measured heap for every contender alike.
  for (const controller of controllers) controller.abort();
  child.send({ type: 'release' });
  await Promise.all(runs);
  return { perRun: (inFlight - baseline) / Math.max(1, heldRuns), held: heldRuns, failed };
}

const { child, url } = await startServerProcess();
const contenders = [
  bareUndiciContender(url),
  chatloopContender(url),
  aiSdkContender(url),
  openAIAgentsContender(url),
];
try {
  console.log(
    `10-step tool loop against the testing server (child process); ${ROUNDS} interleaved rounds x ${RUNS_PER_ROUND} runs x ${STEPS_PER_RUN} steps per contender; Node ${process.version}`,
  );
  const speed = await throughput(contenders);
  const floor = speed.get('bare-undici')!;
  console.log('\ncontender        steps/s   ms/step   overhead vs bare (µs/step)   vs bare');
  for (const contender of contenders) {
    const s = speed.get(contender.name)!;
    const overheadUs = (1 / s - 1 / floor) * 1e6;
    console.log(
      `${contender.name.padEnd(15)} ${s.toFixed(0).padStart(8)} ${(1000 / s).toFixed(3).padStart(9)} ${overheadUs.toFixed(0).padStart(28)} ${(s / floor).toFixed(2).padStart(9)}`,
    );
  }
  console.log(`\nheap of ${IN_FLIGHT} runs in flight (held at step ${HOLD_AT_STEP + 1}, after GC), per run:`);
  for (const contender of contenders) {
    const started = performance.now();
    const { perRun, held, failed } = await heapInFlight(contender, child);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `${contender.name.padEnd(15)} ${(perRun / 1024).toFixed(1).padStart(8)} KiB   (${held} held, ${failed} failed, ${seconds} s)`,
    );
  }
} finally {
  for (const contender of contenders) await contender.close();
  child.send({ type: 'close' });
}
