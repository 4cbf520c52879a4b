import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isExtractSchemaError } from './extract-errors.js';
import { isStrictJsonSchema, toObjectSchema } from './object-schema.js';

describe('toObjectSchema', () => {
  it('converts a zod 4 schema and validates with zod, issues carrying paths', () => {
    const schema = toObjectSchema(z.object({ name: z.string(), tags: z.array(z.string()) }), {
      name: 'person card',
    });
    expect(schema.name).toBe('person_card');
    expect(schema.jsonSchema).toMatchObject({
      type: 'object',
      required: ['name', 'tags'],
      additionalProperties: false,
    });
    expect(schema.jsonSchema.$schema).toBeUndefined();
    expect(schema.strict).toBe(true);
    expect(schema.validate({ name: 'Ada', tags: [] })).toEqual({
      ok: true,
      value: { name: 'Ada', tags: [] },
    });
    const bad = schema.validate({ name: 1, tags: ['x', 2] });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.issues.map((issue) => issue.path)).toEqual([['name'], ['tags', 1]]);
  });

  it('sends optional keys as required-and-nullable in strict mode, and drops those nulls before validation', () => {
    const schema = toObjectSchema(z.object({ a: z.string().optional(), b: z.string().nullable() }));
    expect(schema.strict).toBe(true);
    expect(schema.jsonSchema).toMatchObject({ required: ['a', 'b'], additionalProperties: false });
    expect(schema.validate({ a: null, b: null })).toEqual({ ok: true, value: { b: null } });
  });

  it('sends a schema strict mode cannot express as is, with strict false', () => {
    const schema = toObjectSchema(z.object({ counts: z.record(z.string(), z.number()) }));
    expect(schema.strict).toBe(false);
    expect(schema.validate({ counts: { a: 1 } }).ok).toBe(true);
  });

  it('converts zod 3 schemas too', async () => {
    const { z: z3 } = await import('zod/v3');
    const schema = toObjectSchema(z3.object({ name: z3.string() }));
    expect(schema.jsonSchema).toMatchObject({ type: 'object', required: ['name'] });
    expect(schema.validate({ name: 1 })).toMatchObject({ ok: false, issues: [{ path: ['name'] }] });
  });

  it('validates a JSON schema with Ajv, naming missing and extra properties', () => {
    const schema = toObjectSchema<{ a: string }>({
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: { a: { type: 'string' }, list: { type: 'array', items: { type: 'integer' } } },
      required: ['a'],
      additionalProperties: false,
    });
    expect(schema.jsonSchema.$schema).toBeUndefined();
    expect(schema.strict).toBe(true);
    expect(schema.validate({ a: 'x' }).ok).toBe(true);
    expect(schema.validate({ a: 'x', list: null })).toEqual({ ok: true, value: { a: 'x' } });
    const bad = schema.validate({ list: [1, 'x'], extra: 1 });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.issues).toEqual(
      expect.arrayContaining([
        { path: ['a'], message: expect.stringContaining('required') },
        { path: ['list', 1], message: expect.stringContaining('integer') },
        { path: [], message: expect.stringContaining('"extra"') },
      ]),
    );
  });

  it('refuses what is not a schema, and a JSON schema that does not compile', () => {
    expect(() => toObjectSchema('nope' as never)).toThrow(
      expect.objectContaining({ code: 'extract_schema' }),
    );
    try {
      toObjectSchema({ type: 'object', properties: { a: { type: 'no-such-type' } } });
      expect.unreachable();
    } catch (error) {
      expect(isExtractSchemaError(error)).toBe(true);
    }
  });
});

describe('isStrictJsonSchema', () => {
  it('requires closed objects with every key required, at every depth', () => {
    const inner = {
      type: 'object',
      properties: { b: { type: 'string' } },
      required: ['b'],
      additionalProperties: false,
    };
    expect(
      isStrictJsonSchema({
        type: 'object',
        properties: { a: inner },
        required: ['a'],
        additionalProperties: false,
      }),
    ).toBe(true);
    expect(
      isStrictJsonSchema({
        type: 'object',
        properties: { a: { ...inner, required: [] } },
        required: ['a'],
        additionalProperties: false,
      }),
    ).toBe(false);
  });
});
