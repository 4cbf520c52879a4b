import type { ChatMessage, ToolCall, Usage } from '@chatloop/protocol';
import { safeJsonParse } from '@chatloop/protocol';
import { RunStateError } from './agent-errors.js';
import type { UsageTotals } from './usage-totals.js';
import { emptyUsageTotals } from './usage-totals.js';

/** The schema version of {@link RunState}. Bumped on any incompatible change; restore refuses others. */
export const RUN_STATE_SCHEMA_VERSION = 1;

/** Why a run ended. */
export type EndReason =
  /** The model gave a final answer (and the structured output, if any, validated). */
  | 'stop'
  /** The step limit was reached; the transcript holds the work done. */
  | 'max_steps'
  /** A token or cost budget was exhausted. */
  | 'budget'
  /** The caller's signal aborted the run. */
  | 'aborted'
  /** The model's answer was cut by its output token limit. */
  | 'length'
  /** The provider filtered the answer. */
  | 'content_filter'
  /** A `stopWhen` condition (e.g. a tool was called) matched. */
  | 'stop_condition'
  /** The model kept repeating the same failing tool call. */
  | 'repeated_tool_failure'
  /** Tool calls wait for a human decision; resume with `agent.resume(state, decisions)`. */
  | 'interrupted'
  /** A model call or the loop failed; `error` holds the typed error. */
  | 'error';

/** Where a run is. */
export type RunStatus = 'running' | 'awaiting_approval' | 'finished';

/** A tool call the model asked for whose result is not in the transcript yet. */
export interface PendingToolCall {
  toolCallId: string;
  name: string;
  /** The arguments JSON as the model wrote it. */
  arguments: string;
  /** True when the call waits for a human decision. */
  needsApproval: boolean;
}

/** A tool call's outcome as the run records it (plain data). */
export interface ToolResultRecord {
  toolCallId: string;
  name: string;
  /** False for unknown tool, bad JSON, invalid arguments, a throw, a timeout or a denial. */
  ok: boolean;
  /** What went back to the model as the tool message content. */
  content: string;
  durationMs: number;
  /** How the result was reached: executed, denied by a human or a hook, or replaced by a hook. */
  source: 'executed' | 'denied' | 'replaced' | 'cancelled';
  /** The error's code and message when `ok` is false. */
  error?: { code: string; message: string };
  /** Usage of a nested agent run (a tool from `agent.asTool()`), rolled up into the run's totals. */
  usage?: UsageTotals;
}

/** One step (one model call and the tool calls it asked for), as plain data. */
export interface StepRecord {
  /** 0-based step index. */
  index: number;
  model: string;
  finishReason: string | null;
  /** The assistant's text of this step ('' when it only called tools). */
  text: string;
  toolCalls: ToolCall[];
  toolResults: ToolResultRecord[];
  usage: Usage | null;
  /** Wall time of the model call in ms (all attempts). */
  latencyMs: number;
  /** Retries the client made for this call. */
  retries: number;
  requestId?: string;
}

/**
 * A run's checkpoint: versioned plain JSON, safe to store, send to another process and restore with
 * `agent.resume(state)`. Holds no functions (tools and agents are re-bound by name) and no API key.
 */
export interface RunState {
  schemaVersion: typeof RUN_STATE_SCHEMA_VERSION;
  runId: string;
  /** The agent that owns the run; restore checks it. */
  agentName: string;
  /** Checkpoint version: 0 before the first commit, +1 per commit (the compare-and-swap token). */
  version: number;
  status: RunStatus;
  /** The transcript without the agent's instructions (those are re-bound from the agent). */
  messages: ChatMessage[];
  steps: StepRecord[];
  usage: UsageTotals;
  /** Tool calls of the last step still without a result (approvals, or a crash mid-step). */
  pendingToolCalls: PendingToolCall[];
  /** Results already reached for some of `pendingToolCalls`. */
  pendingResults: ToolResultRecord[];
  /** Structured-output repair attempts used so far. */
  outputRepairs: number;
  /** How many times each distinct failing tool call (tool, arguments, failure) was seen, by signature. */
  toolFailures: Record<string, number>;
  /** True once the optional last call with `tool_choice: "none"` was made. */
  finalCallMade: boolean;
  endReason?: EndReason;
  /** Epoch ms. */
  startedAt: number;
  /** Epoch ms. */
  updatedAt: number;
}

/** Options of {@link createRunState}. */
export interface CreateRunStateOptions {
  runId: string;
  agentName: string;
  messages: ChatMessage[];
  /** Epoch ms. */
  now: number;
}

/** A fresh run state at step 0. */
export function createRunState(options: CreateRunStateOptions): RunState {
  return {
    schemaVersion: RUN_STATE_SCHEMA_VERSION,
    runId: options.runId,
    agentName: options.agentName,
    version: 0,
    status: 'running',
    messages: options.messages,
    steps: [],
    usage: emptyUsageTotals(),
    pendingToolCalls: [],
    pendingResults: [],
    outputRepairs: 0,
    toolFailures: {},
    finalCallMade: false,
    startedAt: options.now,
    updatedAt: options.now,
  };
}

/** Serializes a run state to JSON text. */
export function serializeRunState(state: RunState): string {
  return JSON.stringify(state);
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Restores a run state from JSON text or an already parsed object, checking its schema version and
 * shape. The text is parsed prototype-safely.
 *
 * @throws RunStateError when the input is not JSON, has another schema version, or misses fields.
 */
export function parseRunState(input: string | unknown): RunState {
  let value: unknown = input;
  if (typeof input === 'string') {
    try {
      value = safeJsonParse(input);
    } catch (cause) {
      throw new RunStateError('The run state is not valid JSON.', { cause });
    }
  }
  if (!isObject(value)) throw new RunStateError('The run state must be a JSON object.');
  if (value.schemaVersion !== RUN_STATE_SCHEMA_VERSION) {
    throw new RunStateError(
      `The run state has schema version ${String(value.schemaVersion)}; this version of @chatloop/agent reads version ${RUN_STATE_SCHEMA_VERSION}.`,
    );
  }
  const fields: Array<[string, string]> = [
    ['runId', 'string'],
    ['agentName', 'string'],
    ['version', 'number'],
    ['status', 'string'],
    ['outputRepairs', 'number'],
    ['finalCallMade', 'boolean'],
    ['startedAt', 'number'],
    ['updatedAt', 'number'],
  ];
  const missing = fields.filter(([key, type]) => typeof value[key] !== type).map(([key]) => key);
  for (const key of ['messages', 'steps', 'pendingToolCalls', 'pendingResults']) {
    if (!Array.isArray(value[key])) missing.push(key);
  }
  if (!isObject(value.usage)) missing.push('usage');
  if (!isObject(value.toolFailures)) missing.push('toolFailures');
  if (missing.length > 0) {
    throw new RunStateError(`The run state is malformed: missing or wrong ${missing.join(', ')}.`);
  }
  if (!['running', 'awaiting_approval', 'finished'].includes(value.status as string)) {
    throw new RunStateError(`The run state has an unknown status "${String(value.status)}".`);
  }
  return value as unknown as RunState;
}

/** A deep copy of a state through JSON, proving it is plain data. */
export function cloneRunState(state: RunState): RunState {
  return JSON.parse(JSON.stringify(state)) as RunState;
}
