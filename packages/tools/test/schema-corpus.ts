import { z } from 'zod';
import { z as z3 } from 'zod/v3';

/** How the official `openai` package's `zodFunction` helper compares with our strict output. */
export type OpenAIComparison =
  /** Equal after dropping `$schema` and writing `const` as a one-value `enum`. */
  | 'same'
  /** The helper refuses the schema; why. */
  | { refuses: string }
  /** Both produce a schema, and they differ; why. */
  | { differs: string }
  /** We refuse the schema in strict mode, the helper sends one (that breaks the documented rules); why. */
  | { accepts: string };

/** One schema of the conversion corpus, written in zod 4 and in zod 3. */
export interface CorpusEntry {
  readonly name: string;
  readonly v4: z.ZodType;
  readonly v3: z3.ZodTypeAny;
  /** Set when strict mode cannot express the schema: the field and keyword our error must name. */
  readonly strictRefusal?: { field: string; keyword: string };
  /** The official helper's behaviour for the zod 4 and zod 3 versions. */
  readonly openai: { v4: OpenAIComparison; v3: OpenAIComparison };
  /** What a strict-mode model sends, and the arguments the tool must receive. */
  readonly roundTrip?: { modelArgs: Record<string, unknown>; expected: Record<string, unknown> };
}

const OPTIONAL_REFUSED = {
  refuses:
    'it refuses .optional() without .nullable(); we send it as nullable and turn null back into absent',
};
const CONST_AS_ENUM = 'same';
const V3_DEFINITIONS = {
  differs:
    'the helper (its vendored zod-to-json-schema) puts shared types under "definitions" and also adds the whole root as a definition; we use "$defs" with only the shared type',
};

enum Color {
  Red = 'red',
  Green = 'green',
}

const v4Tree: z.ZodType = z.lazy(() => z.object({ label: z.string(), children: z.array(v4Tree) }));
const v3Tree: z3.ZodTypeAny = z3.lazy(() => z3.object({ label: z3.string(), children: z3.array(v3Tree) }));
const v4Address = z.object({ street: z.string(), city: z.string() });
const v3Address = z3.object({ street: z3.string(), city: z3.string() });

