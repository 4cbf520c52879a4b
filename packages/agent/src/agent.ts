import { randomUUID } from 'node:crypto';
import { createBudget, getModel } from '@chatloop/models';
import type { ChatMessage, UserContentPart } from '@chatloop/protocol';
import type { Tool } from '@chatloop/tools';
import { createToolRegistry, defineTool } from '@chatloop/tools';
import { NestedRunError, RunStateError } from './agent-errors.js';
import type { AgentOptions, AgentTool, ApprovalDecision, RunOptions, RunResult } from './agent-options.js';
import { AGENT_DEFAULTS } from './agent-options.js';
import { AgentStream } from './agent-stream.js';
import { nestedRunValue } from './nested-run.js';
import type { ResolvedAgent } from './run-loop.js';
import { executeRun } from './run-loop.js';
import type { RunState } from './run-state.js';
import { createRunState, parseRunState } from './run-state.js';
import { directExecutor } from './step-executor.js';
import type { InferOutput, OutputSchema } from './structured-output.js';
import { createOutputSpec, STRUCTURED_OUTPUT_DEFAULTS } from './structured-output.js';

/** What a run starts from: a user message text, user content parts, or a whole transcript. */
export type AgentInput = string | UserContentPart[] | ChatMessage[];

/** Options of {@link Agent.asTool}. */
export interface AsToolOptions {
  /** The tool name. Default: the agent's name. */
  name?: string;
  /** What the calling model reads. Default: "Ask the <name> agent." */
  description?: string;
}

function toMessages(input: AgentInput): ChatMessage[] {
  if (typeof input === 'string') return [{ role: 'user', content: input }];
  if (input.length > 0 && typeof input[0] === 'object' && input[0] !== null && 'role' in input[0]) {
    return [...(input as ChatMessage[])];
  }
  return [{ role: 'user', content: input as UserContentPart[] }];
}

/**
 * An agent: calls the model, runs the tools it asks for, feeds the results back, and repeats until the
 * model answers, a limit is reached or the caller stops it. An agent is a reusable value: one instance
 * serves any number of concurrent runs.
 *
 * @example
 * const agent = new Agent({ client, model: 'gpt-4o-mini', tools: [weather] });
 * const result = await agent.run('Weather in Paris?');
 */
export class Agent<TSchema extends OutputSchema | undefined = undefined> {
  /** The agent's name (restores its runs, names it as a tool). */
  readonly name: string;
  private readonly resolved: ResolvedAgent;
  private readonly generateId: () => string;

  constructor(options: AgentOptions<TSchema>) {
    this.name = options.name ?? AGENT_DEFAULTS.name;
    this.generateId = options.generateId ?? (() => `run_${randomUUID()}`);
    const tools = options.tools ?? [];
    const output = options.output
      ? createOutputSpec(options.output as OutputSchema, STRUCTURED_OUTPUT_DEFAULTS.name)
      : undefined;
    const mode = options.outputMode ?? STRUCTURED_OUTPUT_DEFAULTS.mode;
    const budgetOption = options.budget;
    const sharedBudget = budgetOption && 'add' in budgetOption ? budgetOption : undefined;
    const budgetCaps = budgetOption && !('add' in budgetOption) ? budgetOption : undefined;
    this.resolved = {
      name: this.name,
      client: options.client,
      model: options.model,
      instructions: options.instructions
        ? { role: options.instructionsRole ?? AGENT_DEFAULTS.instructionsRole, content: options.instructions }
        : undefined,
      tools,
      registry: createToolRegistry(tools),
      definitions: tools.map((tool) => tool.definition),
      output,
      outputMode:
        mode === 'auto'
          ? getModel(options.model)?.capabilities.jsonSchema === false
            ? 'tool'
            : 'json_schema'
          : mode,
      maxOutputRepairs: options.maxOutputRepairs ?? STRUCTURED_OUTPUT_DEFAULTS.maxRepairs,
      contextManager: options.context,
      maxSteps: options.maxSteps ?? AGENT_DEFAULTS.maxSteps,
      onMaxSteps: options.onMaxSteps ?? AGENT_DEFAULTS.onMaxSteps,
      stopWhen:
        options.stopWhen === undefined
          ? []
          : Array.isArray(options.stopWhen)
            ? options.stopWhen
            : [options.stopWhen],
      toolChoice: options.toolChoice,
      parallelToolCalls: options.parallelToolCalls,
      modelSettings: options.modelSettings,
      budget: () => sharedBudget ?? (budgetCaps ? createBudget(budgetCaps) : undefined),
      hooks: options.hooks,
      executor: options.executor ?? directExecutor,
      store: options.store,
      reasoning: options.reasoning ?? AGENT_DEFAULTS.reasoning,
      maxRepeatedToolFailures: options.maxRepeatedToolFailures ?? AGENT_DEFAULTS.maxRepeatedToolFailures,
      now: options.now ?? Date.now,
    };
  }

