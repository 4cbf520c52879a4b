import type { ToolCall, ToolMessage } from '@chatloop/protocol';
import type { Tool, ToolContext } from './define-tool.js';
import { sanitizeCause, summarizeThrown } from './describe-tool-failure.js';
import { type ArgumentsRepair, parseToolArguments } from './parse-tool-arguments.js';
import { Semaphore } from './semaphore.js';
import { type OutputProblem, serializeToolOutput } from './serialize-tool-output.js';
import { stableStringify } from './stable-stringify.js';
import {
  ToolApprovalError,
  ToolCallAbortedError,
  type ToolCallError,
  ToolCallsAbortedError,
  ToolExecutionError,
  ToolOutputError,
  ToolTimeoutError,
  UnknownToolError,
} from './tool-errors.js';
import type { ToolEvent } from './tool-events.js';
import type { ToolRegistry } from './tool-registry.js';

/** What an approver is asked about one call. */
export interface ToolApprovalRequest<TContext = unknown> {
  readonly toolCall: ToolCall;
  readonly tool: Tool;
  /** The validated arguments. */
  readonly arguments: unknown;
  readonly context: ToolContext<TContext>;
}

/** The outcome of one execution, shared by de-duplicated calls. */
export type ToolExecutionOutcome =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: ToolCallError };

/**
 * Where de-duplicated executions are kept, keyed by tool name and canonical arguments. A `Map` works;
 * pass the same one to every batch of a run to de-duplicate across steps (failed executions are removed,
 * so a retry runs again).
 */
export interface ToolDedupeCache {
  get(key: string): Promise<ToolExecutionOutcome> | undefined;
  set(key: string, outcome: Promise<ToolExecutionOutcome>): unknown;
  delete(key: string): unknown;
}

/** Options of {@link executeToolCalls}. */
export interface ExecuteToolCallsOptions<TContext = unknown> {
  /** Aborts every running tool (through its signal) and rejects with `ToolCallsAbortedError`. */
  signal?: AbortSignal;
  /** The most calls running at once. Default 8. */
  concurrency?: number;
  /** Put before each call id in `idempotencyKey` (`<prefix>:<callId>`), e.g. the run id. Default: none. */
  idempotencyKeyPrefix?: string;
  /** The timeout of tools that set none, in milliseconds. Default 60,000. */
  timeoutMs?: number;
  /** The most characters of one tool result the model sees (a truncation marker included). Default 32,000. */
  maxOutputChars?: number;
  /** The caller's run context, handed to every tool as `context.context`. */
  context?: TContext;
  /**
   * Decides calls to tools that need approval. Without it such calls do not run and the model is told
   * approval is required.
   */
  approve?: (request: ToolApprovalRequest<TContext>) => boolean | Promise<boolean>;
  /**
   * Run identical calls (same tool, same arguments in any key order) once and share the outcome: `true`
   * within this batch, or a cache to share across batches. Default `false` (a repeated call may mean to
   * repeat a side effect).
   */
  dedupe?: boolean | ToolDedupeCache;
  /** What to do with results JSON cannot represent (BigInt, circular): replace them, or fail the call. Default 'replace'. */
  unserializable?: 'replace' | 'error';
  /** Exact strings (keys, passwords) to redact from error summaries, besides the usual credential shapes. */
  secrets?: readonly string[];
  /**
   * A signal per call, to cancel one call without the others: when it aborts, that tool's signal aborts
   * and the call is answered with a `ToolCallAbortedError` (code `tool_aborted`); the batch goes on.
   */
  callSignal?: (toolCall: ToolCall) => AbortSignal | undefined;
  /** Typed events: one start and exactly one terminal event per call. A throwing listener is ignored. */
  onEvent?: (event: ToolEvent) => void;
  /** The clock for `durationMs`, in milliseconds. Default `performance.now`. */
  now?: () => number;
}

/** Defaults of {@link executeToolCalls}. */
export const EXECUTE_TOOL_CALLS_DEFAULTS = {
  concurrency: 8,
  timeoutMs: 60_000,
  maxOutputChars: 32_000,
  unserializable: 'replace',
} as const;

