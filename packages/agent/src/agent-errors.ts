import { ChatloopError, errorGuard } from '@chatloop/protocol';
import type { UsageTotals } from './usage-totals.js';

/**
 * Thrown (or carried by a run result) when the model repeats the same failing tool call
 * `maxRepeatedToolFailures` times in a row: same tool, same arguments, same failure.
 */
export class RepeatedToolFailureError extends ChatloopError {
  /** The tool the model kept calling. */
  readonly toolName: string;
  /** How many identical failures in a row were seen. */
  readonly attempts: number;

  constructor(toolName: string, attempts: number, lastError: string) {
    super(
      'repeated_tool_failure',
      `The model called tool "${toolName}" ${attempts} times in a row with the same arguments and it failed each time ` +
        `(last failure: ${lastError}). The run was stopped; change the instructions or the tool, or raise maxRepeatedToolFailures.`,
    );
    this.toolName = toolName;
    this.attempts = attempts;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), toolName: this.toolName, attempts: this.attempts };
  }
}

/** The final answer did not match the `output` schema after every allowed repair attempt. */
export class OutputValidationError extends ChatloopError {
  /** The validation issues of the last attempt, as `path: message` lines. */
  readonly issues: string[];

  constructor(issues: string[], attempts: number) {
    super(
      'output_validation',
      `The model's final answer did not match the output schema after ${attempts} attempt(s): ${issues.slice(0, 5).join('; ')}`,
    );
    this.issues = issues;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), issues: this.issues };
  }
}

/** A run state could not be restored: wrong schema version, wrong agent, malformed, or already finished. */
export class RunStateError extends ChatloopError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('run_state', message, options);
  }
}

/** A checkpoint commit lost a compare-and-swap: another worker advanced the run first. */
export class CheckpointConflictError extends ChatloopError {
  /** The run whose checkpoint could not be committed. */
  readonly runId: string;
  /** The version this worker expected to replace. */
  readonly expectedVersion: number;

  constructor(runId: string, expectedVersion: number) {
    super(
      'checkpoint_conflict',
      `Run ${runId} was advanced by someone else (expected checkpoint version ${expectedVersion}); this worker stops so the run is not executed twice.`,
    );
    this.runId = runId;
    this.expectedVersion = expectedVersion;
  }
}

/** The run was stopped by its abort signal. Carries the signal's reason as `cause` when it is an error. */
export class RunAbortedError extends ChatloopError {
  constructor(options: { cause?: unknown } = {}) {
    super('aborted', 'The agent run was aborted.', options);
  }
}

/** The model's provider answered in a way the loop cannot continue from (e.g. a response with no choice). */
export class AgentResponseError extends ChatloopError {
  constructor(message: string) {
    super('agent_response', message);
  }
}

/**
 * A nested agent run (a tool made by `agent.asTool()`) ended without an answer. The calling agent gets
 * a failed tool result, and adds `usage` (what the nested run spent before it failed) to its own totals.
 * The nested run's error, if any, is the `cause`.
 */
export class NestedRunError extends ChatloopError {
  /** The nested agent's name. */
  readonly agentName: string;
  /** How the nested run ended (`max_steps`, `content_filter`, `error`, ...). */
  readonly endReason: string;
  /** The nested run's usage, failed steps included. */
  readonly usage: UsageTotals;

  constructor(options: { agentName: string; endReason: string; usage: UsageTotals; cause?: unknown }) {
    const detail = options.cause instanceof Error ? `: ${options.cause.message}` : '.';
    super(
      'nested_run_failed',
      `The ${options.agentName} agent ended with reason ${options.endReason}${detail}`,
      {
        cause: options.cause,
      },
    );
    this.agentName = options.agentName;
    this.endReason = options.endReason;
    this.usage = options.usage;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), agentName: this.agentName, endReason: this.endReason, usage: this.usage };
  }
}

/** True for {@link RepeatedToolFailureError} from any copy of the package. */
export const isRepeatedToolFailureError = errorGuard<RepeatedToolFailureError>('repeated_tool_failure');
/** True for {@link OutputValidationError} from any copy of the package. */
export const isOutputValidationError = errorGuard<OutputValidationError>('output_validation');
/** True for {@link RunStateError} from any copy of the package. */
export const isRunStateError = errorGuard<RunStateError>('run_state');
/** True for {@link CheckpointConflictError} from any copy of the package. */
export const isCheckpointConflictError = errorGuard<CheckpointConflictError>('checkpoint_conflict');
/** True for {@link RunAbortedError} and every other chatloop abort error (they share the code `aborted`). */
export const isRunAbortedError = errorGuard<RunAbortedError>('aborted');
/** True for {@link NestedRunError} from any copy of the package. */
export const isNestedRunError = errorGuard<NestedRunError>('nested_run_failed');
