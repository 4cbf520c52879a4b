import type { JsonSchema } from '@chatloop/protocol';
import { type StrictJsonSchema, stripAddedNulls, toJsonSchema, toStrictJsonSchema } from '@chatloop/tools';
import { Ajv, type ErrorObject } from 'ajv';
import { type $ZodType, toJSONSchema } from 'zod/v4/core';
import { type ExtractionIssue, ExtractSchemaError } from './extract-errors.js';

/** The outcome of validating a parsed value against an {@link ObjectSchema}. */
export type ValidationResult<T> = { ok: true; value: T } | { ok: false; issues: ExtractionIssue[] };

/**
 * A schema in the one shape extraction works with: a JSON schema for the wire, whether it qualifies for
 * strict structured outputs, and a validator for what the model answers.
 */
export interface ObjectSchema<T> {
  /** The schema's name on the wire (`json_schema.name`, the forced tool's name): `[A-Za-z0-9_-]{1,64}`. */
  readonly name: string;
  /** What the object is, for the model. */
  readonly description?: string;
  /** The JSON schema sent to the model. */
  readonly jsonSchema: JsonSchema;
  /** True when `jsonSchema` meets strict structured outputs (every object closed, every key required). */
  readonly strict: boolean;
  /** Checks a parsed value; the issues are worded so a model can fix its answer. */
  validate(value: unknown): ValidationResult<T>;
}

/** The structural part of a zod schema (v3 or v4) that extraction uses. */
export interface ZodLikeSchema<T> {
  safeParse(
    value: unknown,
  ):
    | { success: true; data: T }
    | { success: false; error: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> } };
}

/** Anything `extract` accepts as a schema: zod v3/v4, a JSON schema object, or an {@link ObjectSchema}. */
export type SchemaInput<T> = ZodLikeSchema<T> | ObjectSchema<T> | JsonSchema;

/** Defaults of {@link toObjectSchema}. */
export const OBJECT_SCHEMA_DEFAULTS = { name: 'extraction' } as const;

function isObjectSchema<T>(value: unknown): value is ObjectSchema<T> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { validate?: unknown }).validate === 'function' &&
    typeof (value as { jsonSchema?: unknown }).jsonSchema === 'object'
  );
}

function isZodLike<T>(value: unknown): value is ZodLikeSchema<T> {
  return (
    typeof value === 'object' && value !== null && typeof (value as ZodLikeSchema<T>).safeParse === 'function'
  );
}

/**
 * True when a JSON schema qualifies for strict structured outputs: every object node lists all its
 * properties in `required` and sets `additionalProperties: false`.
 */
export function isStrictJsonSchema(schema: unknown): boolean {
  if (Array.isArray(schema)) return schema.every(isStrictJsonSchema);
  if (typeof schema !== 'object' || schema === null) return true;
  const node = schema as Record<string, unknown>;
  if (node.type === 'object' || typeof node.properties === 'object') {
    const keys = Object.keys((node.properties as Record<string, unknown> | undefined) ?? {});
    const required = Array.isArray(node.required) ? node.required : [];
    if (node.additionalProperties !== false || !keys.every((key) => required.includes(key))) return false;
  }
  return Object.entries(node).every(
    ([key, value]) => key === 'enum' || key === 'const' || isStrictJsonSchema(value),
  );
}

function zodIssues(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): ExtractionIssue[] {
  return issues.map((issue) => ({
    path: issue.path.map((part) => (typeof part === 'number' ? part : String(part))),
    message: issue.message,
  }));
}

function ajvIssues(errors: ErrorObject[]): ExtractionIssue[] {
  return errors.map((error) => {
    const path: Array<string | number> = error.instancePath
      .split('/')
      .slice(1)
      .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
      .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
    const params = error.params as Record<string, unknown>;
    if (typeof params.missingProperty === 'string') path.push(params.missingProperty);
    const extra = typeof params.additionalProperty === 'string' ? ` ("${params.additionalProperty}")` : '';
    return { path, message: `${error.message ?? 'is invalid'}${extra}` };
  });
}

