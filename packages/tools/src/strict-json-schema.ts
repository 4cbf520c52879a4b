import type { JsonSchema } from '@chatloop/protocol';
import { canonicalizeRefs, isCanonicalRef } from './canonicalize-refs.js';
import { isSchemaNode as isNode, type SchemaNode as Node } from './schema-node.js';
import { StrictSchemaError } from './tool-errors.js';

/**
 * The limits of OpenAI strict mode (structured outputs), from its documentation: nesting depth, total
 * object properties, total enum values, total characters of property names, enum values and consts, and
 * the characters of one enum with more than 250 values.
 */
export const STRICT_SCHEMA_LIMITS = {
  maxNestingDepth: 10,
  maxProperties: 5000,
  maxEnumValues: 1000,
  maxStringLength: 120_000,
  largeEnumThreshold: 250,
  maxLargeEnumStringLength: 15_000,
} as const;

/** The string formats strict mode supports. */
export const STRICT_STRING_FORMATS: ReadonlySet<string> = new Set([
  'date-time',
  'time',
  'date',
  'duration',
  'email',
  'hostname',
  'ipv4',
  'ipv6',
  'uuid',
]);

/** Constraint keywords strict mode supports, kept as they are. */
const KEPT_KEYWORDS = new Set([
  'description',
  'pattern',
  'format',
  'multipleOf',
  'maximum',
  'exclusiveMaximum',
  'minimum',
  'exclusiveMinimum',
  'minItems',
  'maxItems',
]);

/** Annotations that carry no constraint: dropped (a default is kept in the description). */
const DROPPED_KEYWORDS = new Set([
  'title',
  'default',
  'examples',
  '$comment',
  'readOnly',
  'writeOnly',
  'deprecated',
  '$schema',
  '$id',
]);

/**
 * Validation-only constraints strict mode does not support but that can be moved into the description
 * (`unsupportedConstraints: 'describe'`): the schema keeps its shape, local validation still enforces them.
 */
const DESCRIBABLE_KEYWORDS = new Set([
  'minLength',
  'maxLength',
  'uniqueItems',
  'minProperties',
  'maxProperties',
  'format',
]);

/** Options of {@link toStrictJsonSchema}. */
export interface StrictJsonSchemaOptions {
  /**
   * What to do with validation-only constraints strict mode does not support (`minLength`, `maxLength`,
   * `uniqueItems`, `minProperties`, `maxProperties`, unsupported `format`s): `'error'` refuses the schema
   * naming the field; `'describe'` moves them into the field's description (the model reads them, and the
   * arguments are still validated against the original schema). Default `'error'`.
   */
  unsupportedConstraints?: 'error' | 'describe';
}

/** Defaults of {@link toStrictJsonSchema}. */
export const STRICT_JSON_SCHEMA_DEFAULTS = {
  unsupportedConstraints: 'error',
} as const satisfies Required<StrictJsonSchemaOptions>;

/** Keywords handled structurally below. */
const STRUCTURAL_KEYWORDS = new Set([
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'anyOf',
  'oneOf',
  'enum',
  'const',
  '$ref',
  '$defs',
  'definitions',
]);

const KEYWORD_ADVICE = new Map<string, string>(
  Object.entries({
    allOf: 'intersections (allOf) are not supported; merge the objects into one',
    not: '"not" is not supported',
    if: 'conditional schemas (if/then/else) are not supported',
    else: 'conditional schemas (if/then/else) are not supported',
    prefixItems: 'tuples are not supported; use an object with named fields',
    patternProperties: 'patternProperties is not supported',
    propertyNames: 'propertyNames is not supported',
    minProperties: `minProperties is not supported; use unsupportedConstraints: 'describe' or strict: false`,
    maxProperties: `maxProperties is not supported; use unsupportedConstraints: 'describe' or strict: false`,
    minLength: `minLength is not supported; use unsupportedConstraints: 'describe' or strict: false`,
    maxLength: `maxLength is not supported; use unsupportedConstraints: 'describe' or strict: false`,
    uniqueItems: `uniqueItems is not supported; use unsupportedConstraints: 'describe' or strict: false`,
    contains: 'contains is not supported',
    minContains: 'minContains is not supported',
    maxContains: 'maxContains is not supported',
    unevaluatedProperties: 'unevaluatedProperties is not supported',
    unevaluatedItems: 'unevaluatedItems is not supported',
    dependentRequired: 'dependentRequired is not supported',
    dependentSchemas: 'dependentSchemas is not supported',
    dependencies: 'dependencies is not supported',
  }),
);
KEYWORD_ADVICE.set('then', 'conditional schemas (if/then/else) are not supported');

