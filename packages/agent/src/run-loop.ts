import type { Budget } from '@chatloop/models';
import { costOf, getModel } from '@chatloop/models';
import type {
  AssistantMessage,
  ChatCompletionRequest,
  ChatMessage,
  FunctionTool,
  ToolChoice,
} from '@chatloop/protocol';
import { ChatloopError } from '@chatloop/protocol';
import type { ToolRegistry } from '@chatloop/tools';
import { createToolRegistry } from '@chatloop/tools';
import type { AgentClient } from './agent-client.js';
import {
  AgentResponseError,
  CheckpointConflictError,
  OutputValidationError,
  RunAbortedError,
} from './agent-errors.js';
import type { AgentEvent, RunFinishedEvent } from './agent-events.js';
import type {
  AgentContextManager,
  AgentHooks,
  AgentTool,
  ApprovalDecision,
  ModelSettings,
  RunResult,
  StepResult,
} from './agent-options.js';
import { AgentRunError } from './agent-run-error.js';
import { callModel } from './model-call.js';
import type { EndReason, RunState, StepRecord } from './run-state.js';
import type { RunStore } from './run-store.js';
import type { StepExecutor } from './step-executor.js';
import { journalKey } from './step-executor.js';
import type { StopCondition } from './stop-conditions.js';
import { shouldStop } from './stop-conditions.js';
import type { OutputSpec } from './structured-output.js';
import { repairInstruction } from './structured-output.js';
import { trackToolFailures } from './tool-failure-tracker.js';
import { settleToolCalls } from './tool-step.js';
import type { ReasoningReplay } from './transcript.js';
import { prepareReasoning, toolMessage, unansweredToolCalls } from './transcript.js';
import { addUsage, mergeUsageTotals } from './usage-totals.js';

/** An agent's settings with every default applied (built once by `Agent`). */
export interface ResolvedAgent {
  name: string;
  client: AgentClient;
  model: string;
  instructions: ChatMessage | undefined;
  tools: AgentTool[];
  registry: ToolRegistry;
  definitions: FunctionTool[];
  output: OutputSpec | undefined;
  outputMode: 'json_schema' | 'tool';
  maxOutputRepairs: number;
  contextManager: AgentContextManager | undefined;
  maxSteps: number;
  onMaxSteps: 'end' | 'final_call';
  stopWhen: StopCondition[];
  toolChoice: ToolChoice | undefined;
  parallelToolCalls: boolean | undefined;
  modelSettings: ModelSettings | undefined;
  budget: () => Budget | undefined;
  hooks: AgentHooks | undefined;
  executor: StepExecutor;
  store: RunStore | undefined;
  reasoning: ReasoningReplay;
  maxRepeatedToolFailures: number;
  now: () => number;
}

/** One execution of the loop over a state (fresh or restored). */
export interface LoopInput {
  state: RunState;
  resumed: boolean;
  decisions: ReadonlyMap<string, ApprovalDecision> | undefined;
  signal: AbortSignal | undefined;
  context: unknown;
  emit: ((event: AgentEvent) => void) | undefined;
  streaming: boolean;
}

const CANCELLED_CONTENT = 'The tool call was cancelled: the run ended before it completed.';

function costFor(usage: Parameters<typeof costOf>[0], model: string): number | undefined {
  const info = getModel(model);
  return info?.pricing ? costOf(usage, info).totalUSD : undefined;
}

function isAbort(error: unknown, signal: AbortSignal | undefined): boolean {
  if (signal?.aborted) return true;
  if (ChatloopError.is(error)) return error.code === 'aborted';
  return error instanceof Error && error.name === 'AbortError';
}

/**
 * Runs the agent loop over `input.state` until the model answers, a limit or stop condition is reached,
 * approvals are needed, or the run is aborted or fails. Never rejects for those: every outcome is a
 * {@link RunResult} and exactly one `run_finished` event.
 */