function zodToJsonSchema(schema: unknown): JsonSchema {
  try {
    // zod 4 and zod 3, as @chatloop/tools converts tool parameters (object roots).
    return structuredClone(toJsonSchema(schema as Parameters<typeof toJsonSchema>[0]));
  } catch (toolsError) {
    if (typeof schema === 'object' && schema !== null && '_zod' in schema) {
      const { $schema: _ignored, ...rest } = toJSONSchema(schema as $ZodType, {
        io: 'output',
        unrepresentable: 'any',
      }) as JsonSchema;
      return rest;
    }
    throw new ExtractSchemaError(
      `This zod schema has no JSON schema conversion: ${toolsError instanceof Error ? toolsError.message : String(toolsError)}`,
      { cause: toolsError },
    );
  }
}

/**
 * The wire form of a schema: its strict-mode rewrite (optional keys made nullable, every object closed)
 * when strict mode can express it, else the schema as is. `restore` turns the nulls strict mode added
 * back into absent keys before validation against the original schema.
 */
function wireForm(jsonSchema: JsonSchema): {
  wire: JsonSchema;
  strict: boolean;
  restore: (value: unknown) => unknown;
} {
  if (isStrictJsonSchema(jsonSchema)) return { wire: jsonSchema, strict: true, restore: (value) => value };
  let converted: StrictJsonSchema;
  try {
    converted = toStrictJsonSchema(jsonSchema);
  } catch {
    return { wire: jsonSchema, strict: false, restore: (value) => value };
  }
  return {
    wire: converted.schema,
    strict: true,
    restore: (value) => stripAddedNulls(structuredClone(value), converted),
  };
}

/**
 * Normalizes a zod schema (v4 or v3, converted by `@chatloop/tools`), a JSON schema object, or an
 * existing {@link ObjectSchema} into an {@link ObjectSchema}. What goes on the wire is the strict-mode
 * rewrite when strict mode can express the schema (optional keys become nullable; those nulls are
 * removed again before validation), else the schema as is with `strict: false`. zod schemas validate
 * with zod; JSON schemas with Ajv (all errors, unknown keywords ignored). `$schema` is dropped.
 *
 * @throws ExtractSchemaError when the schema is neither, or Ajv cannot compile it.
 */
export function toObjectSchema<T>(
  schema: SchemaInput<T>,
  options: { name?: string; description?: string } = {},
): ObjectSchema<T> {
  if (isObjectSchema<T>(schema)) return schema;
  const name = (options.name ?? OBJECT_SCHEMA_DEFAULTS.name).replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
  if (isZodLike<T>(schema)) {
    const jsonSchema = zodToJsonSchema(schema);
    const description =
      options.description ??
      (typeof jsonSchema.description === 'string' ? jsonSchema.description : undefined);
    const { wire, strict, restore } = wireForm(jsonSchema);
    return {
      name,
      ...(description === undefined ? {} : { description }),
      jsonSchema: wire,
      strict,
      validate(value) {
        const result = schema.safeParse(restore(value));
        return result.success
          ? { ok: true, value: result.data }
          : { ok: false, issues: zodIssues(result.error.issues) };
      },
    };
  }
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw new ExtractSchemaError('The schema must be a zod schema or a JSON schema object.');
  }
  const { $schema: _ignored, ...jsonSchema } = schema;
  let check: ReturnType<Ajv['compile']>;
  try {
    check = new Ajv({ allErrors: true, strict: false }).compile(jsonSchema);
  } catch (cause) {
    throw new ExtractSchemaError(
      `The JSON schema does not compile: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
  const description =
    options.description ?? (typeof jsonSchema.description === 'string' ? jsonSchema.description : undefined);
  const { wire, strict, restore } = wireForm(jsonSchema);
  return {
    name,
    ...(description === undefined ? {} : { description }),
    jsonSchema: wire,
    strict,
    validate(value) {
      const restored = restore(value);
      return check(restored)
        ? { ok: true, value: restored as T }
        : { ok: false, issues: ajvIssues(check.errors ?? []) };
    },
  };
}