/** A strict-mode schema plus which properties the conversion made nullable (so `null` means "absent"). */
export interface StrictJsonSchema {
  /** The schema to send, with `strict: true`. */
  readonly schema: JsonSchema;
  /** Object-schema node (of `schema`) -> the properties whose `null` was added by the conversion. */
  readonly addedNulls: WeakMap<object, ReadonlySet<string>>;
}

function child(field: string, key: string): string {
  return field === '(root)' ? key : `${field}.${key}`;
}

interface Budget {
  properties: number;
  enumValues: number;
  stringLength: number;
}

class StrictConverter {
  readonly addedNulls = new WeakMap<object, ReadonlySet<string>>();
  private readonly budget: Budget = { properties: 0, enumValues: 0, stringLength: 0 };

  constructor(
    private readonly defs: Node,
    private readonly describeUnsupported: boolean,
  ) {}

  convert(node: unknown, field: string, depth: number): Node {
    if (!isNode(node)) {
      throw new StrictSchemaError(field, 'type', 'a boolean schema accepts anything; give the field a type');
    }
    const isRecord =
      (node.additionalProperties !== undefined && node.additionalProperties !== false) ||
      node.patternProperties !== undefined ||
      node.propertyNames !== undefined;
    if (isRecord) {
      throw new StrictSchemaError(
        field,
        'additionalProperties',
        'records and objects with arbitrary keys are not supported (strict mode needs additionalProperties: false); use an array of { key, value } objects',
      );
    }
    if (node.prefixItems !== undefined || Array.isArray(node.items)) {
      throw new StrictSchemaError(
        field,
        'items',
        'tuples are not supported; use an object with named fields',
      );
    }
    // `type` first: the order models and readers expect.
    const out: Node = node.type === undefined ? {} : { type: node.type };
    const notes: string[] = [];
    for (const [keyword, value] of Object.entries(node)) {
      if (STRUCTURAL_KEYWORDS.has(keyword)) continue;
      if (DROPPED_KEYWORDS.has(keyword)) continue;
      const unsupportedFormat = keyword === 'format' && !STRICT_STRING_FORMATS.has(String(value));
      if (KEPT_KEYWORDS.has(keyword) && !unsupportedFormat) {
        out[keyword] = value;
        continue;
      }
      if (this.describeUnsupported && DESCRIBABLE_KEYWORDS.has(keyword)) {
        notes.push(`${keyword}: ${JSON.stringify(value)}`);
        continue;
      }
      if (unsupportedFormat) {
        throw new StrictSchemaError(
          field,
          'format',
          `format "${String(value)}" is not supported (supported: ${[...STRICT_STRING_FORMATS].join(', ')}); use unsupportedConstraints: 'describe' or strict: false`,
        );
      }
      throw new StrictSchemaError(
        field,
        keyword,
        KEYWORD_ADVICE.get(keyword) ?? `"${keyword}" is not supported`,
      );
    }
    if (node.default !== undefined) notes.push(`default: ${JSON.stringify(node.default)}`);
    if (notes.length > 0) {
      const note = `(${notes.join('; ')})`;
      out.description = typeof out.description === 'string' ? `${out.description} ${note}` : note;
    }
    if (typeof node.$ref === 'string') return this.convertRef(node, out, field);
    if (node.items !== undefined && Array.isArray(node.items)) {
      throw new StrictSchemaError(
        field,
        'items',
        'tuples are not supported; use an object with named fields',
      );
    }
    const union = node.anyOf ?? node.oneOf;
    if (union !== undefined) {
      if (node.anyOf !== undefined && node.oneOf !== undefined) {
        throw new StrictSchemaError(field, 'oneOf', 'anyOf and oneOf together are not supported');
      }
      if (!Array.isArray(union) || union.length === 0) {
        throw new StrictSchemaError(field, 'anyOf', 'a union needs at least one variant');
      }
      // oneOf becomes anyOf: strict mode only knows anyOf, and validation still uses the original schema.
      out.anyOf = union.map((variant) => this.convert(variant, field, depth));
      if (node.type !== undefined) {
        throw new StrictSchemaError(field, 'anyOf', 'a union with a sibling "type" is not supported');
      }
      return out;
    }
    if (node.const !== undefined || node.enum !== undefined) this.convertEnum(node, out, field);
    const type = node.type;
    if (type === undefined) {
      if (out.enum !== undefined) return out;
      throw new StrictSchemaError(field, 'type', 'the field accepts any value; give it a type');
    }
    const types = Array.isArray(type) ? type : [type];
    if (types.includes('object')) this.convertObject(node, out, field, depth);
    if (types.includes('array')) {
      if (!isNode(node.items)) {
        throw new StrictSchemaError(field, 'items', 'an array needs an items schema');
      }
      out.items = this.convert(node.items, `${field}[]`, depth);
    }
    return out;
  }

