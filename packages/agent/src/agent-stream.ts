import { EventEmitter } from 'eventemitter3';
import type { AgentEvent, AgentEventMap } from './agent-events.js';
import type { RunResult } from './agent-options.js';

/**
 * A streamed run: an async iterable of typed events (one consumer), and the same events on an
 * eventemitter3 emitter (by type, and all of them as `event`), so a server can forward them over SSE or
 * WebSocket. `result` resolves with the run's result (it never rejects: failures are end reasons).
 * Events are buffered from the start, so iterating late misses nothing.
 */
export class AgentStream<TOutput = unknown>
  extends EventEmitter<AgentEventMap>
  implements AsyncIterable<AgentEvent>
{
  /** The run's outcome. */
  readonly result: Promise<RunResult<TOutput>>;
  private readonly buffer: AgentEvent[] = [];
  private finished = false;
  private wake: (() => void) | undefined;
  private readonly controller: AbortController;

  /** @internal Built by `agent.stream()` / `agent.resumeStream()`. */
  constructor(
    start: (emit: (event: AgentEvent) => void, signal: AbortSignal) => Promise<RunResult<TOutput>>,
    signal: AbortSignal | undefined,
  ) {
    super();
    this.controller = new AbortController();
    const combined = signal ? AbortSignal.any([signal, this.controller.signal]) : this.controller.signal;
    const emit = (event: AgentEvent) => {
      this.buffer.push(event);
      if (event.type === 'run_finished') this.finished = true;
      this.wake?.();
      this.emit(event.type, event as never);
      this.emit('event', event);
    };
    this.result = Promise.resolve().then(() => start(emit, combined));
    this.result.then(
      () => this.end(),
      () => this.end(),
    );
  }

  /** Aborts the run (its result ends with reason `aborted`). */
  abort(reason?: unknown): void {
    this.controller.abort(reason);
  }

  /** The text deltas only, as they arrive. */
  async *textStream(): AsyncGenerator<string> {
    for await (const event of this) if (event.type === 'text_delta') yield event.delta;
  }

  private end(): void {
    this.finished = true;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<AgentEvent> {
    let read = 0;
    try {
      while (true) {
        while (read < this.buffer.length) yield this.buffer[read++]!;
        if (this.finished) {
          if (read >= this.buffer.length) return;
          continue;
        }
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        this.wake = undefined;
      }
    } finally {
      if (!this.finished) this.abort(new Error('The stream consumer stopped iterating.'));
    }
  }
}
