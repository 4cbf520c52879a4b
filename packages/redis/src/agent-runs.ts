import {
  type Agent,
  type AgentEvent,
  createJournalingExecutor,
  type OutputSchema,
  type RunResult,
  type RunStore,
  type StepExecutor,
  type UsageTotals,
} from '@chatloop/agent';
import { ChatloopError, type ChatMessage } from '@chatloop/protocol';
import type { Backend } from './backend.js';

/** Tries per event before a run's delivery fails for an event that could not be published. */
const PUBLISH_ATTEMPTS = 3;

/** What an agent factory gets: the backend's seams, to wire into the agent and its client. */
export interface AgentFactoryContext {
  backend: Backend;
  /** Pass as the agent's `store`: checkpoints after every step. */
  store: RunStore;
  /** Pass as the agent's `executor`: journals every model call and tool result. */
  executor: StepExecutor;
}

/**
 * Builds the agent registered under a name. Workers call it once and reuse the agent for every run of
 * that name; tools are bound here by name, never sent over the wire.
 */
export type AgentFactory = (context: AgentFactoryContext) => RegisteredAgent | Promise<RegisteredAgent>;

/** An agent of any output schema, as a registry holds it. */
export type RegisteredAgent = Agent<OutputSchema | undefined>;

/** Plain-data input of a queued run: a user message, or a list of messages. */
export type AgentRunInput = string | ChatMessage[];

/** What a finished run leaves in the queue: plain data, the same in every process. */
export interface AgentRunSummary {
  runId: string;
  agentName: string;
  endReason: RunResult['endReason'];
  text: string;
  output: unknown;
  usage: UsageTotals;
  /** `name`, `code`, `message` of the error for runs that ended on one. */
  error?: Record<string, unknown>;
  /** How many times a worker started this run (more than 1 after a crash or a retry). */
  deliveries: number;
}

/** Options of {@link createAgentRuns}. */
export interface AgentRunsOptions {
  backend: Backend;
  /** The agents workers can run, by name. */
  agents: Readonly<Record<string, AgentFactory>>;
  /** The ledger scope each run's usage is added to. Default `usage`. */
  ledgerScope?: string | ((summary: AgentRunSummary) => string);
  /** Called in the worker process for each run it finished (for per-worker metrics). */
  onRunFinished?: (summary: AgentRunSummary) => void;
}

/** Options of {@link AgentRuns.submit}. */
export interface SubmitOptions {
  /** The run id (idempotency key: a second submit of the same id does nothing). Default: random. */
  runId?: string;
}

/** Agent runs through a backend's run queue, store, event bus and ledger. */
export interface AgentRuns {
  /** Queues a run of the named agent; resolves its id and whether this call queued it. */
  submit(
    agent: string,
    input: AgentRunInput,
    options?: SubmitOptions,
  ): Promise<{ runId: string; queued: boolean }>;
  /** Starts a worker in this process. */
  work(options?: { concurrency?: number }): { close(): Promise<void> };
  /** The run's events, from any process, replayed from its start, until `run_finished`. */
  events(runId: string, options?: { signal?: AbortSignal }): AsyncIterable<AgentEvent>;
  /** Waits for the run's summary. @throws RunFailedError, RunWaitTimeoutError (from `@chatloop/core`). */
  result(runId: string, timeoutMs?: number): Promise<AgentRunSummary>;
}

/** No agent is registered under the name a run asked for. */
export class UnknownAgentError extends ChatloopError {
  constructor(readonly agentName: string) {
    super('unknown_agent', `no agent is registered as "${agentName}" in this worker`);
  }
}

/**
 * Runs agents by name through a {@link Backend}. A worker executes each run with a journaling executor
 * and a checkpointing store, so when a worker dies mid-run, the run queue hands the run to another
 * worker, which resumes it from its last checkpoint without repeating a journaled model call or tool.
 * Events go to the event bus; each run's usage is added to the ledger once, when the run is finished.
 */
