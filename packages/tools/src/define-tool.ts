import type { FunctionTool, JsonSchema } from '@chatloop/protocol';
import {
  describeInvalidArguments,
  describeMalformedArguments,
  sanitizeCause,
  summarizeThrown,
} from './describe-tool-failure.js';
import { type ArgumentsRepair, parseToolArguments } from './parse-tool-arguments.js';
import { createSchemaValidator, type ValidationOutcome } from './schema-validator.js';
import { stripAddedNulls } from './strip-added-nulls.js';
import { toJsonSchema, toStrictConversion } from './to-json-schema.js';
import { ToolArgumentsError, ToolDefinitionError } from './tool-errors.js';
import type { InferToolArguments, ToolParameters } from './tool-parameters.js';

/** Valid tool names, as the API accepts them. */
export const TOOL_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;

/** What a tool's `execute` receives besides its arguments. */
export interface ToolContext<TContext = unknown> {
  /** The id of the model's tool call (`tool_calls[].id`). */
  readonly toolCallId: string;
  /** The tool's name. */
  readonly toolName: string;
  /** Aborted when the run is aborted or the tool's timeout passes; pass it on to I/O. */
  readonly signal: AbortSignal;
  /**
   * A key that is the same every time this call is executed again (retries, a resumed run): the run's
   * prefix plus the call id. Pass it to side-effecting APIs that accept an idempotency key.
   */
  readonly idempotencyKey: string;
  /** The caller's run context (`executeToolCalls` option `context`), e.g. a user id or a database. */
  readonly context: TContext;
}

/** Whether a call must wait for a human: fixed, or decided per call from its arguments. */
export type NeedsApproval<TArgs, TContext> =
  | boolean
  | ((args: TArgs, context: ToolContext<TContext>) => boolean | Promise<boolean>);

/** Options of {@link defineTool}. */
export interface DefineToolOptions<TParameters extends ToolParameters, TResult, TContext = unknown> {
  /** The function name the model calls: `^[a-zA-Z0-9_-]{1,64}$`. */
  name: string;
  /** What the tool does and when to use it; the model reads it. */
  description?: string;
  /** A zod 4 or zod 3 schema, a Standard JSON Schema validator, or a JSON Schema, describing an object. */
  parameters: TParameters;
  /** Runs the tool with validated arguments. The result becomes the tool message (strings as-is, else JSON). */
  execute: (
    args: InferToolArguments<TParameters>,
    context: ToolContext<TContext>,
  ) => TResult | Promise<TResult>;
  /** Send an OpenAI strict-mode schema (`strict: true`). Default `false`. */
  strict?: boolean;
  /**
   * In strict mode, what to do with constraints strict mode cannot send (`minLength`, `maxLength`,
   * `uniqueItems`, unsupported formats, ...): `'error'` (default) refuses the schema naming the field,
   * `'describe'` moves them into the description; validation enforces them either way.
   */
  unsupportedConstraints?: 'error' | 'describe';
  /** Abort the tool after this many milliseconds. Default: the executor's `timeoutMs` (60 s). */
  timeoutMs?: number;
  /** Calls that must be approved by a human before they run. Default `false`. */
  needsApproval?: NeedsApproval<InferToolArguments<TParameters>, TContext>;
  /**
   * Run this tool's calls one at a time, in call order, even when the batch runs in parallel (for tools
   * that change state). Read-only tools leave it `false` (the default) and run in parallel.
   */
  sequential?: boolean;
}

/** The outcome of parsing a model's arguments text. */
export type ToolParseResult<TArgs> =
  | { readonly ok: true; readonly value: TArgs; readonly repairs: readonly ArgumentsRepair[] }
  | { readonly ok: false; readonly error: ToolArgumentsError };

/** A tool: its wire definition, its argument parser and its function. Create with {@link defineTool}. */
export interface Tool<TArgs = unknown, TResult = unknown, TContext = unknown> {
  /** The function name. */
  readonly name: string;
  /** The description sent to the model. */
  readonly description: string | undefined;
  /** The request's `tools[]` entry. */
  readonly definition: FunctionTool;
  /** The JSON Schema sent as `parameters` (strict-mode rewritten when `strict`). */
  readonly jsonSchema: JsonSchema;
  /** The schema given to `defineTool`. */
  readonly parameters: ToolParameters;
  /** Whether the definition is strict. */
  readonly strict: boolean;
  /** The tool's own timeout, if it set one. */
  readonly timeoutMs: number | undefined;
  /** Whether its calls run one at a time. */
  readonly sequential: boolean;
  /**
   * Parses and validates the model's arguments text (see `parseToolArguments` for the safe repairs).
   * Synchronous; for a Standard Schema with async validation use {@link Tool.parseAsync}.
   */
  parse(argumentsJson: string): ToolParseResult<TArgs>;
  /** As {@link Tool.parse}, also for validators that answer asynchronously. */
  parseAsync(argumentsJson: string): Promise<ToolParseResult<TArgs>>;
  /** Runs the tool (no validation, no timeout: `executeToolCalls` adds those). */
  execute(args: TArgs, context: ToolContext<TContext>): Promise<TResult>;
  /** Whether this call must be approved first. */
  needsApproval(args: TArgs, context: ToolContext<TContext>): Promise<boolean>;
}

/**
 * Defines a tool from a schema and a function. The wire definition is built at once (cached per schema),
 * so an unusable schema fails here, not at the first call.
 *
 * @throws ToolDefinitionError for a name outside `^[a-zA-Z0-9_-]{1,64}$`, a missing `execute`, a
 *   non-object schema, or a negative `timeoutMs`.
 * @throws StrictSchemaError when `strict` and the schema has something strict mode cannot express.
 */
