export type { DefineToolOptions, NeedsApproval, Tool, ToolContext, ToolParseResult } from './define-tool.js';
export { defineTool, TOOL_NAME_PATTERN } from './define-tool.js';
export {
  DESCRIBE_TOOL_FAILURE_DEFAULTS,
  describeExpectedArguments,
  formatIssuePath,
  redactSecrets,
  sanitizeCause,
  summarizeThrown,
} from './describe-tool-failure.js';
export type {
  ExecuteToolCallsOptions,
  ToolApprovalRequest,
  ToolCallResult,
  ToolDedupeCache,
  ToolExecutionOutcome,
} from './execute-tool-calls.js';
export { EXECUTE_TOOL_CALLS_DEFAULTS, executeToolCalls } from './execute-tool-calls.js';
export type { ArgumentsRepair, ParsedToolArguments } from './parse-tool-arguments.js';
export { parseToolArguments } from './parse-tool-arguments.js';
export type {
  OutputProblem,
  SerializedToolOutput,
  SerializeToolOutputOptions,
} from './serialize-tool-output.js';
export {
  NO_OUTPUT_TEXT,
  SERIALIZE_TOOL_OUTPUT_DEFAULTS,
  serializeToolOutput,
} from './serialize-tool-output.js';
export type { StrictJsonSchema, StrictJsonSchemaOptions } from './strict-json-schema.js';
export {
  STRICT_JSON_SCHEMA_DEFAULTS,
  STRICT_SCHEMA_LIMITS,
  STRICT_STRING_FORMATS,
  toStrictJsonSchema,
} from './strict-json-schema.js';
export { stripAddedNulls } from './strip-added-nulls.js';
export type { ToJsonSchemaOptions } from './to-json-schema.js';
export { TO_JSON_SCHEMA_DEFAULTS, toJsonSchema } from './to-json-schema.js';
export type {
  ToolArgumentIssue,
  ToolArgumentsErrorOptions,
  ToolArgumentsErrorReason,
  ToolCallError,
} from './tool-errors.js';
export {
  isStrictSchemaError,
  isToolApprovalError,
  isToolArgumentsError,
  isToolCallAbortedError,
  isToolCallsAbortedError,
  isToolDefinitionError,
  isToolExecutionError,
  isToolFailureLimitError,
  isToolOutputError,
  isToolTimeoutError,
  isUnknownToolError,
  StrictSchemaError,
  ToolApprovalError,
  ToolArgumentsError,
  ToolCallAbortedError,
  ToolCallsAbortedError,
  ToolDefinitionError,
  ToolExecutionError,
  ToolFailureLimitError,
  ToolOutputError,
  ToolTimeoutError,
  UnknownToolError,
} from './tool-errors.js';
export type {
  ToolCallFailedEvent,
  ToolCallStartedEvent,
  ToolCallSucceededEvent,
  ToolEvent,
} from './tool-events.js';
export type { ToolFailureTracker, ToolFailureTrackerOptions } from './tool-failure-tracker.js';
export { createToolFailureTracker, TOOL_FAILURE_TRACKER_DEFAULTS } from './tool-failure-tracker.js';
export type {
  InferToolArguments,
  ToolParameters,
  ToolParametersKind,
  ZodV3Like,
  ZodV4Like,
} from './tool-parameters.js';
export { detectParametersKind } from './tool-parameters.js';
export type { ToolChoiceOption, ToolRegistry } from './tool-registry.js';
export { createToolRegistry } from './tool-registry.js';