/** The outcome of one tool call, in the order of the calls. */
export interface ToolCallResult {
  /** The call's id. */
  readonly toolCallId: string;
  /** The tool name the model used. */
  readonly name: string;
  /** Whether the tool ran and returned. */
  readonly ok: boolean;
  /** What the tool returned (when `ok`). */
  readonly value?: unknown;
  /** Why the call failed (when not `ok`). */
  readonly error?: ToolCallError;
  /** The validated arguments, when they validated. */
  readonly arguments?: unknown;
  /** What goes back to the model: the result text, or a short explanation of the failure. */
  readonly content: string;
  /** The `tool` message answering the call. */
  readonly message: ToolMessage;
  /** Wall time from the call being taken up to its result, in milliseconds. */
  readonly durationMs: number;
  /** True when `content` was cut at `maxOutputChars`. */
  readonly truncated: boolean;
  /** Repairs made to the arguments text (see `parseToolArguments`). */
  readonly repairs: readonly ArgumentsRepair[];
  /** True when this call shared the execution of an identical one. */
  readonly deduplicated: boolean;
}

type Settled = { kind: 'ok'; value: unknown } | { kind: 'error'; error: ToolCallError } | { kind: 'aborted' };

interface CallRun {
  readonly call: ToolCall;
  readonly index: number;
}

function describeProblems(problems: readonly OutputProblem[]): string {
  return problems.join(', ');
}

/**
 * Runs a model's tool calls against a registry and returns one result per call, in call order. Each
 * call: its arguments are parsed safely (prototype keys removed, safe repairs), validated against the
 * tool's schema, approved when the tool needs it, and the tool runs with a timeout and an abort signal,
 * at most `concurrency` at a time (`sequential` tools one at a time, in order). Results are capped at
 * `maxOutputChars` with a visible marker.
 *
 * Never throws for a tool's own failure: an unknown tool, malformed JSON, invalid arguments, a throw, a
 * timeout, a refused approval each become an `ok: false` result whose `content` tells the model what was
 * wrong (no stack traces, secrets redacted), plus a `tool_call_failed` event.
 *
 * @throws ToolCallsAbortedError (code `aborted`) at once when `signal` aborts; running tools see their
 *   signal abort, queued calls never start, and no timer is left behind.
 */