  /** The tools the agent offers (tools are re-bound by these names when a state is restored). */
  get tools(): readonly AgentTool[] {
    return this.resolved.tools;
  }

  /**
   * Runs the agent on `input` until it ends. Resolves with the result for every end reason (stop,
   * max_steps, budget, aborted, length, content_filter, stop_condition, repeated_tool_failure,
   * interrupted, error): it does not reject for a failed model call or an abort; see `result.error`.
   */
  run(input: AgentInput, options: RunOptions = {}): Promise<RunResult<InferOutput<TSchema>>> {
    const state = this.freshState(input, options.runId);
    return executeRun(this.resolved, {
      state,
      resumed: false,
      decisions: undefined,
      signal: options.signal,
      context: options.context,
      emit: options.onEvent,
      streaming: false,
    });
  }

  /** Runs the agent with streamed model calls, as events (see {@link AgentStream}). */
  stream(input: AgentInput, options: RunOptions = {}): AgentStream<InferOutput<TSchema>> {
    const state = this.freshState(input, options.runId);
    return new AgentStream((emit, signal) => {
      const forward = options.onEvent;
      return executeRun(this.resolved, {
        state,
        resumed: false,
        decisions: undefined,
        signal,
        context: options.context,
        emit: forward
          ? (event) => {
              emit(event);
              forward(event);
            }
          : emit,
        streaming: true,
      });
    }, options.signal);
  }

  /**
   * Continues a run from its state (JSON text or object): after approvals (`decisions` for the pending
   * calls; calls without a decision stay pending), or after a crash (with a journaling executor, no
   * journaled model call or tool runs again). Tools are re-bound by name from this agent.
   *
   * @throws RunStateError (rejects) when the state is malformed, of another schema version, of another
   *   agent, or already finished.
   */
  async resume(
    state: RunState | string,
    decisions: readonly ApprovalDecision[] = [],
    options: Omit<RunOptions, 'runId'> = {},
  ): Promise<RunResult<InferOutput<TSchema>>> {
    return executeRun(this.resolved, {
      state: this.restore(state),
      resumed: true,
      decisions: new Map(decisions.map((decision) => [decision.toolCallId, decision])),
      signal: options.signal,
      context: options.context,
      emit: options.onEvent,
      streaming: false,
    });
  }

  /** As {@link Agent.resume}, streamed. @throws RunStateError for a state that cannot be restored. */
  resumeStream(
    state: RunState | string,
    decisions: readonly ApprovalDecision[] = [],
    options: Omit<RunOptions, 'runId'> = {},
  ): AgentStream<InferOutput<TSchema>> {
    const restored = this.restore(state);
    return new AgentStream(
      (emit, signal) =>
        executeRun(this.resolved, {
          state: restored,
          resumed: true,
          decisions: new Map(decisions.map((decision) => [decision.toolCallId, decision])),
          signal,
          context: options.context,
          emit,
          streaming: true,
        }),
      options.signal,
    );
  }

  /**
   * This agent as a tool another agent can call with `{ input: string }`. The nested run gets the
   * caller's abort signal and context; its answer (typed output, or text) goes back as the tool result
   * and its usage is added to the caller's totals. A nested run that does not end with `stop` fails the
   * tool call (the calling model reads why).
   */
  asTool(options: AsToolOptions = {}): Tool<{ input: string }, unknown> {
    const name = options.name ?? this.name;
    return defineTool({
      name,
      description: options.description ?? `Ask the ${name} agent.`,
      parameters: {
        type: 'object',
        properties: { input: { type: 'string', description: 'What to ask the agent.' } },
        required: ['input'],
        additionalProperties: false,
      },
      execute: async (args, context) => {
        const { input } = args as { input: string };
        const result = await this.run(input, { signal: context.signal, context: context.context });
        if (result.endReason !== 'stop') {
          throw new NestedRunError({
            agentName: name,
            endReason: result.endReason,
            usage: result.usage,
            cause: result.error,
          });
        }
        return nestedRunValue(result.output ?? result.text, result.usage);
      },
    }) as Tool<{ input: string }, unknown>;
  }

  private freshState(input: AgentInput, runId: string | undefined): RunState {
    return createRunState({
      runId: runId ?? this.generateId(),
      agentName: this.name,
      messages: toMessages(input),
      now: this.resolved.now(),
    });
  }

  private restore(input: RunState | string): RunState {
    const state = parseRunState(typeof input === 'string' ? input : JSON.parse(JSON.stringify(input)));
    if (state.agentName !== this.name) {
      throw new RunStateError(`The run state belongs to agent "${state.agentName}", not "${this.name}".`);
    }
    if (state.status === 'finished') {
      throw new RunStateError(
        `Run ${state.runId} already finished (${state.endReason ?? 'unknown reason'}).`,
      );
    }
    return state;
  }
}
