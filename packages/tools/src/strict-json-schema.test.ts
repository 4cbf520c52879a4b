import type { JsonSchema } from '@chatloop/protocol';
import { describe, expect, it } from 'vitest';
import { strictModeViolations } from '../test/strict-mode-rules.js';
import { STRICT_SCHEMA_LIMITS, toStrictJsonSchema } from './strict-json-schema.js';
import { stripAddedNulls } from './strip-added-nulls.js';
import { StrictSchemaError } from './tool-errors.js';

function refusal(schema: JsonSchema): StrictSchemaError {
  try {
    toStrictJsonSchema(schema);
  } catch (error) {
    if (error instanceof StrictSchemaError) return error;
    throw error;
  }
  throw new Error('expected a StrictSchemaError');
}

const object = (properties: Record<string, unknown>): JsonSchema => ({
  type: 'object',
  properties,
  required: Object.keys(properties),
});

describe('toStrictJsonSchema', () => {
  it.each([
    ['allOf', { allOf: [{ type: 'object' }, { type: 'object' }] }, 'allOf'],
    ['not', { type: 'string', not: { enum: ['x'] } }, 'not'],
    [
      'if/then/else',
      { type: 'string', if: { minLength: 1 }, ...Object.fromEntries([['then', {}]]), else: {} },
      'if',
    ],
    [
      'patternProperties',
      { type: 'object', patternProperties: { '^x': { type: 'string' } } },
      'additionalProperties',
    ],
    ['a record', { type: 'object', additionalProperties: { type: 'number' } }, 'additionalProperties'],
    [
      'an open object',
      { type: 'object', properties: {}, additionalProperties: true },
      'additionalProperties',
    ],
    ['a draft-07 tuple', { type: 'array', items: [{ type: 'string' }] }, 'items'],
    ['an array without items', { type: 'array' }, 'items'],
    ['uniqueItems', { type: 'array', items: { type: 'string' }, uniqueItems: true }, 'uniqueItems'],
    ['maxLength', { type: 'string', maxLength: 3 }, 'maxLength'],
    ['an unsupported format', { type: 'string', format: 'uri' }, 'format'],
    ['an untyped field', {}, 'type'],
    ['a boolean schema', true, 'type'],
    ['an unknown keyword', { type: 'string', contentEncoding: 'base64' }, 'contentEncoding'],
    ['a dangling $ref', { $ref: '#/$defs/Missing' }, '$ref'],
    ['an object enum value', { enum: [{ a: 1 }] }, 'enum'],
  ])('refuses %s, naming the field and keyword', (_label, field, keyword) => {
    const error = refusal(object({ the_field: field }));
    expect(error.field).toBe('the_field');
    expect(error.keyword).toBe(keyword);
    expect(error.code).toBe('tool_schema_unsupported');
    expect(error.message).toContain('"the_field"');
  });

  it('names nested fields with dots and [] for array items', () => {
    const error = refusal(
      object({
        order: object({
          lines: { type: 'array', items: object({ note: { type: 'string', minLength: 1 } }) },
        }),
      }),
    );
    expect(error.field).toBe('order.lines[].note');
  });

  it('refuses a root that is not a plain object, and an external $ref', () => {
    expect(refusal({ anyOf: [{ type: 'object' }] }).field).toBe('(root)');
    expect(refusal({ type: 'string' }).field).toBe('(root)');
    expect(refusal(object({ a: { $ref: 'https://example.com/schema.json' } })).keyword).toBe('$ref');
  });

  it('enforces the documented size limits', () => {
    let deep: JsonSchema = object({ leaf: { type: 'string' } });
    for (let i = 0; i < STRICT_SCHEMA_LIMITS.maxNestingDepth; i++) deep = object({ [`level${i}`]: deep });
    expect(refusal(deep).message).toContain('nest at most 10 levels');

    const many = Object.fromEntries(Array.from({ length: 5001 }, (_, i) => [`p${i}`, { type: 'string' }]));
    expect(refusal(object(many)).message).toContain('5000 object properties');

    const values = Array.from({ length: 1001 }, (_, i) => `v${i}`);
    expect(refusal(object({ e: { type: 'string', enum: values } })).message).toContain('1000 enum values');

    const long = Array.from({ length: 260 }, (_, i) => `${'x'.repeat(60)}${i}`);
    expect(refusal(object({ e: { type: 'string', enum: long } })).message).toContain('15000 characters');
  });

  it('rewrites what strict mode spells differently, and drops annotations', () => {
    const input: JsonSchema = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      title: 'Args',
      type: 'object',
      properties: {
        kind: { const: 'a', title: 'Kind' },
        value: { oneOf: [{ type: 'string' }, { type: 'number' }], examples: ['x'] },
        node: { $ref: '#/definitions/Node' },
        size: { type: 'integer', default: 2, description: 'How many' },
      },
      required: ['kind', 'value', 'node'],
      definitions: {
        Node: { type: 'object', properties: { next: { $ref: '#/definitions/Node' } } },
      },
    };
    const before = structuredClone(input);
    const { schema } = toStrictJsonSchema(input);
    expect(input).toEqual(before);
    expect(schema).toEqual({
      type: 'object',
      properties: {
        kind: { enum: ['a'] },
        value: { anyOf: [{ type: 'string' }, { type: 'number' }] },
        node: { $ref: '#/$defs/Node' },
        size: { type: ['integer', 'null'], description: 'How many (default: 2)' },
      },
      required: ['kind', 'value', 'node', 'size'],
      additionalProperties: false,
      $defs: {
        Node: {
          type: 'object',
          properties: { next: { anyOf: [{ $ref: '#/$defs/Node' }, { type: 'null' }] } },
          required: ['next'],
          additionalProperties: false,
        },
      },
    });
    expect(strictModeViolations(schema)).toEqual([]);
  });

  it('moves path references (zod 3 style) under $defs', () => {
    const { schema } = toStrictJsonSchema({
      type: 'object',
      properties: {
        home: object({ city: { type: 'string' } }),
        work: { $ref: '#/properties/home' },
      },
      required: ['home', 'work'],
    });
    expect(schema.properties).toMatchObject({ work: { $ref: '#/$defs/home' } });
    expect(strictModeViolations(schema)).toEqual([]);
  });

  it('makes optional enums, refs and unions nullable the way each needs', () => {
    const { schema } = toStrictJsonSchema({
      type: 'object',
      properties: {
        unit: { type: 'string', enum: ['c', 'f'] },
        id: { anyOf: [{ type: 'string' }, { type: 'number' }] },
        me: { $ref: '#' },
        kept: { type: ['string', 'null'] },
      },
    });
    expect(schema.properties).toEqual({
      unit: { type: ['string', 'null'], enum: ['c', 'f', null] },
      id: { anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'null' }] },
      me: { anyOf: [{ $ref: '#' }, { type: 'null' }] },
      kept: { type: ['string', 'null'] },
    });
  });
});

describe('stripAddedNulls', () => {
  it('removes only the nulls the conversion added, through refs, arrays and unions', () => {
    const strict = toStrictJsonSchema({
      type: 'object',
      properties: {
        a: { type: 'string' },
        b: { type: ['string', 'null'] },
        list: { type: 'array', items: { $ref: '#/$defs/Item' } },
        pick: {
          anyOf: [
            {
              type: 'object',
              properties: { kind: { const: 'x' }, x: { type: 'number' } },
              required: ['kind'],
            },
            {
              type: 'object',
              properties: { kind: { const: 'y' }, y: { type: 'number' } },
              required: ['kind'],
            },
          ],
        },
      },
      required: ['list', 'pick'],
      $defs: { Item: { type: 'object', properties: { note: { type: 'string' } } } },
    });
    const value = { a: null, b: null, list: [{ note: null }, { note: 'n' }], pick: { kind: 'y', y: null } };
    expect(stripAddedNulls(value, strict)).toEqual({
      b: null,
      list: [{}, { note: 'n' }],
      pick: { kind: 'y' },
    });
  });
});
