import type { JsonSchema } from '@chatloop/protocol';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { toJSONSchema as zod4ToJsonSchema } from 'zod/v4/core';
import { zodToJsonSchema as zod3ToJsonSchema } from 'zod-to-json-schema';
import {
  type StrictJsonSchema,
  type StrictJsonSchemaOptions,
  toStrictJsonSchema,
} from './strict-json-schema.js';
import { ToolDefinitionError } from './tool-errors.js';
import { detectParametersKind, hasStandardJsonSchema, type ToolParameters } from './tool-parameters.js';

/** Options of {@link toJsonSchema}. */
export interface ToJsonSchemaOptions extends StrictJsonSchemaOptions {
  /**
   * Produce a schema OpenAI's strict mode (structured outputs) accepts: every property required, optional
   * properties nullable, `additionalProperties: false` everywhere, only supported keywords. What it
   * cannot express throws a `StrictSchemaError` naming the field. Default `false`.
   */
  strict?: boolean;
}

/** Defaults of {@link toJsonSchema}. */
export const TO_JSON_SCHEMA_DEFAULTS = {
  strict: false,
  unsupportedConstraints: 'error',
} as const satisfies Required<ToJsonSchemaOptions>;

interface CachedConversions {
  loose?: JsonSchema;
  strict?: StrictJsonSchema;
  strictDescribed?: StrictJsonSchema;
}

// Converting a schema is pure and costs far more than a lookup, and tool definitions are long-lived:
// cache per schema object (weakly, so dropped schemas are collected).
const conversions = new WeakMap<object, CachedConversions>();

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function markDateAsString(context: {
  zodSchema: { _zod: { def: { type: string } } };
  jsonSchema: Record<string, unknown>;
}): void {
  // Arguments arrive as JSON, so a date can only come as an ISO string (use z.coerce.date() to accept it).
  if (context.zodSchema._zod.def.type === 'date') {
    context.jsonSchema.type = 'string';
    context.jsonSchema.format = 'date-time';
  }
}

function convertLoose(parameters: ToolParameters): JsonSchema {
  const kind = detectParametersKind(parameters);
  let schema: Record<string, unknown>;
  switch (kind) {
    case 'zod4':
      schema = zod4ToJsonSchema(parameters as unknown as Parameters<typeof zod4ToJsonSchema>[0], {
        target: 'draft-2020-12',
        io: 'input',
        unrepresentable: 'any',
        override: markDateAsString as never,
      }) as Record<string, unknown>;
      break;
    case 'zod3':
      schema = zod3ToJsonSchema(parameters as unknown as Parameters<typeof zod3ToJsonSchema>[0], {
        target: 'jsonSchema7',
        $refStrategy: 'root',
        definitionPath: '$defs',
        pipeStrategy: 'input',
        effectStrategy: 'input',
        dateStrategy: 'format:date-time',
      }) as Record<string, unknown>;
      break;
    case 'standard': {
      const standard = parameters as StandardSchemaV1;
      if (!hasStandardJsonSchema(standard)) {
        throw new ToolDefinitionError(
          `This ${standard['~standard'].vendor} schema offers no JSON Schema (~standard.jsonSchema); pass a JSON Schema instead.`,
        );
      }
      schema = standard['~standard'].jsonSchema.input({ target: 'draft-2020-12' });
      break;
    }
    default:
      schema = structuredClone(parameters as JsonSchema);
  }
  delete schema.$schema;
  if (schema.type !== 'object') {
    throw new ToolDefinitionError(
      `Tool parameters must describe an object (JSON Schema "type": "object"), got ${JSON.stringify(schema.type ?? null)}.`,
    );
  }
  return schema;
}

/**
 * The strict conversion with its side table (which properties were made nullable by the conversion),
 * cached per schema. Used by `defineTool` to turn such `null`s back into absent fields before validation.
 *
 * @throws StrictSchemaError when strict mode cannot express the schema.
 * @throws ToolDefinitionError when the schema's root is not an object or it offers no JSON Schema.
 */
export function toStrictConversion(
  parameters: ToolParameters,
  options: StrictJsonSchemaOptions = {},
): StrictJsonSchema {
  const slot = options.unsupportedConstraints === 'describe' ? 'strictDescribed' : 'strict';
  const cached = conversions.get(parameters) ?? {};
  const hit = cached[slot];
  if (hit) return hit;
  const strict = toStrictJsonSchema(toLooseJsonSchema(parameters), options);
  deepFreeze(strict.schema);
  cached[slot] = strict;
  conversions.set(parameters, cached);
  return strict;
}

function toLooseJsonSchema(parameters: ToolParameters): JsonSchema {
  const cached = conversions.get(parameters) ?? {};
  if (cached.loose) return cached.loose;
  const loose = deepFreeze(convertLoose(parameters));
  cached.loose = loose;
  conversions.set(parameters, cached);
  return loose;
}

/**
 * Converts a tool's parameters (zod 4, zod 3, Standard JSON Schema, or JSON Schema) into the JSON Schema
 * sent as a function's `parameters`. zod schemas describe their *input* (fields with defaults are
 * optional). Results are cached per schema object and frozen: do not mutate them (clone first).
 *
 * @throws StrictSchemaError (strict mode) when a field cannot be expressed, naming the field.
 * @throws ToolDefinitionError when the root is not an object schema.
 */
export function toJsonSchema(parameters: ToolParameters, options: ToJsonSchemaOptions = {}): JsonSchema {
  const strict = options.strict ?? TO_JSON_SCHEMA_DEFAULTS.strict;
  return strict ? toStrictConversion(parameters, options).schema : toLooseJsonSchema(parameters);
}
