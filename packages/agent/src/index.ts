export type { AgentInput, AsToolOptions } from './agent.js';
export { Agent } from './agent.js';
export type { AgentChatResponse, AgentChatStream, AgentClient, AgentResponseMeta } from './agent-client.js';
export {
  AgentResponseError,
  CheckpointConflictError,
  isCheckpointConflictError,
  isNestedRunError,
  isOutputValidationError,
  isRepeatedToolFailureError,
  isRunAbortedError,
  isRunStateError,
  NestedRunError,
  OutputValidationError,
  RepeatedToolFailureError,
  RunAbortedError,
  RunStateError,
} from './agent-errors.js';
export type {
  AgentEvent,
  AgentEventMap,
  ApprovalRequiredEvent,
  ReasoningDeltaEvent,
  RunFinishedEvent,
  RunStartedEvent,
  StepFinishedEvent,
  StepStartedEvent,
  TextDeltaEvent,
  ToolCallArgumentsDeltaEvent,
  ToolCallStartedEvent,
  ToolResultEvent,
} from './agent-events.js';
export type {
  AfterStepContext,
  AgentContextManager,
  AgentHooks,
  AgentOptions,
  AgentTool,
  ApprovalDecision,
  BeforeStepContext,
  ModelSettings,
  RunOptions,
  RunResult,
  StepOverrides,
  StepResult,
  ToolCallDecision,
  ToolCallHookContext,
} from './agent-options.js';
export { AGENT_DEFAULTS } from './agent-options.js';
export { AgentRunError } from './agent-run-error.js';
export { AgentStream } from './agent-stream.js';
export type { ModelCallRecord } from './model-call.js';
export type { NestedRunValue } from './nested-run.js';
export { nestedRunValue, readNestedRun } from './nested-run.js';
export type {
  CreateRunStateOptions,
  EndReason,
  PendingToolCall,
  RunState,
  RunStatus,
  StepRecord,
  ToolResultRecord,
} from './run-state.js';
export {
  cloneRunState,
  createRunState,
  parseRunState,
  RUN_STATE_SCHEMA_VERSION,
  serializeRunState,
} from './run-state.js';
export type { RunStore } from './run-store.js';
export { createMemoryRunStore } from './run-store.js';
export type { StepExecutor } from './step-executor.js';
export { createJournalingExecutor, directExecutor, journalKey } from './step-executor.js';
export type { StopCondition, StopConditionContext } from './stop-conditions.js';
export { hasToolCall, shouldStop, stepCountIs, stepMatches } from './stop-conditions.js';
export type { InferOutput, OutputCheck, OutputMode, OutputSchema, OutputSpec } from './structured-output.js';
export { createOutputSpec, repairInstruction, STRUCTURED_OUTPUT_DEFAULTS } from './structured-output.js';
export {
  DEFAULT_MAX_REPEATED_TOOL_FAILURES,
  failureSignature,
  trackToolFailures,
} from './tool-failure-tracker.js';
export type { ReasoningReplay, TranscriptIssue } from './transcript.js';
export { prepareReasoning, toolMessage, unansweredToolCalls, validateTranscript } from './transcript.js';
export type { UsageTotals } from './usage-totals.js';
export { addUsage, emptyUsageTotals, mergeUsageTotals } from './usage-totals.js';
