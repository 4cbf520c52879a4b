import type { JsonSchema } from '@chatloop/protocol';
import type { StandardJSONSchemaV1, StandardSchemaV1 } from '@standard-schema/spec';

/** A zod 4 schema (classic or mini, from `zod` 4 or `zod/v4` of 3.25+): it carries `_zod`. */
export interface ZodV4Like {
  readonly _zod: { readonly output: unknown; readonly def: { readonly type: string } };
}

/** A zod 3 schema (`zod` 3.x or `zod/v3`): it has `_def` and `safeParse`, and no `_zod`. */
export interface ZodV3Like {
  readonly _def: unknown;
  readonly _output: unknown;
  safeParse(value: unknown): { success: boolean; data?: unknown; error?: unknown };
  safeParseAsync(value: unknown): Promise<{ success: boolean; data?: unknown; error?: unknown }>;
}

/**
 * What a tool's `parameters` may be: a zod 4 or zod 3 schema, any Standard Schema validator that also
 * offers Standard JSON Schema (`~standard.jsonSchema`), or a plain JSON Schema object (validated with ajv).
 */
export type ToolParameters = ZodV4Like | ZodV3Like | StandardSchemaV1 | JsonSchema;

/** Which kind of schema a `parameters` value is. */
export type ToolParametersKind = 'zod4' | 'zod3' | 'standard' | 'json-schema';

/** The arguments type a schema validates to (`Record<string, unknown>` for plain JSON Schema). */
export type InferToolArguments<T> = T extends { readonly _zod: { readonly output: infer O } }
  ? O
  : T extends { readonly _output: infer O; readonly _def: unknown }
    ? O
    : T extends StandardSchemaV1
      ? StandardSchemaV1.InferOutput<T>
      : Record<string, unknown>;

function isObject(value: unknown): value is Record<string, unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null;
}

/**
 * Tells which kind of schema `parameters` is. zod 4 schemas are recognised by `_zod` first (zod 3's
 * converter silently yields an empty schema for them), then zod 3 by `_def` + `safeParse`, then Standard
 * Schema by `~standard`, and any other object is taken as JSON Schema.
 *
 * @throws TypeError when `parameters` is not an object.
 */
export function detectParametersKind(parameters: unknown): ToolParametersKind {
  if (!isObject(parameters)) throw new TypeError('Tool parameters must be a schema object.');
  if ('_zod' in parameters && isObject(parameters._zod)) return 'zod4';
  if ('_def' in parameters && typeof parameters.safeParse === 'function') return 'zod3';
  if ('~standard' in parameters && isObject(parameters['~standard'])) return 'standard';
  return 'json-schema';
}

/** True when a Standard Schema also implements Standard JSON Schema. */
export function hasStandardJsonSchema(
  value: StandardSchemaV1,
): value is StandardSchemaV1 & StandardJSONSchemaV1 {
  const props = value['~standard'] as unknown;
  return isObject(props) && isObject(props.jsonSchema) && typeof props.jsonSchema.input === 'function';
}