export function defineTool<TParameters extends ToolParameters, TResult, TContext = unknown>(
  options: DefineToolOptions<TParameters, TResult, TContext>,
): Tool<InferToolArguments<TParameters>, Awaited<TResult>, TContext> {
  type Args = InferToolArguments<TParameters>;
  const { name, description, parameters, execute, needsApproval } = options;
  if (typeof name !== 'string' || !TOOL_NAME_PATTERN.test(name)) {
    throw new ToolDefinitionError(
      `Invalid tool name ${JSON.stringify(name)}: use 1-64 letters, digits, "_" or "-".`,
    );
  }
  if (typeof execute !== 'function') throw new ToolDefinitionError(`Tool "${name}" has no execute function.`);
  if (options.timeoutMs !== undefined && !(options.timeoutMs > 0)) {
    throw new ToolDefinitionError(`Tool "${name}": timeoutMs must be a positive number of milliseconds.`);
  }
  const strict = options.strict ?? false;
  const unsupportedConstraints = options.unsupportedConstraints ?? 'error';
  let jsonSchema: JsonSchema;
  try {
    jsonSchema = toJsonSchema(parameters, { strict, unsupportedConstraints });
  } catch (error) {
    if (error instanceof TypeError)
      throw new ToolDefinitionError(`Tool "${name}": ${error.message}`, { cause: error });
    throw error;
  }
  const strictConversion = strict ? toStrictConversion(parameters, { unsupportedConstraints }) : undefined;
  // Explanations to the model describe the schema as written (optional fields as optional).
  const describedSchema = strict ? toJsonSchema(parameters) : jsonSchema;
  const validator = createSchemaValidator(parameters);
  const definition: FunctionTool = {
    type: 'function',
    function: {
      name,
      ...(description === undefined ? {} : { description }),
      parameters: jsonSchema,
      ...(strict ? { strict: true } : {}),
    },
  };

  const settle = (outcome: ValidationOutcome, repairs: readonly ArgumentsRepair[]): ToolParseResult<Args> =>
    outcome.ok
      ? { ok: true, value: outcome.value as Args, repairs }
      : {
          ok: false,
          error: new ToolArgumentsError(describeInvalidArguments(name, outcome.issues, describedSchema), {
            toolName: name,
            reason: 'invalid_arguments',
            issues: outcome.issues,
          }),
        };

  const validatorFailure = (error: unknown): ToolParseResult<Args> => ({
    ok: false,
    error: new ToolArgumentsError(
      describeInvalidArguments(name, [{ path: [], message: summarizeThrown(error) }], describedSchema),
      {
        toolName: name,
        reason: 'invalid_arguments',
        issues: [{ path: [], message: summarizeThrown(error) }],
        cause: sanitizeCause(error),
      },
    ),
  });

  const begin = (
    argumentsJson: string,
  ):
    | { done: ToolParseResult<Args> }
    | { outcome: ValidationOutcome | Promise<ValidationOutcome>; repairs: readonly ArgumentsRepair[] } => {
    const parsed = parseToolArguments(argumentsJson);
    if (!parsed.ok) {
      return {
        done: {
          ok: false,
          error: new ToolArgumentsError(describeMalformedArguments(name, parsed.message, describedSchema), {
            toolName: name,
            reason: 'malformed_json',
          }),
        },
      };
    }
    const value = strictConversion ? stripAddedNulls(parsed.value, strictConversion) : parsed.value;
    try {
      return { outcome: validator.validate(value), repairs: parsed.repairs };
    } catch (error) {
      return { done: validatorFailure(error) };
    }
  };

  return {
    name,
    description,
    definition,
    jsonSchema,
    parameters,
    strict,
    timeoutMs: options.timeoutMs,
    sequential: options.sequential ?? false,
    parse(argumentsJson) {
      const started = begin(argumentsJson);
      if ('done' in started) return started.done;
      if (started.outcome instanceof Promise) {
        // Keep the pending validation from becoming an unhandled rejection.
        started.outcome.catch(() => undefined);
        return validatorFailure(new Error('this schema validates asynchronously; use parseAsync'));
      }
      return settle(started.outcome, started.repairs);
    },
    async parseAsync(argumentsJson) {
      const started = begin(argumentsJson);
      if (!('done' in started)) {
        try {
          return settle(await started.outcome, started.repairs);
        } catch (error) {
          return validatorFailure(error);
        }
      }
      if (
        started.done.ok ||
        started.done.error.reason === 'malformed_json' ||
        started.done.error.cause === undefined
      ) {
        return started.done;
      }
      // The sync parse threw (e.g. zod meeting an async refinement): validate asynchronously.
      try {
        const parsed = parseToolArguments(argumentsJson);
        if (!parsed.ok) return started.done;
        const value = strictConversion ? stripAddedNulls(parsed.value, strictConversion) : parsed.value;
        return settle(await validator.validateAsync(value), parsed.repairs);
      } catch (error) {
        return validatorFailure(error);
      }
    },
    execute(args, context): Promise<Awaited<TResult>> {
      // Run inside a promise so a synchronous throw becomes a rejection.
      return new Promise<Awaited<TResult>>((resolve) => resolve(execute(args, context) as Awaited<TResult>));
    },
    async needsApproval(args, context) {
      if (typeof needsApproval === 'function') return Boolean(await needsApproval(args, context));
      return needsApproval ?? false;
    },
  };
}