export function createAgentRuns(options: AgentRunsOptions): AgentRuns {
  const { backend } = options;
  const built = new Map<string, Promise<RegisteredAgent>>();
  const agentFor = (name: string) => {
    let agent = built.get(name);
    if (!agent) {
      const factory = options.agents[name];
      if (!factory) throw new UnknownAgentError(name);
      const store = backend.runStore;
      agent = Promise.resolve(factory({ backend, store, executor: createJournalingExecutor(store) }));
      built.set(name, agent);
    }
    return agent;
  };
  const scopeOf = (summary: AgentRunSummary) =>
    typeof options.ledgerScope === 'function'
      ? options.ledgerScope(summary)
      : (options.ledgerScope ?? 'usage');

  return {
    async submit(agent, input, submitOptions = {}) {
      const runId = submitOptions.runId ?? crypto.randomUUID();
      const queued = await backend.runQueue.submit({ runId, agent, input });
      return { runId, queued };
    },

    work(workOptions = {}) {
      return backend.runQueue.work(async (job, { attempt, signal }) => {
        const agent = await agentFor(job.agent);
        // Events are published in order, each retried on a transient backend failure; a run whose
        // events could not all be delivered fails its delivery, and the queue runs it again (resuming).
        let publishing: Promise<void> = Promise.resolve();
        let publishError: unknown;
        const onEvent = (event: AgentEvent) => {
          publishing = publishing.then(async () => {
            for (let attempt = 1; ; attempt++) {
              try {
                await backend.eventBus.publish(job.runId, event);
                return;
              } catch (error) {
                if (attempt >= PUBLISH_ATTEMPTS) {
                  publishError ??= error;
                  return;
                }
                await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
              }
            }
          });
        };
        const ledgered = `${job.runId}/ledger`;
        const stored = await backend.runStore.load(job.runId);
        let summary: AgentRunSummary;
        if (stored?.status === 'finished') {
          // A worker finished the run but died before the queue recorded it: report, do not redo.
          summary = {
            runId: job.runId,
            agentName: stored.agentName,
            endReason: stored.endReason ?? 'error',
            text: lastAssistantText(stored.messages),
            output: undefined,
            usage: stored.usage,
            deliveries: attempt,
          };
        } else {
          const input = job.input as AgentRunInput;
          const result = stored
            ? await agent.resume(stored, [], { signal, onEvent })
            : await agent.run(input, { runId: job.runId, signal, onEvent });
          await publishing;
          if (publishError) throw publishError;
          if (result.endReason === 'error' && result.error?.code === 'backend_unavailable') {
            // The backend failed, not the run: reopen the checkpoint and let the queue deliver it again.
            await reopen(backend.runStore, job.runId);
            throw result.error;
          }
          summary = {
            runId: result.runId,
            agentName: result.agentName,
            endReason: result.endReason,
            text: result.text,
            output: result.output,
            usage: result.usage,
            deliveries: attempt,
          };
          if (result.error) summary.error = result.error.toJSON();
        }
        if ((await backend.runStore.getJournal(ledgered)) === undefined) {
          await backend.ledger.add(scopeOf(summary), summary.usage);
          await backend.runStore.putJournal(ledgered, true);
        }
        options.onRunFinished?.(summary);
        return summary;
      }, workOptions);
    },

    async *events(runId, eventOptions = {}) {
      for await (const event of backend.eventBus.subscribe(runId, eventOptions)) yield event as AgentEvent;
    },

    async result(runId, timeoutMs) {
      return (await backend.runQueue.waitFor(runId, timeoutMs)) as AgentRunSummary;
    },
  };
}

/** Turns a run that ended only because the backend was unreachable back into a resumable one. */
async function reopen(store: RunStore, runId: string): Promise<void> {
  const stored = await store.load(runId);
  if (stored?.status !== 'finished') return;
  const { endReason: _endReason, ...rest } = stored;
  await store.commit(runId, stored.version, { ...rest, status: 'running', version: stored.version + 1 });
}

function lastAssistantText(messages: readonly ChatMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (message?.role === 'assistant' && typeof message.content === 'string') return message.content;
  }
  return '';
}
