import type { StandardSchemaV1 } from '@standard-schema/spec';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { z as z3 } from 'zod/v3';
import { defineTool } from './define-tool.js';
import { isStrictSchemaError, isToolDefinitionError, ToolArgumentsError } from './tool-errors.js';

const noop = () => 'ok';

describe('defineTool', () => {
  it('builds the wire definition from a zod 4 schema and infers the argument type', () => {
    const tool = defineTool({
      name: 'get_weather',
      description: 'Weather for a city',
      parameters: z.object({ city: z.string().describe('City name'), days: z.number().int().optional() }),
      execute: (args) => {
        expectTypeOf(args).toEqualTypeOf<{ city: string; days?: number | undefined }>();
        return args.city;
      },
    });
    expect(tool.definition).toEqual({
      type: 'function',
      function: {
        name: 'get_weather',
        description: 'Weather for a city',
        parameters: {
          type: 'object',
          properties: {
            city: { type: 'string', description: 'City name' },
            days: { type: 'integer', minimum: -9007199254740991, maximum: 9007199254740991 },
          },
          required: ['city'],
        },
      },
    });
    expect(tool.strict).toBe(false);
  });

  it('accepts zod 3 schemas (zod/v3) and infers their type', () => {
    const tool = defineTool({
      name: 'add',
      parameters: z3.object({ a: z3.number(), b: z3.number().default(1) }),
      execute: (args) => {
        expectTypeOf(args).toEqualTypeOf<{ a: number; b: number }>();
        return args.a + args.b;
      },
    });
    expect(tool.jsonSchema.properties).toEqual({ a: { type: 'number' }, b: { type: 'number', default: 1 } });
    expect(tool.parse('{"a":2}')).toEqual({ ok: true, value: { a: 2, b: 1 }, repairs: [] });
  });

  it('accepts a plain JSON Schema, validated with ajv', () => {
    const tool = defineTool({
      name: 'lookup',
      parameters: {
        type: 'object',
        properties: { id: { type: 'string' }, limit: { type: 'integer', default: 10 } },
        required: ['id'],
        additionalProperties: false,
      },
      execute: noop,
    });
    expect(tool.parse('{"id":"x"}')).toEqual({ ok: true, value: { id: 'x', limit: 10 }, repairs: [] });
    const bad = tool.parse('{"limit":"many","extra":1}');
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.error.issues.map((issue) => issue.path.join('.'))).toEqual(
      expect.arrayContaining(['id', 'extra', 'limit']),
    );
  });

  it('accepts a Standard Schema with a JSON Schema, including async validation through parseAsync', async () => {
    const schema: StandardSchemaV1<{ q: string }> & {
      '~standard': {
        jsonSchema: { input: () => Record<string, unknown>; output: () => Record<string, unknown> };
      };
    } = {
      '~standard': {
        version: 1,
        vendor: 'test',
        validate: async (value) =>
          typeof (value as { q?: unknown }).q === 'string'
            ? { value: value as { q: string } }
            : { issues: [{ message: 'q must be a string', path: [{ key: 'q' }] }] },
        jsonSchema: {
          input: () => ({ type: 'object', properties: { q: { type: 'string' } }, required: ['q'] }),
          output: () => ({ type: 'object' }),
        },
      },
    };
    const tool = defineTool({ name: 'search', parameters: schema, execute: (args) => args.q });
    expect(tool.jsonSchema).toEqual({
      type: 'object',
      properties: { q: { type: 'string' } },
      required: ['q'],
    });
    expect(await tool.parseAsync('{"q":"cats"}')).toEqual({ ok: true, value: { q: 'cats' }, repairs: [] });
    const bad = await tool.parseAsync('{"q":1}');
    expect(bad.ok ? [] : bad.error.issues).toEqual([{ path: ['q'], message: 'q must be a string' }]);
    const sync = tool.parse('{"q":"cats"}');
    expect(sync.ok ? '' : sync.error.message).toContain('parseAsync');
  });

  it('refuses invalid names, a missing execute, non-object schemas and bad timeouts', () => {
    const catchError = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return error;
      }
      throw new Error('expected a throw');
    };
    for (const name of ['', 'has space', 'x'.repeat(65), 'dot.name']) {
      expect(
        isToolDefinitionError(
          catchError(() => defineTool({ name, parameters: z.object({}), execute: noop })),
        ),
      ).toBe(true);
    }
    expect(
      isToolDefinitionError(
        catchError(() => defineTool({ name: 'a', parameters: z.string(), execute: noop })),
      ),
    ).toBe(true);
    expect(
      isToolDefinitionError(
        catchError(() => defineTool({ name: 'a', parameters: z.object({}), execute: undefined as never })),
      ),
    ).toBe(true);
    expect(
      isToolDefinitionError(
        catchError(() => defineTool({ name: 'a', parameters: z.object({}), execute: noop, timeoutMs: 0 })),
      ),
    ).toBe(true);
  });

  it('strict mode: optional fields are sent nullable, and a null from the model means "absent"', () => {
    const tool = defineTool({
      name: 'book',
      parameters: z.object({
        room: z.string(),
        note: z.string().optional(),
        floor: z.number().nullable(),
        size: z.enum(['s', 'm']).default('m'),
      }),
      strict: true,
      execute: noop,
    });
    expect(tool.definition.function.strict).toBe(true);
    expect(tool.jsonSchema.required).toEqual(['room', 'note', 'floor', 'size']);
    expect(tool.jsonSchema.additionalProperties).toBe(false);
    expect(tool.parse('{"room":"a","note":null,"floor":null,"size":null}')).toEqual({
      ok: true,
      value: { room: 'a', floor: null, size: 'm' },
      repairs: [],
    });
  });

  it('strict mode refuses what it cannot express, naming the field', () => {
    try {
      defineTool({
        name: 'a',
        parameters: z.object({ tags: z.record(z.string(), z.string()) }),
        strict: true,
        execute: noop,
      });
      expect.unreachable();
    } catch (error) {
      expect(isStrictSchemaError(error)).toBe(true);
      expect((error as Error).message).toContain('"tags"');
    }
  });

  it('parse: malformed JSON and schema failures become ToolArgumentsError with a model-readable message', () => {
    const tool = defineTool({
      name: 'move',
      parameters: z.object({
        to: z.object({ x: z.number(), y: z.number() }),
        speed: z.enum(['slow', 'fast']),
      }),
      execute: noop,
    });
    const malformed = tool.parse('{"to": {"x": 1');
    expect(malformed.ok).toBe(false);
    if (malformed.ok) return;
    expect(malformed.error).toBeInstanceOf(ToolArgumentsError);
    expect(malformed.error.reason).toBe('malformed_json');
    expect(malformed.error.message).toContain('not valid JSON');
    expect(malformed.error.message).toContain('to: object');
    const invalid = tool.parse('{"to":{"x":"1"},"speed":"warp"}');
    expect(invalid.ok).toBe(false);
    if (invalid.ok) return;
    expect(invalid.error.reason).toBe('invalid_arguments');
    expect(invalid.error.issues.map((issue) => issue.path)).toEqual([['to', 'x'], ['to', 'y'], ['speed']]);
    expect(invalid.error.message.split('\n')).toEqual([
      'Error: invalid arguments for tool "move":',
      expect.stringMatching(/^- to\.x: .*expected number/),
      expect.stringMatching(/^- to\.y: /),
      expect.stringMatching(/^- speed: /),
      'Expected arguments: { to: object, speed: "slow" | "fast" }',
      'Fix the arguments and call the tool again.',
    ]);
  });

  it('needsApproval: a boolean or a function of the arguments', async () => {
    const context = {
      toolCallId: 'c',
      toolName: 'pay',
      signal: new AbortController().signal,
      idempotencyKey: 'c',
      context: undefined,
    };
    const fixed = defineTool({
      name: 'pay',
      parameters: z.object({ usd: z.number() }),
      execute: noop,
      needsApproval: true,
    });
    expect(await fixed.needsApproval({ usd: 1 }, context)).toBe(true);
    const byAmount = defineTool({
      name: 'pay',
      parameters: z.object({ usd: z.number() }),
      execute: noop,
      needsApproval: async (args) => args.usd > 100,
    });
    expect(await byAmount.needsApproval({ usd: 5 }, context)).toBe(false);
    expect(await byAmount.needsApproval({ usd: 500 }, context)).toBe(true);
    const none = defineTool({ name: 'pay', parameters: z.object({}), execute: noop });
    expect(await none.needsApproval({}, context)).toBe(false);
  });

  it('execute turns a synchronous throw into a rejection', async () => {
    const tool = defineTool({
      name: 'boom',
      parameters: z.object({}),
      execute: () => {
        throw new Error('sync');
      },
    });
    const context = {
      toolCallId: 'c',
      toolName: 'boom',
      signal: new AbortController().signal,
      idempotencyKey: 'c',
      context: 1,
    };
    await expect(tool.execute({}, context)).rejects.toThrow('sync');
  });
});

describe('defineTool: async validation', () => {
  it('parseAsync validates zod schemas with async refinements (zod 4 and zod 3)', async () => {
    const taken = new Set(['alice']);
    const v4 = defineTool({
      name: 'signup',
      parameters: z.object({ user: z.string().refine(async (name) => !taken.has(name), 'name taken') }),
      execute: noop,
    });
    const v3 = defineTool({
      name: 'signup',
      parameters: z3.object({ user: z3.string().refine(async (name) => !taken.has(name), 'name taken') }),
      execute: noop,
    });
    for (const tool of [v4, v3]) {
      expect(await tool.parseAsync('{"user":"bob"}')).toEqual({
        ok: true,
        value: { user: 'bob' },
        repairs: [],
      });
      const taken = await tool.parseAsync('{"user":"alice"}');
      expect(taken.ok ? [] : taken.error.issues).toEqual([{ path: ['user'], message: 'name taken' }]);
      expect(tool.parse('{"user":"bob"}').ok).toBe(false);
    }
  });
});