  private convertRef(node: Node, out: Node, field: string): Node {
    const ref = node.$ref as string;
    if (!isCanonicalRef(ref)) throw new StrictSchemaError(field, '$ref', `unsupported reference "${ref}"`);
    if (ref !== '#' && !(ref.slice('#/$defs/'.length) in this.defs)) {
      throw new StrictSchemaError(field, '$ref', `the reference "${ref}" points at nothing`);
    }
    for (const keyword of Object.keys(node)) {
      if (STRUCTURAL_KEYWORDS.has(keyword) && keyword !== '$ref') {
        throw new StrictSchemaError(field, keyword, `"${keyword}" beside "$ref" is not supported`);
      }
    }
    out.$ref = ref;
    return out;
  }

  private convertEnum(node: Node, out: Node, field: string): void {
    const values = node.const !== undefined ? [node.const] : node.enum;
    if (!Array.isArray(values) || values.length === 0) {
      throw new StrictSchemaError(field, 'enum', 'an enum needs at least one value');
    }
    this.budget.enumValues += values.length;
    if (this.budget.enumValues > STRICT_SCHEMA_LIMITS.maxEnumValues) {
      throw new StrictSchemaError(
        field,
        'enum',
        `more than ${STRICT_SCHEMA_LIMITS.maxEnumValues} enum values in the whole schema`,
      );
    }
    let length = 0;
    for (const value of values) {
      if (typeof value === 'object' && value !== null) {
        throw new StrictSchemaError(field, 'enum', 'enum values must be strings, numbers, booleans or null');
      }
      if (typeof value === 'string') length += value.length;
    }
    if (
      values.length > STRICT_SCHEMA_LIMITS.largeEnumThreshold &&
      length > STRICT_SCHEMA_LIMITS.maxLargeEnumStringLength
    ) {
      throw new StrictSchemaError(
        field,
        'enum',
        `an enum of more than ${STRICT_SCHEMA_LIMITS.largeEnumThreshold} values may total at most ${STRICT_SCHEMA_LIMITS.maxLargeEnumStringLength} characters`,
      );
    }
    this.addStrings(field, length);
    out.enum = values;
  }

  private convertObject(node: Node, out: Node, field: string, depth: number): void {
    if (depth > STRICT_SCHEMA_LIMITS.maxNestingDepth) {
      throw new StrictSchemaError(
        field,
        'properties',
        `objects may nest at most ${STRICT_SCHEMA_LIMITS.maxNestingDepth} levels deep`,
      );
    }
    const properties = isNode(node.properties) ? node.properties : {};
    const required = new Set(Array.isArray(node.required) ? node.required.map(String) : []);
    const outProperties: Node = {};
    const nulled = new Set<string>();
    for (const [name, schema] of Object.entries(properties)) {
      const path = child(field, name);
      this.budget.properties += 1;
      if (this.budget.properties > STRICT_SCHEMA_LIMITS.maxProperties) {
        throw new StrictSchemaError(
          path,
          'properties',
          `more than ${STRICT_SCHEMA_LIMITS.maxProperties} object properties in the whole schema`,
        );
      }
      this.addStrings(path, name.length);
      let converted = this.convert(schema, path, depth + 1);
      if (!required.has(name) && !acceptsNull(converted, this.defs)) {
        converted = makeNullable(converted);
        nulled.add(name);
      }
      outProperties[name] = converted;
    }
    out.properties = outProperties;
    out.required = Object.keys(outProperties);
    out.additionalProperties = false;
    if (nulled.size > 0) this.addedNulls.set(out, nulled);
  }

