import type { FunctionTool, JsonSchema, ResponseFormat } from '@chatloop/protocol';
import type { InferToolArguments, ToolParameters } from '@chatloop/tools';
import { defineTool } from '@chatloop/tools';

/** A schema for the final answer: zod 4 or 3, a Standard Schema with JSON Schema, or a JSON Schema. */
export type OutputSchema = ToolParameters;

/** The typed value an {@link OutputSchema} validates to. */
export type InferOutput<T> = T extends OutputSchema ? InferToolArguments<T> : string;

/**
 * How the final answer is requested: `json_schema` sets `response_format`; `tool` adds a final tool whose
 * arguments are the answer (for providers without json_schema); `auto` picks `tool` when the model is
 * known to lack json_schema support, else `json_schema`.
 */
export type OutputMode = 'auto' | 'json_schema' | 'tool';

/** Defaults of structured output. */
export const STRUCTURED_OUTPUT_DEFAULTS = {
  /** Name of the schema (`json_schema.name`) and of the final tool. */
  name: 'final_output',
  /** Repair attempts after the first invalid answer. */
  maxRepairs: 2,
  mode: 'auto',
} as const;

/** The outcome of checking an answer against the output schema. */
export type OutputCheck = { ok: true; value: unknown } | { ok: false; issues: string[] };

/** A compiled output schema: its JSON Schema, the wire pieces, and a validator. */
export interface OutputSpec {
  readonly name: string;
  readonly jsonSchema: JsonSchema;
  responseFormat(): ResponseFormat;
  finalTool(): FunctionTool;
  /** Parses (prototype-safely) and validates answer text. */
  check(text: string): Promise<OutputCheck>;
  /** Validates an already parsed value (a final tool's arguments). */
  checkValue(value: unknown): Promise<OutputCheck>;
}

/** Builds the {@link OutputSpec} of a schema. */
export function createOutputSpec(
  schema: OutputSchema,
  name: string = STRUCTURED_OUTPUT_DEFAULTS.name,
): OutputSpec {
  // A tool definition gives the JSON Schema and a prototype-safe parser + validator for every schema kind.
  const tool = defineTool({ name, parameters: schema, execute: () => undefined });
  const jsonSchema = tool.jsonSchema;
  const checkText = async (text: string): Promise<OutputCheck> => {
    const outcome = await tool.parseAsync(text);
    if (outcome.ok) return { ok: true, value: outcome.value };
    const issues = outcome.error.issues;
    return {
      ok: false,
      issues:
        issues.length > 0
          ? issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
          : [outcome.error.message],
    };
  };
  const checkValue = (value: unknown): Promise<OutputCheck> => checkText(JSON.stringify(value) ?? 'null');
  return {
    name,
    jsonSchema,
    responseFormat: () => ({ type: 'json_schema', json_schema: { name, schema: jsonSchema } }),
    finalTool: () => ({
      type: 'function',
      function: {
        name,
        description: 'Give the final answer. Call this exactly once, when the answer is complete.',
        parameters: jsonSchema,
      },
    }),
    check: (text) => checkText(stripCodeFence(text)),
    checkValue,
  };
}

function stripCodeFence(text: string): string {
  const trimmed = text.trim();
  const fenced = /^```(?:json)?\s*([\s\S]*?)\s*```$/.exec(trimmed);
  return fenced ? fenced[1]! : trimmed;
}

/** The message that asks the model to repair an invalid answer, listing the validation errors. */
export function repairInstruction(issues: readonly string[]): string {
  return (
    'Your answer did not match the required JSON schema:\n' +
    issues
      .slice(0, 20)
      .map((issue) => `- ${issue}`)
      .join('\n') +
    '\nAnswer again with only the corrected JSON.'
  );
}