export async function executeToolCalls<TContext = unknown>(
  toolCalls: readonly ToolCall[],
  registry: ToolRegistry,
  options: ExecuteToolCallsOptions<TContext> = {},
): Promise<ToolCallResult[]> {
  const { signal } = options;
  if (signal?.aborted) throw new ToolCallsAbortedError({ cause: signal.reason });
  const now = options.now ?? (() => performance.now());
  const maxOutputChars = options.maxOutputChars ?? EXECUTE_TOOL_CALLS_DEFAULTS.maxOutputChars;
  const unserializable = options.unserializable ?? EXECUTE_TOOL_CALLS_DEFAULTS.unserializable;
  const secrets = options.secrets ?? [];
  const limit = new Semaphore(options.concurrency ?? EXECUTE_TOOL_CALLS_DEFAULTS.concurrency);
  const serial = new Semaphore(1);
  // Aborting the batch calls these; plain functions rather than signal listeners, which are costly in Node.
  const abortRunning = new Set<() => void>();
  let batchAborted = false;
  let batchAbortReason: unknown;
  const dedupe: ToolDedupeCache | undefined =
    options.dedupe === true ? new Map() : options.dedupe === false ? undefined : options.dedupe;

  const emit = (event: ToolEvent): void => {
    try {
      options.onEvent?.(event);
    } catch {
      // A listener's bug must not break the transcript: every call still gets exactly one answer.
    }
  };

  const execute = (
    tool: Tool,
    call: ToolCall,
    args: unknown,
    context: ToolContext<TContext>,
  ): Promise<Settled> => {
    const timeoutMs = tool.timeoutMs ?? options.timeoutMs ?? EXECUTE_TOOL_CALLS_DEFAULTS.timeoutMs;
    const callSignal = options.callSignal?.(call);
    // The tool's signal is made on first read: creating AbortSignals is a large share of a call's cost,
    // and most tools never look at theirs.
    let controller: AbortController | undefined;
    let abortReason: unknown;
    let abortedBeforeRead = false;
    const abortTool = (reason: unknown) => {
      abortedBeforeRead = true;
      abortReason = reason;
      controller?.abort(reason);
    };
    const toolContext: ToolContext<TContext> = {
      ...context,
      get signal() {
        if (!controller) {
          controller = new AbortController();
          if (abortedBeforeRead) controller.abort(abortReason);
        }
        return controller.signal;
      },
    };
    return new Promise<Settled>((resolve) => {
      let settled = false;
      const onBatchAbort = () => {
        abortTool(batchAbortReason);
        finish({ kind: 'aborted' });
      };
      const onCallAbort = () => {
        const error = new ToolCallAbortedError(tool.name, { cause: callSignal?.reason });
        abortTool(error);
        finish({ kind: 'error', error });
      };
      const timer = setTimeout(
        () => {
          const error = new ToolTimeoutError(tool.name, timeoutMs);
          abortTool(error);
          finish({ kind: 'error', error });
        },
        Math.min(timeoutMs, 2_147_483_647),
      );
      function finish(outcome: Settled): void {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        abortRunning.delete(onBatchAbort);
        callSignal?.removeEventListener('abort', onCallAbort);
        resolve(outcome);
      }
      if (callSignal?.aborted) {
        onCallAbort();
        return;
      }
      abortRunning.add(onBatchAbort);
      callSignal?.addEventListener('abort', onCallAbort, { once: true });
      tool.execute(args, toolContext).then(
        (value) => finish({ kind: 'ok', value }),
        (thrown: unknown) =>
          finish({
            kind: 'error',
            error: new ToolExecutionError(
              tool.name,
              `Error: tool "${tool.name}" failed: ${summarizeThrown(thrown, secrets)}`,
              { cause: sanitizeCause(thrown, secrets) },
            ),
          }),
      );
    });
  };

  const run = async ({ call, index }: CallRun): Promise<ToolCallResult> => {
    const started = now();
    const name = call.function?.name ?? '';
    emit({ type: 'tool_call_started', toolCallId: call.id, name, index });
    const tool = registry.get(name);
    let releaseSerial: (() => void) | undefined;
    let releaseLimit: (() => void) | undefined;
    const result = (fields: {
      ok: boolean;
      content: string;
      value?: unknown;
      error?: ToolCallError;
      arguments?: unknown;
      truncated?: boolean;
      repairs?: readonly ArgumentsRepair[];
      deduplicated?: boolean;
    }): ToolCallResult => {
      const outcome: ToolCallResult = {
        toolCallId: call.id,
        name,
        ok: fields.ok,
        ...(fields.ok ? { value: fields.value } : { error: fields.error }),
        ...(fields.arguments === undefined ? {} : { arguments: fields.arguments }),
        content: fields.content,
        message: { role: 'tool', tool_call_id: call.id, content: fields.content },
        durationMs: Math.max(0, now() - started),
        truncated: fields.truncated ?? false,
        repairs: fields.repairs ?? [],
        deduplicated: fields.deduplicated ?? false,
      };
      if (outcome.ok) emit({ type: 'tool_call_succeeded', result: outcome });
      else if (outcome.error) emit({ type: 'tool_call_failed', error: outcome.error, result: outcome });
      return outcome;
    };
    try {
      if (!tool) {
        const error = new UnknownToolError(name, registry.names());
        return result({ ok: false, error, content: `Error: ${error.message}` });
      }
      if (tool.sequential) releaseSerial = await serial.acquire();
      releaseLimit = await limit.acquire();
      if (batchAborted) return result({ ok: false, content: 'Error: aborted.', error: abortedError(tool) });
      const parsed = await tool.parseAsync(call.function.arguments ?? '');
      if (!parsed.ok) return result({ ok: false, error: parsed.error, content: parsed.error.message });
      const args = parsed.value;
      const context: ToolContext<TContext> = {
        toolCallId: call.id,
        toolName: tool.name,
        // Replaced by the call's own signal (timeout + batch abort) when the tool runs.
        signal: signal ?? NEVER_ABORTED,
        idempotencyKey: options.idempotencyKeyPrefix ? `${options.idempotencyKeyPrefix}:${call.id}` : call.id,
        context: options.context as TContext,
      };
      const base = { arguments: args, repairs: parsed.repairs };
      try {
        if (await tool.needsApproval(args, context)) {
          if (!options.approve) {
            const error = new ToolApprovalError(tool.name, false);
            return result({ ...base, ok: false, error, content: `Error: ${error.message}` });
          }
          const approved = await options.approve({ toolCall: call, tool, arguments: args, context });
          if (!approved) {
            const error = new ToolApprovalError(tool.name, true);
            return result({ ...base, ok: false, error, content: `Error: ${error.message}` });
          }
        }
      } catch (thrown) {
        const error = new ToolExecutionError(
          tool.name,
          `Error: the approval check for tool "${tool.name}" failed: ${summarizeThrown(thrown, secrets)}`,
          { cause: sanitizeCause(thrown, secrets) },
        );
        return result({ ...base, ok: false, error, content: error.message });
      }
      let deduplicated = false;
      let settled: Settled;
      const key = dedupe ? `${tool.name}\u0000${stableArguments(call.function.arguments ?? '')}` : undefined;
      const shared = key === undefined ? undefined : dedupe?.get(key);
      if (shared) {
        deduplicated = true;
        const outcome = await shared;
        settled = outcome.ok ? { kind: 'ok', value: outcome.value } : { kind: 'error', error: outcome.error };
      } else {
        const running = execute(tool, call, args, context);
        if (key !== undefined && dedupe) {
          const outcome = running.then((s): ToolExecutionOutcome => {
            if (s.kind === 'ok') return { ok: true, value: s.value };
            dedupe.delete(key);
            return { ok: false, error: s.kind === 'error' ? s.error : abortedError(tool) };
          });
          dedupe.set(key, outcome);
        }
        settled = await running;
      }
      if (settled.kind === 'aborted')
        return result({ ...base, ok: false, content: 'Error: aborted.', error: abortedError(tool) });
      if (settled.kind === 'error') {
        return result({
          ...base,
          ok: false,
          error: settled.error,
          content: settled.error.message,
          deduplicated,
        });
      }
      const output = serializeToolOutput(settled.value, { maxChars: maxOutputChars });
      if (output.problems.length > 0 && unserializable === 'error') {
        const error = new ToolOutputError(
          tool.name,
          `Error: tool "${tool.name}" returned a value that JSON cannot represent (${describeProblems(output.problems)}).`,
        );
        return result({ ...base, ok: false, error, content: error.message, deduplicated });
      }
      return result({
        ...base,
        ok: true,
        value: settled.value,
        content: output.text,
        truncated: output.truncated,
        deduplicated,
      });
    } catch (thrown) {
      // Only a bug in a user-supplied piece (a custom registry, a validator) gets here; it is still answered.
      const error = new ToolExecutionError(
        name,
        `Error: tool "${name}" failed: ${summarizeThrown(thrown, secrets)}`,
        {
          cause: sanitizeCause(thrown, secrets),
        },
      );
      return result({ ok: false, error, content: error.message });
    } finally {
      releaseLimit?.();
      releaseSerial?.();
    }
  };

  const all = Promise.all(toolCalls.map((call, index) => run({ call, index })));
  if (!signal) return all;
  return new Promise<ToolCallResult[]>((resolve, reject) => {
    const onAbort = () => {
      batchAborted = true;
      batchAbortReason = signal.reason;
      for (const abort of [...abortRunning]) abort();
      reject(new ToolCallsAbortedError({ cause: signal.reason }));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    all.then(
      (results) => {
        signal.removeEventListener('abort', onAbort);
        resolve(results);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

const NEVER_ABORTED = new AbortController().signal;

function abortedError(tool: Tool): ToolExecutionError {
  return new ToolExecutionError(tool.name, `Error: tool "${tool.name}" was aborted.`);
}

function stableArguments(text: string): string {
  const parsed = parseToolArguments(text);
  return parsed.ok ? stableStringify(parsed.value) : text;
}
