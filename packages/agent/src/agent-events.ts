import type { EndReason, PendingToolCall, StepRecord, ToolResultRecord } from './run-state.js';
import type { UsageTotals } from './usage-totals.js';

/** The run began (or resumed from a state). */
export interface RunStartedEvent {
  type: 'run_started';
  runId: string;
  agentName: string;
  /** True when the run continues from a restored state. */
  resumed: boolean;
}

/** A step (one model call) began. */
export interface StepStartedEvent {
  type: 'step_started';
  runId: string;
  step: number;
  model: string;
}

/** A piece of the assistant's answer text (streamed runs). */
export interface TextDeltaEvent {
  type: 'text_delta';
  runId: string;
  step: number;
  delta: string;
}

/** A piece of the model's reasoning (`reasoning_content` / `reasoning`) (streamed runs). */
export interface ReasoningDeltaEvent {
  type: 'reasoning_delta';
  runId: string;
  step: number;
  delta: string;
}

/** The model began a tool call; its arguments follow as deltas (streamed runs). */
export interface ToolCallStartedEvent {
  type: 'tool_call_started';
  runId: string;
  step: number;
  /** Position of the call in the assistant message. */
  index: number;
  toolCallId: string;
  name: string;
}

/** A piece of a tool call's arguments JSON as the model writes it (streamed runs). */
export interface ToolCallArgumentsDeltaEvent {
  type: 'tool_call_arguments_delta';
  runId: string;
  step: number;
  index: number;
  toolCallId: string;
  delta: string;
}

/** A tool call reached its result (executed, denied, replaced by a hook, or cancelled by an abort). */
export interface ToolResultEvent extends ToolResultRecord {
  type: 'tool_result';
  runId: string;
  step: number;
}

/** Tool calls wait for a human decision; the run ends with reason `interrupted` and a resumable state. */
export interface ApprovalRequiredEvent {
  type: 'approval_required';
  runId: string;
  step: number;
  pending: PendingToolCall[];
}

/** A step finished: its model call and tool results are in the transcript. */
export interface StepFinishedEvent {
  type: 'step_finished';
  runId: string;
  step: StepRecord;
}

/** The terminal event: exactly one per run, whatever the outcome. */
export interface RunFinishedEvent {
  type: 'run_finished';
  runId: string;
  endReason: EndReason;
  /** The final answer text ('' when none). */
  text: string;
  usage: UsageTotals;
  /** The error's JSON view (`name`, `code`, `message`) when the run ended on one. */
  error?: Record<string, unknown>;
}

/** Every event of a run, discriminated by `type`. Events carry no API key and are plain data. */
export type AgentEvent =
  | RunStartedEvent
  | StepStartedEvent
  | TextDeltaEvent
  | ReasoningDeltaEvent
  | ToolCallStartedEvent
  | ToolCallArgumentsDeltaEvent
  | ToolResultEvent
  | ApprovalRequiredEvent
  | StepFinishedEvent
  | RunFinishedEvent;

/** The event names of an agent stream's emitter: one per event type, plus `event` for all of them. */
export type AgentEventMap = {
  [K in AgentEvent['type']]: [Extract<AgentEvent, { type: K }>];
} & { event: [AgentEvent] };
