import type { ToolCallResult } from './execute-tool-calls.js';
import type { ToolCallError } from './tool-errors.js';

/** A call was taken up (before its arguments are parsed). */
export interface ToolCallStartedEvent {
  readonly type: 'tool_call_started';
  readonly toolCallId: string;
  readonly name: string;
  /** Its position in the batch. */
  readonly index: number;
}

/** A call ended with a result (exactly one terminal event per call). */
export interface ToolCallSucceededEvent {
  readonly type: 'tool_call_succeeded';
  readonly result: ToolCallResult;
}

/**
 * A call ended without running successfully: unknown tool, malformed or invalid arguments, not approved,
 * threw, timed out, or returned what cannot be serialized (exactly one terminal event per call).
 */
export interface ToolCallFailedEvent {
  readonly type: 'tool_call_failed';
  readonly error: ToolCallError;
  readonly result: ToolCallResult;
}

/** What `executeToolCalls` reports through `onEvent`. */
export type ToolEvent = ToolCallStartedEvent | ToolCallSucceededEvent | ToolCallFailedEvent;