  private addStrings(field: string, length: number): void {
    this.budget.stringLength += length;
    if (this.budget.stringLength > STRICT_SCHEMA_LIMITS.maxStringLength) {
      throw new StrictSchemaError(
        field,
        'properties',
        `property names and enum values may total at most ${STRICT_SCHEMA_LIMITS.maxStringLength} characters`,
      );
    }
  }
}

function acceptsNull(node: Node, defs: Node, seen = new Set<unknown>()): boolean {
  if (seen.has(node)) return false;
  seen.add(node);
  if (typeof node.$ref === 'string') {
    const target = node.$ref === '#' ? undefined : defs[node.$ref.slice('#/$defs/'.length)];
    return isNode(target) && acceptsNull(target, defs, seen);
  }
  if (Array.isArray(node.anyOf))
    return node.anyOf.some((variant) => isNode(variant) && acceptsNull(variant, defs, seen));
  if (Array.isArray(node.enum)) return node.enum.includes(null);
  return node.type === 'null' || (Array.isArray(node.type) && node.type.includes('null'));
}

// Changes the node in place: `addedNulls` is keyed by node identity, so a copy would lose its entry.
function makeNullable(node: Node): Node {
  if (node.$ref !== undefined) return { anyOf: [node, { type: 'null' }] };
  if (Array.isArray(node.anyOf)) {
    node.anyOf = [...node.anyOf, { type: 'null' }];
    return node;
  }
  if (Array.isArray(node.enum)) node.enum = [...node.enum, null];
  if (typeof node.type === 'string') node.type = [node.type, 'null'];
  else if (Array.isArray(node.type)) node.type = [...node.type, 'null'];
  return node;
}

/**
 * Rewrites a JSON Schema (draft-07 or 2020-12, as zod or a user wrote it) for OpenAI strict mode: every
 * property required (optional ones become nullable, recorded in `addedNulls`), `additionalProperties:
 * false` on every object, `oneOf` as `anyOf`, `const` as a one-value `enum`, shared and recursive types
 * under `$defs`, annotations dropped (a default is noted in the description). The input is not modified.
 *
 * @throws StrictSchemaError naming the field and keyword for anything strict mode cannot express:
 *   records, tuples, `allOf`, `not`, conditionals, untyped fields, unsupported keywords and formats,
 *   more than the documented nesting, property and enum limits.
 */
export function toStrictJsonSchema(
  schema: JsonSchema,
  options: StrictJsonSchemaOptions = {},
): StrictJsonSchema {
  const root = structuredClone(schema) as Node;
  canonicalizeRefs(root);
  if (root.type !== 'object' || root.anyOf !== undefined || root.oneOf !== undefined) {
    throw new StrictSchemaError('(root)', 'type', 'the root must be a plain object schema, not a union');
  }
  const defs = isNode(root.$defs) ? root.$defs : {};
  const mode = options.unsupportedConstraints ?? STRICT_JSON_SCHEMA_DEFAULTS.unsupportedConstraints;
  const converter = new StrictConverter(defs, mode === 'describe');
  const { $defs: _unused, ...body } = root;
  const out = converter.convert(body, '(root)', 1);
  const outDefs: Node = {};
  for (const [name, def] of Object.entries(defs)) outDefs[name] = converter.convert(def, `$defs.${name}`, 1);
  if (Object.keys(outDefs).length > 0) out.$defs = outDefs;
  return { schema: out, addedNulls: converter.addedNulls };
}
