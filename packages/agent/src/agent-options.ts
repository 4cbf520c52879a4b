import type { Budget } from '@chatloop/models';
import type {
  ChatCompletion,
  ChatCompletionRequest,
  ChatloopError,
  ChatMessage,
  FunctionTool,
  ToolCall,
  ToolChoice,
} from '@chatloop/protocol';
import type { Tool } from '@chatloop/tools';
import type { AgentClient } from './agent-client.js';
import type { AgentEvent } from './agent-events.js';
import type { EndReason, PendingToolCall, RunState, StepRecord } from './run-state.js';
import type { RunStore } from './run-store.js';
import type { StepExecutor } from './step-executor.js';
import type { StopCondition } from './stop-conditions.js';
import type { OutputMode, OutputSchema } from './structured-output.js';
import type { ReasoningReplay } from './transcript.js';
import type { UsageTotals } from './usage-totals.js';

/**
 * Prepares (e.g. trims or compacts) the messages before each model call. `@chatloop/context`'s
 * `ContextManager` has this shape.
 */
export interface AgentContextManager {
  readonly name: string;
  prepare(
    messages: ChatMessage[],
    context: { model: string; tools?: FunctionTool[]; maxOutputTokens?: number; signal?: AbortSignal },
  ): Promise<ChatMessage[]>;
}

/** A tool the agent can offer (from `defineTool`, or another agent's `asTool()`). */
export type AgentTool = Tool;

/** Request fields passed through on every model call (temperature, max_tokens, seed, ...). */
export type ModelSettings = Omit<
  Partial<ChatCompletionRequest>,
  'model' | 'messages' | 'tools' | 'tool_choice' | 'stream' | 'stream_options'
>;

/** What `beforeStep` sees. */
export interface BeforeStepContext {
  /** 0-based index of the step about to run. */
  step: number;
  model: string;
  /** The transcript so far (without instructions). Do not mutate; return `messages` to override. */
  messages: readonly ChatMessage[];
  tools: readonly AgentTool[];
  toolChoice: ToolChoice | undefined;
  /** The run's user context (`run(input, { context })`). */
  context: unknown;
}

/** What `beforeStep` may change for one step only. */
export interface StepOverrides {
  model?: string;
  tools?: AgentTool[];
  toolChoice?: ToolChoice;
  /** The messages sent for this step (instructions are still prepended). */
  messages?: ChatMessage[];
  modelSettings?: ModelSettings;
}

/** What `onToolCall` sees. */
export interface ToolCallHookContext {
  step: number;
  toolCall: ToolCall;
  context: unknown;
}

/** What `onToolCall` decides: run it, refuse it with a message for the model, or answer it itself. */
export type ToolCallDecision =
  | { action: 'allow' }
  | { action: 'deny'; message?: string }
  | { action: 'replace'; result: unknown };

/** What `afterStep` sees. */
export interface AfterStepContext {
  step: StepRecord;
  /** The run state as checkpointed after this step. */
  state: RunState;
  context: unknown;
}

/** Hooks of the loop. Each may be async; a hook that throws ends the run with reason `error`. */
export interface AgentHooks {
  /** Before each model call: return overrides for this step, or nothing. */
  beforeStep?(context: BeforeStepContext): StepOverrides | undefined | Promise<StepOverrides | undefined>;
  /** After each step, once its tool results are in the transcript. */
  afterStep?(context: AfterStepContext): void | Promise<void>;
  /** Before each tool call runs: allow (default), deny with a message, or replace its result. */
  onToolCall?(
    context: ToolCallHookContext,
  ): ToolCallDecision | undefined | Promise<ToolCallDecision | undefined>;
}

