/**
 * A manual clock for deterministic tests: `now()` reads virtual time, `sleep(ms, signal)` registers a
 * virtual timer, and `advance(ms)` moves time forward firing the timers that fall due, in order, letting
 * the microtasks and I/O callbacks each one starts run before the next fires.
 */
export interface FakeClock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Move virtual time forward by `ms`, firing each due timer in order. */
  advance(ms: number): Promise<void>;
  /** Fire timers until none is left (bounded), returning the virtual time reached. */
  runAll(maxTimers?: number): Promise<number>;
  /** Virtual timers not fired yet. */
  readonly pendingTimers: number;
  /** Every `sleep` duration requested so far, in order. */
  readonly sleeps: number[];
}

interface Timer {
  at: number;
  seq: number;
  resolve: () => void;
}

/** Lets queued microtasks and immediate callbacks run. */
export async function flush(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** Creates a {@link FakeClock} starting at `startMs`. */
export function createFakeClock(startMs = 1_000_000): FakeClock {
  let time = startMs;
  let seq = 0;
  const timers: Timer[] = [];
  const sleeps: number[] = [];

  const fireDue = async (until: number): Promise<void> => {
    for (;;) {
      await flush();
      timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = timers[0];
      if (next === undefined || next.at > until) break;
      timers.shift();
      time = Math.max(time, next.at);
      next.resolve();
    }
    time = Math.max(time, until);
    await flush();
  };

  return {
    now: () => time,
    sleep(ms: number, signal?: AbortSignal): Promise<void> {
      sleeps.push(ms);
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) {
          reject(signal.reason);
          return;
        }
        const timer: Timer = {
          at: time + Math.max(0, ms),
          seq: seq++,
          resolve: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
        };
        const onAbort = () => {
          const index = timers.indexOf(timer);
          if (index >= 0) timers.splice(index, 1);
          reject(signal?.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        timers.push(timer);
      });
    },
    advance: (ms: number) => fireDue(time + ms),
    async runAll(maxTimers = 10_000): Promise<number> {
      for (let i = 0; i < maxTimers; i++) {
        await flush();
        timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
        const next = timers[0];
        if (next === undefined) return time;
        await fireDue(next.at);
      }
      throw new Error(`runAll: more than ${maxTimers} timers fired`);
    },
    get pendingTimers() {
      return timers.length;
    },
    sleeps,
  };
}
