/** Options of {@link EventBus.subscribe}. */
export interface SubscribeOptions {
  /** Stops the subscription; the iteration then ends without error. */
  signal?: AbortSignal;
  /** Replay the run's events from its first one (default) or only those published from now on. */
  from?: 'start' | 'now';
}

/**
 * The event-bus port: a run's events (plain JSON data) published by whoever executes the run and read,
 * in order, by any subscriber, which may join late and replay what it missed, until the run's terminal
 * event. In one process {@link createMemoryEventBus}; across processes a shared one (Redis streams)
 * implements the same calls, so a web server can stream a run that a worker executes.
 */
export interface EventBus {
  publish(runId: string, event: unknown): Promise<void>;
  subscribe(runId: string, options?: SubscribeOptions): AsyncIterable<unknown>;
}

/** Options of {@link createMemoryEventBus}. */
export interface MemoryEventBusOptions {
  /** Which event ends a run's subscription. Default: `type === 'run_finished'`. */
  isTerminal?: (event: unknown) => boolean;
  /** Events kept per run for late subscribers. Default 10,000 (older ones are dropped). */
  maxEventsPerRun?: number;
}

/** The default terminal test: an object whose `type` is `run_finished`. */
export function isRunFinishedEvent(event: unknown): boolean {
  return typeof event === 'object' && event !== null && (event as { type?: unknown }).type === 'run_finished';
}

interface RunChannel {
  events: unknown[];
  /** Index in the run's full history of `events[0]` (older ones were trimmed). */
  offset: number;
  waiters: Set<() => void>;
}

/** The in-process {@link EventBus}. */
export function createMemoryEventBus(options: MemoryEventBusOptions = {}): EventBus {
  const isTerminal = options.isTerminal ?? isRunFinishedEvent;
  const maxEvents = options.maxEventsPerRun ?? 10_000;
  const runs = new Map<string, RunChannel>();
  const channel = (runId: string): RunChannel => {
    let found = runs.get(runId);
    if (!found) {
      found = { events: [], offset: 0, waiters: new Set() };
      runs.set(runId, found);
    }
    return found;
  };
  return {
    async publish(runId, event) {
      const run = channel(runId);
      run.events.push(structuredClone(event));
      if (run.events.length > maxEvents) {
        run.events.shift();
        run.offset++;
      }
      for (const wake of run.waiters) wake();
      run.waiters.clear();
    },
    async *subscribe(runId, subscribeOptions = {}) {
      const run = channel(runId);
      const { signal } = subscribeOptions;
      let next = subscribeOptions.from === 'now' ? run.offset + run.events.length : run.offset;
      while (!signal?.aborted) {
        if (next < run.offset) next = run.offset;
        while (next < run.offset + run.events.length) {
          const event = run.events[next - run.offset];
          next++;
          yield event;
          if (isTerminal(event)) return;
        }
        await new Promise<void>((resolve) => {
          const wake = () => {
            signal?.removeEventListener('abort', wake);
            run.waiters.delete(wake);
            resolve();
          };
          run.waiters.add(wake);
          signal?.addEventListener('abort', wake, { once: true });
        });
      }
    },
  };
}