/** Options of `new Agent()`. */
export interface AgentOptions<TSchema extends OutputSchema | undefined = undefined> {
  /** The agent's name: the key that restores its runs and names it as a tool. Default `agent`. */
  name?: string;
  /** A `@chatloop/core` client (or router). */
  client: AgentClient;
  model: string;
  /** The system (or developer) message of every call. */
  instructions?: string;
  /** The role of the instructions message. Default `system`. */
  instructionsRole?: 'system' | 'developer';
  tools?: AgentTool[];
  /** A schema for a typed final answer (`result.output`). */
  output?: TSchema;
  /** How the typed answer is requested. Default `auto`. */
  outputMode?: OutputMode;
  /** Repair attempts after an invalid typed answer. Default 2. */
  maxOutputRepairs?: number;
  /** Prepares (e.g. compacts) the messages before each model call. */
  context?: AgentContextManager;
  /** Maximum model calls of a run. Default 10. */
  maxSteps?: number;
  /**
   * At the step limit: `end` ends with reason `max_steps`; `final_call` first makes one more call with
   * `tool_choice: "none"` so the model answers with what it has. Default `end`.
   */
  onMaxSteps?: 'end' | 'final_call';
  /** Conditions checked after each step with tool calls; any match ends with `stop_condition`. */
  stopWhen?: StopCondition | StopCondition[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  modelSettings?: ModelSettings;
  /** A shared budget (from `createBudget`), or caps for a fresh budget per run. */
  budget?: Budget | { maxTokens?: number; maxCostUSD?: number };
  hooks?: AgentHooks;
  /** The effect seam for model and tool calls. Default: run directly. */
  executor?: StepExecutor;
  /** Where checkpoints are committed after each step. Default: none (state only in the result). */
  store?: RunStore;
  /** How past reasoning is sent back. Default `auto`. */
  reasoning?: ReasoningReplay;
  /** Identical failing tool calls after which the run stops. Default 3. */
  maxRepeatedToolFailures?: number;
  /** Clock in epoch ms. Default `Date.now`. */
  now?: () => number;
  /** Run id generator. Default `run_` + a random UUID. */
  generateId?: () => string;
}

/** Defaults of {@link AgentOptions}. */
export const AGENT_DEFAULTS = {
  name: 'agent',
  instructionsRole: 'system',
  maxSteps: 10,
  onMaxSteps: 'end',
  maxRepeatedToolFailures: 3,
  reasoning: 'auto',
} as const;

/** Options of one run. */
export interface RunOptions {
  /** Aborts the run at any point (model calls and tools included). */
  signal?: AbortSignal;
  /** Any value the hooks and tools of this run receive (never serialized into the state). */
  context?: unknown;
  /** Receives every event of the run as it happens. */
  onEvent?: (event: AgentEvent) => void;
  /** The run id. Default: generated. */
  runId?: string;
}

/** A human decision on a pending tool call. */
export interface ApprovalDecision {
  toolCallId: string;
  approved: boolean;
  /** For a denial: what the model is told. */
  message?: string;
}

/** One step of a run result: the plain record, plus the request and response when run in this process. */
export interface StepResult extends StepRecord {
  request?: ChatCompletionRequest;
  response?: ChatCompletion;
}

/** The outcome of a run: always returned, whatever the end reason; the work done is never thrown away. */
export interface RunResult<TOutput = unknown> {
  runId: string;
  agentName: string;
  endReason: EndReason;
  /** The last assistant answer's text ('' when none). */
  text: string;
  /** The validated typed answer, when `output` is set and the run ended with `stop`. */
  output: TOutput | undefined;
  /** The refusal text when the model refused. */
  refusal?: string;
  /** The transcript (without instructions); always valid: every tool call has its result. */
  messages: ChatMessage[];
  steps: StepResult[];
  /** Usage and cost of this run and of every nested agent run. */
  usage: UsageTotals;
  /** The typed error for `error`, `aborted`, `budget`, `repeated_tool_failure`. */
  error?: ChatloopError;
  /** Tool calls waiting for a decision (`interrupted`). */
  pendingApprovals: PendingToolCall[];
  /** The run's state as plain JSON: store it, send it, `agent.resume(state, decisions)` it. */
  state: RunState;
}
