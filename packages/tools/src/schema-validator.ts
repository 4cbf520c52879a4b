import type { JsonSchema } from '@chatloop/protocol';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { safeParse as zod4SafeParse, safeParseAsync as zod4SafeParseAsync } from 'zod/v4/core';
import type { ToolArgumentIssue } from './tool-errors.js';
import { detectParametersKind, type ToolParameters, type ZodV3Like } from './tool-parameters.js';

/** The outcome of validating arguments: the parsed value (defaults applied), or the issues. */
export type ValidationOutcome =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly issues: readonly ToolArgumentIssue[] };

/** A validator for one schema; `validate` may return a promise only for async Standard Schemas. */
export interface SchemaValidator {
  validate(value: unknown): ValidationOutcome | Promise<ValidationOutcome>;
  /** For schemas with async refinements (zod's sync parse throws on them). */
  validateAsync(value: unknown): Promise<ValidationOutcome>;
}

interface IssueLike {
  path?: ReadonlyArray<PropertyKey | { key: PropertyKey }>;
  message: string;
}

function toIssues(issues: readonly IssueLike[]): ToolArgumentIssue[] {
  return issues.map((issue) => ({
    path: (issue.path ?? []).map((segment) => {
      const key = typeof segment === 'object' && segment !== null ? segment.key : segment;
      return typeof key === 'number' ? key : String(key);
    }),
    message: issue.message,
  }));
}

function ajvIssues(errors: readonly ErrorObject[] | null | undefined): ToolArgumentIssue[] {
  return (errors ?? []).map((error) => {
    const path: Array<string | number> = error.instancePath
      .split('/')
      .slice(1)
      .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
      .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
    const params = error.params as Record<string, unknown>;
    if (error.keyword === 'required' && typeof params.missingProperty === 'string') {
      return { path: [...path, params.missingProperty], message: 'Required' };
    }
    if (error.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
      return { path: [...path, params.additionalProperty], message: 'Unknown property (not allowed)' };
    }
    if (error.keyword === 'enum' && Array.isArray(params.allowedValues)) {
      return {
        path,
        message: `must be one of ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`,
      };
    }
    return { path, message: error.message ?? `fails "${error.keyword}"` };
  });
}

// Ajv instances compile and cache validators; one per draft for the process (created on first use).
let ajvDraft7: Ajv | undefined;
let ajvDraft2020: Ajv2020 | undefined;
const ajvValidators = new WeakMap<object, ValidateFunction>();

function ajvFor(schema: JsonSchema): Ajv | Ajv2020 {
  const options = { allErrors: true, strict: false, validateFormats: false, useDefaults: true } as const;
  const draft2020 =
    (typeof schema.$schema === 'string' && schema.$schema.includes('2020-12')) ||
    schema.prefixItems !== undefined;
  if (draft2020) {
    ajvDraft2020 ??= new Ajv2020(options);
    return ajvDraft2020;
  }
  ajvDraft7 ??= new Ajv(options);
  return ajvDraft7;
}

function compileJsonSchema(schema: JsonSchema): ValidateFunction {
  const cached = ajvValidators.get(schema);
  if (cached) return cached;
  const validate = ajvFor(schema).compile(schema);
  ajvValidators.set(schema, validate);
  return validate;
}

function fromZodResult(result: { success: boolean; data?: unknown; error?: unknown }): ValidationOutcome {
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    issues: toIssues((result.error as { issues?: IssueLike[] } | undefined)?.issues ?? []),
  };
}

function fromStandardResult(result: StandardSchemaV1.Result<unknown>): ValidationOutcome {
  return result.issues ? { ok: false, issues: toIssues(result.issues) } : { ok: true, value: result.value };
}

/**
 * Builds the validator for a tool's parameters: zod 4 (`safeParse` of `zod/v4/core`, so classic and mini
 * both work), zod 3 (`schema.safeParse`), Standard Schema (`~standard.validate`), or ajv for JSON Schema
 * (all errors, defaults applied, `format` not checked).
 *
 * @throws Error from ajv when a JSON Schema does not compile.
 */
export function createSchemaValidator(parameters: ToolParameters): SchemaValidator {
  switch (detectParametersKind(parameters)) {
    case 'zod4':
      return {
        validate: (value) => fromZodResult(zod4SafeParse(parameters as never, value)),
        validateAsync: async (value) => fromZodResult(await zod4SafeParseAsync(parameters as never, value)),
      };
    case 'zod3': {
      const schema = parameters as ZodV3Like;
      return {
        validate: (value) => fromZodResult(schema.safeParse(value)),
        validateAsync: async (value) => fromZodResult(await schema.safeParseAsync(value)),
      };
    }
    case 'standard': {
      const standard = (parameters as StandardSchemaV1)['~standard'];
      const validate = (value: unknown) => {
        const result = standard.validate(value);
        return result instanceof Promise ? result.then(fromStandardResult) : fromStandardResult(result);
      };
      return { validate, validateAsync: async (value) => validate(value) };
    }
    default: {
      const validate = compileJsonSchema(parameters as JsonSchema);
      const check = (value: unknown): ValidationOutcome =>
        validate(value) ? { ok: true, value } : { ok: false, issues: ajvIssues(validate.errors) };
      return { validate: check, validateAsync: async (value) => check(value) };
    }
  }
}
