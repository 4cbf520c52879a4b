import type { ToolCall } from '@chatloop/protocol';
import type { ToolCallResult, ToolRegistry } from '@chatloop/tools';
import { executeToolCalls } from '@chatloop/tools';
import { isNestedRunError } from './agent-errors.js';
import type { AgentEvent } from './agent-events.js';
import type { AgentHooks, ApprovalDecision } from './agent-options.js';
import { readNestedRun } from './nested-run.js';
import type { PendingToolCall, RunState, ToolResultRecord } from './run-state.js';
import type { StepExecutor } from './step-executor.js';
import { directExecutor, journalKey } from './step-executor.js';
import type { OutputSpec } from './structured-output.js';
import { repairInstruction } from './structured-output.js';
import { toolMessage } from './transcript.js';

/** What settling a step's tool calls needs. */
export interface ToolStepOptions {
  state: RunState;
  step: number;
  registry: ToolRegistry;
  executor: StepExecutor;
  hooks: AgentHooks | undefined;
  signal: AbortSignal | undefined;
  context: unknown;
  emit: ((event: AgentEvent) => void) | undefined;
  now: () => number;
  /** Set in `tool` output mode: the final tool's calls are checked, never executed. */
  outputTool: OutputSpec | undefined;
  maxOutputRepairs: number;
  /** Decisions for calls waiting for approval (on resume). */
  decisions: ReadonlyMap<string, ApprovalDecision> | undefined;
  /** True the first time the calls are seen (hooks and approval checks run only then). */
  firstPass: boolean;
}

/** The outcome of settling tool calls. */
export type ToolStepOutcome =
  | { kind: 'done'; results: ToolResultRecord[]; output?: { value: unknown } }
  | { kind: 'interrupted'; pending: PendingToolCall[] };

/** A signal for approval checks of runs without one. */
const NEVER_ABORTED = new AbortController().signal;

const asToolCall = (pending: PendingToolCall): ToolCall => ({
  id: pending.toolCallId,
  type: 'function',
  function: { name: pending.name, arguments: pending.arguments },
});

function contentOf(result: unknown): string {
  if (typeof result === 'string') return result;
  return JSON.stringify(result) ?? '(no output)';
}

/**
 * Settles the pending tool calls of a step: the `onToolCall` hook (allow, deny, replace), approval
 * checks (calls needing one stay pending and the step is interrupted), execution of the rest through
 * the executor (journaled per call id), and, once every call has a result, the tool messages appended
 * in call order.
 */
export async function settleToolCalls(options: ToolStepOptions): Promise<ToolStepOutcome> {
  const { state, step, hooks, emit, now } = options;
  const done = new Map(state.pendingResults.map((result) => [result.toolCallId, result]));
  const record = (result: ToolResultRecord) => {
    done.set(result.toolCallId, result);
    state.pendingResults.push(result);
    emit?.({ type: 'tool_result', runId: state.runId, step, ...result });
  };
  let output: { value: unknown } | undefined;
  const toExecute: PendingToolCall[] = [];

  for (const pending of state.pendingToolCalls) {
    if (done.has(pending.toolCallId)) continue;
    const base = { toolCallId: pending.toolCallId, name: pending.name, durationMs: 0 };
    if (options.outputTool && pending.name === options.outputTool.name) {
      const check = await options.outputTool.check(pending.arguments);
      if (check.ok) {
        output = { value: check.value };
        record({ ...base, ok: true, content: 'Final output accepted.', source: 'executed' });
      } else {
        state.outputRepairs += 1;
        const message = repairInstruction(check.issues);
        record({
          ...base,
          ok: false,
          content: message,
          source: 'executed',
          error: { code: 'output_validation', message },
        });
      }
      continue;
    }
    if (options.firstPass) {
      const decision = await hooks?.onToolCall?.({
        step,
        toolCall: asToolCall(pending),
        context: options.context,
      });
      if (decision?.action === 'deny') {
        const content = decision.message ?? `The tool call was not allowed to run.`;
        record({
          ...base,
          ok: false,
          content,
          source: 'denied',
          error: { code: 'tool_denied', message: content },
        });
        continue;
      }
      if (decision?.action === 'replace') {
        record({ ...base, ok: true, content: contentOf(decision.result), source: 'replaced' });
        continue;
      }
      pending.needsApproval = await needsApproval(pending, options);
    }
    if (pending.needsApproval) {
      const decision = options.decisions?.get(pending.toolCallId);
      if (!decision) continue;
      if (!decision.approved) {
        const content = `The user denied this tool call${decision.message ? `: ${decision.message}` : '.'}`;
        record({
          ...base,
          ok: false,
          content,
          source: 'denied',
          error: { code: 'tool_denied', message: content },
        });
        continue;
      }
    }
    toExecute.push(pending);
  }

  if (options.executor === directExecutor) {
    // Nothing to journal: one batch, run with the tools package's own concurrency.
    if (toExecute.length > 0) for (const result of await executeBatch(toExecute, options)) record(result);
  } else {
    await Promise.all(
      toExecute.map(async (pending) => {
        const key = journalKey(state.runId, step, `tool/${pending.toolCallId}`);
        record(await options.executor.run(key, async () => (await executeBatch([pending], options))[0]!));
      }),
    );
  }

  const waiting = state.pendingToolCalls.filter((pending) => !done.has(pending.toolCallId));
  if (waiting.length > 0) return { kind: 'interrupted', pending: waiting };
  const results = state.pendingToolCalls.map((pending) => done.get(pending.toolCallId)!);
  for (const result of results) state.messages.push(toolMessage(result.toolCallId, result.content));
  state.pendingToolCalls = [];
  state.pendingResults = [];
  state.updatedAt = now();
  return output ? { kind: 'done', results, output } : { kind: 'done', results };
}

async function needsApproval(pending: PendingToolCall, options: ToolStepOptions): Promise<boolean> {
  const tool = options.registry.get(pending.name);
  if (!tool) return false;
  const parsed = tool.parse(pending.arguments);
  if (!parsed.ok) return false;
  return tool.needsApproval(parsed.value, {
    toolCallId: pending.toolCallId,
    toolName: pending.name,
    signal: options.signal ?? NEVER_ABORTED,
    idempotencyKey: `${options.state.runId}:${pending.toolCallId}`,
    context: options.context,
  });
}

async function executeBatch(
  pending: PendingToolCall[],
  options: ToolStepOptions,
): Promise<ToolResultRecord[]> {
  const results = await executeToolCalls(pending.map(asToolCall), options.registry, {
    signal: options.signal,
    idempotencyKeyPrefix: options.state.runId,
    context: options.context,
    // Approval was settled before execution (and journaled decisions are not asked twice).
    approve: () => true,
  });
  return results.map(toRecord);
}

function toRecord(outcome: ToolCallResult): ToolResultRecord {
  const record: ToolResultRecord = {
    toolCallId: outcome.toolCallId,
    name: outcome.name,
    ok: outcome.ok,
    content: outcome.content,
    durationMs: outcome.durationMs,
    source: 'executed',
  };
  if (outcome.error) record.error = { code: outcome.error.code, message: outcome.error.message };
  const nested = outcome.ok ? readNestedRun(outcome.value) : undefined;
  if (nested) {
    record.usage = nested.usage;
    // A nested agent's text goes back as text, not as a JSON string literal (unless it had to be cut).
    if (typeof nested.answer === 'string' && !outcome.truncated) record.content = nested.answer;
  }
  // A nested run that failed still spent tokens: they count in the caller's totals too.
  const failed = outcome.error?.cause;
  if (isNestedRunError(failed)) record.usage = failed.usage;
  return record;
}