export async function executeRun<TOutput>(
  agent: ResolvedAgent,
  input: LoopInput,
): Promise<RunResult<TOutput>> {
  const { state, signal, emit, context } = input;
  const { now } = agent;
  const runId = state.runId;
  const steps: StepResult[] = state.steps.map((step) => ({ ...step }));
  let endReason: EndReason | undefined;
  let error: ChatloopError | undefined;
  let output: unknown;
  let refusal: string | undefined;
  const budget = agent.budget();
  if (budget && input.resumed && state.usage.totalTokens > 0) {
    budget.add(
      {
        prompt_tokens: state.usage.promptTokens,
        completion_tokens: state.usage.completionTokens,
        total_tokens: state.usage.totalTokens,
      },
      agent.model,
    );
  }

  const checkpoint = async () => {
    state.updatedAt = now();
    if (!agent.store) {
      state.version += 1;
      return;
    }
    const expected = state.version;
    state.version = expected + 1;
    if (!(await agent.store.commit(runId, expected, state))) {
      state.version = expected;
      throw new CheckpointConflictError(runId, expected);
    }
  };

  /** After a step's tool results are in: roll-ups, hooks, checkpoint, then the reasons to end now. */
  const finishStep = async (
    record: StepRecord,
    results = record.toolResults,
  ): Promise<EndReason | undefined> => {
    record.toolResults = results;
    const stepResult = steps[record.index];
    if (stepResult) stepResult.toolResults = results;
    for (const result of results) if (result.usage) mergeUsageTotals(state.usage, result.usage);
    const argumentsById = new Map(record.toolCalls.map((call) => [call.id, call.function.arguments]));
    const repeated = trackToolFailures(
      state.toolFailures,
      results,
      argumentsById,
      agent.maxRepeatedToolFailures,
    );
    emit?.({ type: 'step_finished', runId, step: record });
    await checkpoint();
    await agent.hooks?.afterStep?.({ step: record, state, context });
    if (repeated) {
      error = repeated;
      return 'repeated_tool_failure';
    }
    if (agent.output && state.outputRepairs > agent.maxOutputRepairs) {
      const last = results.find((result) => result.error?.code === 'output_validation');
      error = new OutputValidationError(last ? [last.content] : [], state.outputRepairs);
      return 'error';
    }
    return undefined;
  };

  const afterToolStep = async (record: StepRecord): Promise<EndReason | undefined> => {
    if (budget?.exceeded) {
      try {
        budget.check();
      } catch (budgetError) {
        error = budgetError as ChatloopError;
      }
      return 'budget';
    }
    if (
      agent.stopWhen.length > 0 &&
      (await shouldStop(agent.stopWhen, { steps: state.steps, lastStep: record }))
    ) {
      return 'stop_condition';
    }
    return undefined;
  };

  emit?.({ type: 'run_started', runId, agentName: agent.name, resumed: input.resumed });
  try {
    state.status = 'running';
    if (state.pendingToolCalls.length > 0) {
      const record = state.steps[state.steps.length - 1]!;
      const outcome = await settleToolCalls({
        state,
        step: record.index,
        registry: agent.registry,
        executor: agent.executor,
        hooks: agent.hooks,
        signal,
        context,
        emit,
        now,
        outputTool: agent.outputMode === 'tool' ? agent.output : undefined,
        maxOutputRepairs: agent.maxOutputRepairs,
        decisions: input.decisions,
        firstPass: false,
      });
      if (outcome.kind === 'interrupted') {
        endReason = 'interrupted';
      } else {
        endReason = await finishStep(record, outcome.results);
        if (!endReason && outcome.output) {
          output = outcome.output.value;
          endReason = 'stop';
        }
        endReason ??= await afterToolStep(record);
      }
    }

    while (endReason === undefined) {
      if (signal?.aborted) throw new RunAbortedError({ cause: signal.reason });
      if (budget?.exceeded) {
        endReason = await afterToolStep(state.steps[state.steps.length - 1]!);
        break;
      }
      const index = state.steps.length;
      let finalCall = false;
      if (index >= agent.maxSteps) {
        if (agent.onMaxSteps === 'final_call' && !state.finalCallMade) {
          finalCall = true;
          state.finalCallMade = true;
        } else {
          endReason = 'max_steps';
          break;
        }
      }

      const overrides = await agent.hooks?.beforeStep?.({
        step: index,
        model: agent.model,
        messages: state.messages,
        tools: agent.tools,
        toolChoice: agent.toolChoice,
        context,
      });
      const model = overrides?.model ?? agent.model;
      const registry = overrides?.tools ? createToolRegistry(overrides.tools) : agent.registry;
      let definitions = overrides?.tools ? overrides.tools.map((tool) => tool.definition) : agent.definitions;
      if (agent.output && agent.outputMode === 'tool')
        definitions = [...definitions, agent.output.finalTool()];
      let messages = overrides?.messages ?? state.messages;
      if (agent.contextManager) {
        messages = await agent.contextManager.prepare(messages, { model, tools: definitions, signal });
      }
      messages = prepareReasoning(messages, model, agent.reasoning);
      const request: ChatCompletionRequest = {
        ...agent.modelSettings,
        ...overrides?.modelSettings,
        model,
        // A copy: the step record keeps the request as sent, while the transcript grows.
        messages: agent.instructions ? [agent.instructions, ...messages] : messages.slice(),
      };
      if (definitions.length > 0) {
        request.tools = definitions;
        const choice = finalCall ? 'none' : (overrides?.toolChoice ?? agent.toolChoice);
        if (choice !== undefined) request.tool_choice = choice;
        if (agent.parallelToolCalls !== undefined) request.parallel_tool_calls = agent.parallelToolCalls;
      }
      if (agent.output && agent.outputMode === 'json_schema')
        request.response_format = agent.output.responseFormat();

      emit?.({ type: 'step_started', runId, step: index, model });
      const call = await agent.executor.run(journalKey(runId, index, 'model'), () =>
        callModel({
          client: agent.client,
          request,
          streaming: input.streaming,
          signal,
          runId,
          step: index,
          emit,
          now,
        }),
      );
      const completion = call.completion;
      const usage = completion.usage ?? null;
      addUsage(state.usage, usage, usage ? costFor(usage, model) : undefined);
      if (usage) budget?.add(usage, model);
      const choice = completion.choices?.[0];
      if (!choice) throw new AgentResponseError(`The model's response had no choice (model ${model}).`);
      const message = choice.message;
      const finish = choice.finish_reason;
      let toolCalls = message.tool_calls ?? [];
      // A call cut by the length limit, or made despite tool_choice "none", is never run.
      if (finalCall || finish === 'length') toolCalls = [];
      const assistant: AssistantMessage = { role: 'assistant', content: message.content ?? null };
      if (typeof message.reasoning_content === 'string')
        assistant.reasoning_content = message.reasoning_content;
      if (message.refusal) assistant.refusal = message.refusal;
      if (toolCalls.length > 0) assistant.tool_calls = toolCalls;
      state.messages.push(assistant);
      const text = typeof message.content === 'string' ? message.content : '';
      const record: StepRecord = {
        index,
        model,
        finishReason: finish,
        text,
        toolCalls,
        toolResults: [],
        usage,
        latencyMs: call.latencyMs,
        retries: call.retries,
      };
      if (call.requestId !== undefined) record.requestId = call.requestId;
      state.steps.push(record);
      steps.push({ ...record, request, response: completion });

      if (toolCalls.length > 0) {
        state.pendingToolCalls = toolCalls.map((toolCall) => ({
          toolCallId: toolCall.id,
          name: toolCall.function.name,
          arguments: toolCall.function.arguments,
          needsApproval: false,
        }));
        state.pendingResults = [];
        const outcome = await settleToolCalls({
          state,
          step: index,
          registry,
          executor: agent.executor,
          hooks: agent.hooks,
          signal,
          context,
          emit,
          now,
          outputTool: agent.outputMode === 'tool' ? agent.output : undefined,
          maxOutputRepairs: agent.maxOutputRepairs,
          decisions: undefined,
          firstPass: true,
        });
        if (outcome.kind === 'interrupted') {
          endReason = 'interrupted';
          break;
        }
        endReason = await finishStep(record, outcome.results);
        if (!endReason && outcome.output) {
          output = outcome.output.value;
          endReason = 'stop';
        }
        endReason ??= await afterToolStep(record);
        continue;
      }

      if (message.refusal) refusal = message.refusal;
      let repair: string | undefined;
      if (agent.output && !refusal && finish !== 'length' && finish !== 'content_filter' && !finalCall) {
        const check = await agent.output.check(text);
        if (check.ok) {
          output = check.value;
        } else if (state.outputRepairs < agent.maxOutputRepairs) {
          state.outputRepairs += 1;
          repair =
            agent.outputMode === 'tool'
              ? `${repairInstruction(check.issues)} Call the ${agent.output.name} tool with it.`
              : repairInstruction(check.issues);
          state.messages.push({ role: 'user', content: repair });
        } else {
          error = new OutputValidationError(check.issues, state.outputRepairs + 1);
        }
      }
      endReason = await finishStep(record);
      if (endReason) break;
      if (repair) continue;
      if (error) endReason = 'error';
      else if (finish === 'length') endReason = 'length';
      else if (finish === 'content_filter') endReason = 'content_filter';
      else if (finalCall) endReason = 'max_steps';
      else endReason = 'stop';
    }
  } catch (thrown) {
    if (isAbort(thrown, signal)) {
      endReason = 'aborted';
      error = ChatloopError.is(thrown) ? thrown : new RunAbortedError({ cause: thrown });
    } else {
      endReason = 'error';
      error = ChatloopError.is(thrown) ? thrown : new AgentRunError(thrown);
    }
  }

  if (endReason !== 'interrupted') closeTranscript(state, emit, now);
  state.status = endReason === 'interrupted' ? 'awaiting_approval' : 'finished';
  state.endReason = endReason;
  if (!(error && error.code === 'checkpoint_conflict')) {
    try {
      await checkpoint();
    } catch (thrown) {
      endReason = 'error';
      state.endReason = endReason;
      error = ChatloopError.is(thrown) ? thrown : new AgentRunError(thrown);
    }
  }

  const reason: EndReason = endReason ?? 'error';
  const lastAssistant = findLastAssistantText(state.messages);
  const result: RunResult<TOutput> = {
    runId,
    agentName: agent.name,
    endReason: reason,
    text: lastAssistant,
    output: output as TOutput | undefined,
    messages: state.messages,
    steps,
    usage: state.usage,
    pendingApprovals: reason === 'interrupted' ? state.pendingToolCalls.filter((p) => p.needsApproval) : [],
    state,
  };
  if (refusal !== undefined) result.refusal = refusal;
  if (error) result.error = error;
  if (reason === 'interrupted') {
    emit?.({
      type: 'approval_required',
      runId,
      step: state.steps.length - 1,
      pending: result.pendingApprovals,
    });
  }
  const finished: RunFinishedEvent = {
    type: 'run_finished',
    runId,
    endReason: reason,
    text: result.text,
    usage: state.usage,
  };
  if (error) finished.error = error.toJSON();
  emit?.(finished);
  return result;
}