/** At least 30 schemas: objects, nesting, optionals, nullables, enums, unions, records, tuples, dates, defaults, recursion. */
export const schemaCorpus: readonly CorpusEntry[] = [
  {
    name: 'flat primitives',
    v4: z.object({ s: z.string(), n: z.number(), b: z.boolean() }),
    v3: z3.object({ s: z3.string(), n: z3.number(), b: z3.boolean() }),
    openai: { v4: 'same', v3: 'same' },
    roundTrip: { modelArgs: { s: 'a', n: 1.5, b: true }, expected: { s: 'a', n: 1.5, b: true } },
  },
  {
    name: 'integer with bounds and multipleOf',
    v4: z.object({ n: z.number().int().min(0).max(100).multipleOf(5) }),
    v3: z3.object({ n: z3.number().int().min(0).max(100).multipleOf(5) }),
    openai: { v4: 'same', v3: 'same' },
    roundTrip: { modelArgs: { n: 15 }, expected: { n: 15 } },
  },
  {
    name: 'exclusive number bounds',
    v4: z.object({ ratio: z.number().gt(0).lt(1) }),
    v3: z3.object({ ratio: z3.number().gt(0).lt(1) }),
    openai: { v4: 'same', v3: 'same' },
  },
  {
    name: 'nested object',
    v4: z.object({ user: z.object({ name: z.string(), age: z.number() }) }),
    v3: z3.object({ user: z3.object({ name: z3.string(), age: z3.number() }) }),
    openai: { v4: 'same', v3: 'same' },
  },
  {
    name: 'three levels of nesting',
    v4: z.object({ a: z.object({ b: z.object({ c: z.object({ d: z.string() }) }) }) }),
    v3: z3.object({ a: z3.object({ b: z3.object({ c: z3.object({ d: z3.string() }) }) }) }),
    openai: { v4: 'same', v3: 'same' },
  },
  {
    name: 'optional fields',
    v4: z.object({ q: z.string(), limit: z.number().optional() }),
    v3: z3.object({ q: z3.string(), limit: z3.number().optional() }),
    openai: { v4: OPTIONAL_REFUSED, v3: OPTIONAL_REFUSED },
    roundTrip: { modelArgs: { q: 'x', limit: null }, expected: { q: 'x' } },
  },
  {
    name: 'nullable fields',
    v4: z.object({ note: z.string().nullable(), owner: z.object({ id: z.string() }).nullable() }),
    v3: z3.object({ note: z3.string().nullable(), owner: z3.object({ id: z3.string() }).nullable() }),
    openai: {
      v4: 'same',
      v3: {
        differs:
          'for a nullable primitive the helper emits OpenAPI "nullable: true"; we emit type ["string","null"]',
      },
    },
    roundTrip: { modelArgs: { note: null, owner: null }, expected: { note: null, owner: null } },
  },
  {
    name: 'nullish (optional and nullable) keeps null',
    v4: z.object({ tag: z.string().nullish() }),
    v3: z3.object({ tag: z3.string().nullish() }),
    openai: {
      v4: 'same',
      v3: { differs: 'the helper emits OpenAPI "nullable: true"; we emit type ["string","null"]' },
    },
    roundTrip: { modelArgs: { tag: null }, expected: { tag: null } },
  },
  {
    name: 'optional nested object',
    v4: z.object({ filter: z.object({ from: z.string(), to: z.string().optional() }).optional() }),
    v3: z3.object({ filter: z3.object({ from: z3.string(), to: z3.string().optional() }).optional() }),
    openai: { v4: OPTIONAL_REFUSED, v3: OPTIONAL_REFUSED },
    roundTrip: {
      modelArgs: { filter: { from: 'a', to: null } },
      expected: { filter: { from: 'a' } },
    },
  },
  {
    name: 'string enum',
    v4: z.object({ unit: z.enum(['c', 'f']) }),
    v3: z3.object({ unit: z3.enum(['c', 'f']) }),
    openai: { v4: 'same', v3: 'same' },
  },
  {
    name: 'native TypeScript enum',
    v4: z.object({ color: z.enum(Color) }),
    v3: z3.object({ color: z3.nativeEnum(Color) }),
    openai: { v4: 'same', v3: 'same' },
  },
  {
    name: 'nullable enum',
    v4: z.object({ size: z.enum(['s', 'm', 'l']).nullable() }),
    v3: z3.object({ size: z3.enum(['s', 'm', 'l']).nullable() }),
    openai: { v4: 'same', v3: 'same' },
  },
  {
    name: 'literals',
    v4: z.object({ kind: z.literal('point'), version: z.literal(2) }),
    v3: z3.object({ kind: z3.literal('point'), version: z3.literal(2) }),
    openai: { v4: CONST_AS_ENUM, v3: CONST_AS_ENUM },
  },
  {
    name: 'union of primitives',
    v4: z.object({ id: z.union([z.string(), z.number()]) }),
    v3: z3.object({ id: z3.union([z3.string(), z3.number()]) }),
    openai: { v4: 'same', v3: 'same' },
  },
  {
    name: 'union of objects',
    v4: z.object({ target: z.union([z.object({ email: z.string() }), z.object({ phone: z.string() })]) }),
    v3: z3.object({
      target: z3.union([z3.object({ email: z3.string() }), z3.object({ phone: z3.string() })]),
    }),
    openai: { v4: 'same', v3: 'same' },
    roundTrip: { modelArgs: { target: { phone: '1' } }, expected: { target: { phone: '1' } } },
  },
  {
    name: 'discriminated union',
    v4: z.object({
      shape: z.discriminatedUnion('type', [
        z.object({ type: z.literal('circle'), radius: z.number() }),
        z.object({ type: z.literal('rect'), w: z.number(), h: z.number() }),
      ]),
    }),
    v3: z3.object({
      shape: z3.discriminatedUnion('type', [
        z3.object({ type: z3.literal('circle'), radius: z3.number() }),
        z3.object({ type: z3.literal('rect'), w: z3.number(), h: z3.number() }),
      ]),
    }),
    openai: { v4: CONST_AS_ENUM, v3: CONST_AS_ENUM },
    roundTrip: {
      modelArgs: { shape: { type: 'rect', w: 1, h: 2 } },
      expected: { shape: { type: 'rect', w: 1, h: 2 } },
    },
  },
  {
    name: 'discriminated union with optional fields per variant',
    v4: z.object({
      event: z.discriminatedUnion('kind', [
        z.object({ kind: z.literal('click'), x: z.number().optional() }),
        z.object({ kind: z.literal('key'), code: z.string().optional() }),
      ]),
    }),
    v3: z3.object({
      event: z3.discriminatedUnion('kind', [
        z3.object({ kind: z3.literal('click'), x: z3.number().optional() }),
        z3.object({ kind: z3.literal('key'), code: z3.string().optional() }),
      ]),
    }),
    openai: { v4: OPTIONAL_REFUSED, v3: OPTIONAL_REFUSED },
    roundTrip: { modelArgs: { event: { kind: 'key', code: null } }, expected: { event: { kind: 'key' } } },
  },
  {
    name: 'array of strings with item limits',
    v4: z.object({ tags: z.array(z.string()).min(1).max(5) }),
    v3: z3.object({ tags: z3.array(z3.string()).min(1).max(5) }),
    openai: { v4: 'same', v3: 'same' },
  },
  {
    name: 'array of objects',
    v4: z.object({ items: z.array(z.object({ sku: z.string(), qty: z.number().int() })) }),
    v3: z3.object({ items: z3.array(z3.object({ sku: z3.string(), qty: z3.number().int() })) }),
    openai: { v4: 'same', v3: 'same' },
  },
  {
    name: 'array of unions',
    v4: z.object({ values: z.array(z.union([z.string(), z.boolean()])) }),
    v3: z3.object({ values: z3.array(z3.union([z3.string(), z3.boolean()])) }),
    openai: { v4: 'same', v3: 'same' },
  },
  {
    name: 'array of optional-field objects',
    v4: z.object({ rows: z.array(z.object({ k: z.string(), v: z.string().optional() })) }),
    v3: z3.object({ rows: z3.array(z3.object({ k: z3.string(), v: z3.string().optional() })) }),
    openai: { v4: OPTIONAL_REFUSED, v3: OPTIONAL_REFUSED },
    roundTrip: {
      modelArgs: {
        rows: [
          { k: 'a', v: null },
          { k: 'b', v: 'c' },
        ],
      },
      expected: { rows: [{ k: 'a' }, { k: 'b', v: 'c' }] },
    },
  },
  {
    name: 'record',
    v4: z.object({ scores: z.record(z.string(), z.number()) }),
    v3: z3.object({ scores: z3.record(z3.string(), z3.number()) }),
    strictRefusal: { field: 'scores', keyword: 'additionalProperties' },
    openai: {
      v4: { refuses: 'same refusal' },
      v3: { accepts: 'the helper sends additionalProperties: { type: number }' },
    },
  },
  {
    name: 'tuple',
    v4: z.object({ point: z.tuple([z.number(), z.number()]) }),
    v3: z3.object({ point: z3.tuple([z3.number(), z3.number()]) }),
    strictRefusal: { field: 'point', keyword: 'items' },
    openai: { v4: { refuses: 'same refusal' }, v3: { accepts: 'the helper sends tuple-form items: [...]' } },
  },
  {
    name: 'date (coerced from an ISO string)',
    v4: z.object({ at: z.coerce.date() }),
    v3: z3.object({ at: z3.coerce.date() }),
    openai: {
      v4: { refuses: 'zod 4 cannot represent a Date in JSON Schema; we send an ISO date-time string' },
      v3: 'same',
    },
    roundTrip: {
      modelArgs: { at: '2026-01-02T03:04:05.000Z' },
      expected: { at: new Date('2026-01-02T03:04:05.000Z') },
    },
  },
  {
    name: 'defaults',
    v4: z.object({ page: z.number().default(1), sort: z.enum(['asc', 'desc']).default('asc') }),
    v3: z3.object({ page: z3.number().default(1), sort: z3.enum(['asc', 'desc']).default('asc') }),
    openai: {
      v4: {
        differs:
          'the helper describes the output type (defaults make fields required, "default" kept); we describe the input: nullable, default noted in the description',
      },
      v3: {
        differs:
          'the helper keeps "default" and requires the field; we make it nullable and note the default in the description',
      },
    },
    roundTrip: { modelArgs: { page: null, sort: 'desc' }, expected: { page: 1, sort: 'desc' } },
  },
  {
    name: 'recursion (tree)',
    v4: z.object({ root: v4Tree }),
    v3: z3.object({ root: v3Tree }),
    openai: {
      v4: {
        differs:
          'the helper asks zod for draft-07 and sends "definitions"; we send "$defs", the documented keyword',
      },
      v3: V3_DEFINITIONS,
    },
    roundTrip: {
      modelArgs: { root: { label: 'a', children: [{ label: 'b', children: [] }] } },
      expected: { root: { label: 'a', children: [{ label: 'b', children: [] }] } },
    },
  },
  {
    name: 'shared sub-schema used twice',
    v4: z.object({ from: v4Address, to: v4Address }),
    v3: z3.object({ from: v3Address, to: v3Address }),
    openai: { v4: 'same', v3: V3_DEFINITIONS },
  },
  {
    name: 'descriptions',
    v4: z.object({ city: z.string().describe('City name, e.g. Paris') }).describe('Weather query'),
    v3: z3.object({ city: z3.string().describe('City name, e.g. Paris') }).describe('Weather query'),
    openai: { v4: 'same', v3: 'same' },
  },
  {
    name: 'supported string formats',
    v4: z.object({ email: z.email(), id: z.uuid(), day: z.iso.date(), at: z.iso.datetime() }),
    v3: z3.object({
      email: z3.string().email(),
      id: z3.string().uuid(),
      day: z3.string().date(),
      at: z3.string().datetime(),
    }),
    openai: { v4: 'same', v3: 'same' },
  },
  {
    name: 'regex pattern',
    v4: z.object({ code: z.string().regex(/^[A-Z]{3}$/) }),
    v3: z3.object({ code: z3.string().regex(/^[A-Z]{3}$/) }),
    openai: { v4: 'same', v3: 'same' },
  },
  {
    name: 'unsupported format (url)',
    v4: z.object({ link: z.url() }),
    v3: z3.object({ link: z3.string().url() }),
    strictRefusal: { field: 'link', keyword: 'format' },
    openai: {
      v4: { accepts: 'the helper sends format "uri", which is not in the documented list' },
      v3: { accepts: 'the helper sends format "uri", which is not in the documented list' },
    },
  },
  {
    name: 'string length limits',
    v4: z.object({ title: z.string().min(1).max(80) }),
    v3: z3.object({ title: z3.string().min(1).max(80) }),
    strictRefusal: { field: 'title', keyword: 'minLength' },
    openai: {
      v4: { accepts: 'the helper sends minLength/maxLength, which are not in the documented list' },
      v3: { accepts: 'the helper sends minLength/maxLength, which are not in the documented list' },
    },
  },
  {
    name: 'untyped field (unknown)',
    v4: z.object({ payload: z.unknown() }),
    v3: z3.object({ payload: z3.unknown() }),
    strictRefusal: { field: 'payload', keyword: 'type' },
    openai: {
      v4: { accepts: 'the helper sends an untyped {}' },
      v3: { accepts: 'the helper sends an untyped {}' },
    },
  },
  {
    name: 'object with arbitrary extra keys (passthrough)',
    v4: z.object({ meta: z.looseObject({ id: z.string() }) }),
    v3: z3.object({ meta: z3.object({ id: z3.string() }).passthrough() }),
    strictRefusal: { field: 'meta', keyword: 'additionalProperties' },
    openai: {
      v4: { refuses: 'same refusal' },
      v3: { accepts: 'the helper sends additionalProperties: true' },
    },
  },
  {
    name: 'empty object',
    v4: z.object({}),
    v3: z3.object({}),
    openai: {
      v4: 'same',
      v3: { differs: 'the helper omits "required" when there is no property; we always send it' },
    },
    roundTrip: { modelArgs: {}, expected: {} },
  },
  {
    name: 'deep optional inside nullable inside array',
    v4: z.object({
      groups: z.array(
        z.object({
          name: z.string(),
          lead: z.object({ id: z.string(), nick: z.string().optional() }).nullable(),
        }),
      ),
    }),
    v3: z3.object({
      groups: z3.array(
        z3.object({
          name: z3.string(),
          lead: z3.object({ id: z3.string(), nick: z3.string().optional() }).nullable(),
        }),
      ),
    }),
    openai: { v4: OPTIONAL_REFUSED, v3: OPTIONAL_REFUSED },
    roundTrip: {
      modelArgs: {
        groups: [
          { name: 'g', lead: { id: '1', nick: null } },
          { name: 'h', lead: null },
        ],
      },
      expected: {
        groups: [
          { name: 'g', lead: { id: '1' } },
          { name: 'h', lead: null },
        ],
      },
    },
  },
];
