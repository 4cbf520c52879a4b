import { ChatloopError, type ChatloopErrorOptions, errorGuard } from '@chatloop/protocol';

/** One validation problem in a tool's arguments: where (`path`, empty for the root) and what. */
export interface ToolArgumentIssue {
  /** The path to the failing value, e.g. `['items', 0, 'qty']`; empty for the arguments object itself. */
  readonly path: ReadonlyArray<string | number>;
  /** What was wrong, as the validator put it. */
  readonly message: string;
}

/** Why a tool's arguments were refused. */
export type ToolArgumentsErrorReason = 'malformed_json' | 'invalid_arguments';

/** Options of {@link ToolArgumentsError}. */
export interface ToolArgumentsErrorOptions extends ChatloopErrorOptions {
  /** The tool whose arguments were refused. */
  toolName: string;
  /** `malformed_json` (the text is not JSON) or `invalid_arguments` (JSON that fails the schema). */
  reason: ToolArgumentsErrorReason;
  /** The validation problems (empty for malformed JSON). */
  issues?: readonly ToolArgumentIssue[];
}

/**
 * The model's arguments for a tool could not be used: they are not JSON (`reason: 'malformed_json'`)
 * or they fail the tool's schema (`reason: 'invalid_arguments'`, with `issues`). Code
 * `tool_arguments_invalid`. The tool did not run.
 */
export class ToolArgumentsError extends ChatloopError {
  /** The tool whose arguments were refused. */
  readonly toolName: string;
  /** Malformed JSON or schema failure. */
  readonly reason: ToolArgumentsErrorReason;
  /** The validation problems, in the validator's order (empty for malformed JSON). */
  readonly issues: readonly ToolArgumentIssue[];

  constructor(message: string, options: ToolArgumentsErrorOptions) {
    super('tool_arguments_invalid', message, options);
    this.toolName = options.toolName;
    this.reason = options.reason;
    this.issues = options.issues ?? [];
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), toolName: this.toolName, reason: this.reason, issues: this.issues };
  }
}

/** The model called a tool that is not in the registry. Code `tool_unknown`. */
export class UnknownToolError extends ChatloopError {
  /** The name the model used. */
  readonly toolName: string;
  /** The names it could have used. */
  readonly availableTools: readonly string[];

  constructor(toolName: string, availableTools: readonly string[]) {
    super(
      'tool_unknown',
      `Unknown tool "${toolName}". Available tools: ${availableTools.join(', ') || '(none)'}.`,
    );
    this.toolName = toolName;
    this.availableTools = availableTools;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), toolName: this.toolName, availableTools: this.availableTools };
  }
}

/**
 * A tool threw (or rejected). Code `tool_execution_failed`. The thrown value is kept as `cause` for the
 * caller; the model only sees a short summary without stack trace.
 */
export class ToolExecutionError extends ChatloopError {
  /** The tool that failed. */
  readonly toolName: string;

  constructor(toolName: string, message: string, options: ChatloopErrorOptions = {}) {
    super('tool_execution_failed', message, options);
    this.toolName = toolName;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), toolName: this.toolName };
  }
}

/** A tool did not finish within its `timeoutMs`; its signal was aborted. Code `tool_timeout`. */
export class ToolTimeoutError extends ChatloopError {
  /** The tool that timed out. */
  readonly toolName: string;
  /** The limit it exceeded, in milliseconds. */
  readonly timeoutMs: number;

  constructor(toolName: string, timeoutMs: number) {
    super('tool_timeout', `Tool "${toolName}" did not finish within ${timeoutMs} ms and was aborted.`);
    this.toolName = toolName;
    this.timeoutMs = timeoutMs;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), toolName: this.toolName, timeoutMs: this.timeoutMs };
  }
}

/**
 * A tool's result could not be turned into text for the model (only with
 * `unserializable: 'error'`: a BigInt, a circular reference, a throwing getter). Code `tool_output_invalid`.
 */
export class ToolOutputError extends ChatloopError {
  /** The tool whose output was refused. */
  readonly toolName: string;

  constructor(toolName: string, message: string) {
    super('tool_output_invalid', message);
    this.toolName = toolName;
  }
}

/**
 * A call to a tool marked `needsApproval` was not approved: no approver was given, or it said no.
 * Code `tool_approval_denied` (denied) or `tool_approval_required` (no approver). The tool did not run.
 */
export class ToolApprovalError extends ChatloopError {
  /** The tool that needed approval. */
  readonly toolName: string;

  constructor(toolName: string, denied: boolean) {
    super(
      denied ? 'tool_approval_denied' : 'tool_approval_required',
      denied
        ? `The call to tool "${toolName}" was not approved.`
        : `Tool "${toolName}" needs approval before it runs, and no approver was given.`,
    );
    this.toolName = toolName;
  }
}

