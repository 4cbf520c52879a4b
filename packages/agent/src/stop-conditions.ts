import type { StepRecord } from './run-state.js';

/** What a stop condition sees after each step. */
export interface StopConditionContext {
  /** Every step so far, the last one included. */
  steps: readonly StepRecord[];
  /** The step that just finished. */
  lastStep: StepRecord;
}

/**
 * Decides after a step with tool calls whether the run should end now (reason `stop_condition`).
 * Checked after the tool results are in the transcript, so the work of the step is kept.
 */
export type StopCondition = (context: StopConditionContext) => boolean | Promise<boolean>;

/** Stops once `count` steps have run. */
export function stepCountIs(count: number): StopCondition {
  return ({ steps }) => steps.length >= count;
}

/** Stops after a step in which the model called `toolName` (any tool when omitted). */
export function hasToolCall(toolName?: string): StopCondition {
  return ({ lastStep }) =>
    lastStep.toolCalls.some((call) => toolName === undefined || call.function.name === toolName);
}

/** Stops when `predicate` holds for the last step. */
export function stepMatches(predicate: (step: StepRecord) => boolean | Promise<boolean>): StopCondition {
  return ({ lastStep }) => predicate(lastStep);
}

/** True when any of `conditions` says stop. */
export async function shouldStop(
  conditions: readonly StopCondition[],
  context: StopConditionContext,
): Promise<boolean> {
  for (const condition of conditions) if (await condition(context)) return true;
  return false;
}