/** Answers every tool call left open (abort or failure mid-step) so the transcript stays valid. */
function closeTranscript(
  state: RunState,
  emit: ((event: AgentEvent) => void) | undefined,
  now: () => number,
): void {
  const open = unansweredToolCalls(state.messages);
  if (open.length === 0) return;
  const record = state.steps[state.steps.length - 1];
  const known = new Map(state.pendingResults.map((result) => [result.toolCallId, result]));
  const results = open.map((call) => {
    const existing = known.get(call.id);
    if (existing) return existing;
    const cancelled = {
      toolCallId: call.id,
      name: call.name,
      ok: false,
      content: CANCELLED_CONTENT,
      durationMs: 0,
      source: 'cancelled' as const,
      error: { code: 'cancelled', message: CANCELLED_CONTENT },
    };
    emit?.({ type: 'tool_result', runId: state.runId, step: record?.index ?? 0, ...cancelled });
    return cancelled;
  });
  for (const result of results) state.messages.push(toolMessage(result.toolCallId, result.content));
  if (record) record.toolResults = [...record.toolResults, ...results];
  state.pendingToolCalls = [];
  state.pendingResults = [];
  state.updatedAt = now();
}

function findLastAssistantText(messages: readonly ChatMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i]!;
    if (message.role === 'assistant' && typeof message.content === 'string' && message.content !== '') {
      return message.content;
    }
  }
  return '';
}