/**
 * One call was cancelled through its own signal (`executeToolCalls` option `callSignal`); the rest of the
 * batch went on. Code `tool_aborted`.
 */
export class ToolCallAbortedError extends ChatloopError {
  /** The tool whose call was cancelled. */
  readonly toolName: string;

  constructor(toolName: string, options: ChatloopErrorOptions = {}) {
    super('tool_aborted', `Error: the call to tool "${toolName}" was cancelled.`, options);
    this.toolName = toolName;
  }
}

/** The whole batch of tool calls was aborted through its signal. Code `aborted` (as core's `AbortError`). */
export class ToolCallsAbortedError extends ChatloopError {
  constructor(options: ChatloopErrorOptions = {}) {
    super('aborted', 'Tool execution was aborted.', options);
  }
}

/**
 * A schema cannot be expressed in OpenAI strict mode (structured outputs). Code `tool_schema_unsupported`.
 * `field` names where (e.g. `address.tags[]`), `keyword` the JSON Schema keyword at fault.
 */
export class StrictSchemaError extends ChatloopError {
  /** The field path, `(root)` for the schema itself. */
  readonly field: string;
  /** The keyword or construct strict mode cannot express. */
  readonly keyword: string;

  constructor(field: string, keyword: string, message: string) {
    super('tool_schema_unsupported', `Strict mode cannot express "${field}": ${message}`);
    this.field = field;
    this.keyword = keyword;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), field: this.field, keyword: this.keyword };
  }
}

/**
 * A tool definition is unusable: an invalid or duplicate name, parameters that are not a schema, a
 * schema whose root is not an object. Code `tool_definition_invalid`.
 */
export class ToolDefinitionError extends ChatloopError {
  constructor(message: string, options: ChatloopErrorOptions = {}) {
    super('tool_definition_invalid', message, options);
  }
}

/**
 * The same tool call failed the same way too many times in one run (see `createToolFailureTracker`).
 * Code `tool_failure_limit`.
 */
export class ToolFailureLimitError extends ChatloopError {
  /** The tool that kept failing. */
  readonly toolName: string;
  /** How many identical failures were seen. */
  readonly failures: number;

  constructor(toolName: string, failures: number, lastError: ChatloopError) {
    super(
      'tool_failure_limit',
      `Tool "${toolName}" failed the same way ${failures} times in a row (${lastError.code}); stopping.`,
      { cause: lastError },
    );
    this.toolName = toolName;
    this.failures = failures;
  }
}

/** Any error a tool call can end with (the `error` of a failed `ToolCallResult`). */
export type ToolCallError =
  | ToolArgumentsError
  | UnknownToolError
  | ToolExecutionError
  | ToolTimeoutError
  | ToolOutputError
  | ToolApprovalError
  | ToolCallAbortedError;

/** True for a {@link ToolArgumentsError}, from any copy of the package. */
export const isToolArgumentsError = errorGuard<ToolArgumentsError>('tool_arguments_invalid');
/** True for an {@link UnknownToolError}. */
export const isUnknownToolError = errorGuard<UnknownToolError>('tool_unknown');
/** True for a {@link ToolExecutionError}. */
export const isToolExecutionError = errorGuard<ToolExecutionError>('tool_execution_failed');
/** True for a {@link ToolTimeoutError}. */
export const isToolTimeoutError = errorGuard<ToolTimeoutError>('tool_timeout');
/** True for a {@link ToolOutputError}. */
export const isToolOutputError = errorGuard<ToolOutputError>('tool_output_invalid');
/** True for a {@link ToolApprovalError} (denied or required). */
export const isToolApprovalError = errorGuard<ToolApprovalError>(
  'tool_approval_denied',
  'tool_approval_required',
);
/** True for a {@link ToolCallAbortedError} (one call cancelled). */
export const isToolCallAbortedError = errorGuard<ToolCallAbortedError>('tool_aborted');
/** True for a {@link StrictSchemaError}. */
export const isStrictSchemaError = errorGuard<StrictSchemaError>('tool_schema_unsupported');
/** True for a {@link ToolDefinitionError}. */
export const isToolDefinitionError = errorGuard<ToolDefinitionError>('tool_definition_invalid');
/** True for a {@link ToolFailureLimitError}. */
export const isToolFailureLimitError = errorGuard<ToolFailureLimitError>('tool_failure_limit');
/** True for a {@link ToolCallsAbortedError} (or any chatloop abort error). */
export const isToolCallsAbortedError = errorGuard<ToolCallsAbortedError>('aborted');
