import { Ajv2020 } from 'ajv/dist/2020.js';
import { zodFunction } from 'openai/helpers/zod';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type CorpusEntry, type OpenAIComparison, schemaCorpus } from '../test/schema-corpus.js';
import { strictModeViolations } from '../test/strict-mode-rules.js';
import { defineTool } from './define-tool.js';
import { toJsonSchema } from './to-json-schema.js';
import { StrictSchemaError } from './tool-errors.js';

/** The helper's output made comparable: no `$schema`, `const` as a one-value `enum`, keys sorted. */
function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalize);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (key === '$schema') continue;
    if (key === 'const') out.enum = [item];
    else out[key] = normalize(item);
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function openaiStrict(schema: unknown): { ok: true; schema: unknown } | { ok: false; message: string } {
  try {
    return {
      ok: true,
      schema: zodFunction({ name: 'corpus', parameters: schema as never }).function.parameters,
    };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}

function checkAgainstOpenAI(ours: unknown, schema: unknown, comparison: OpenAIComparison): void {
  const theirs = openaiStrict(schema);
  if (comparison === 'same') {
    expect(theirs.ok).toBe(true);
    if (theirs.ok) expect(normalize(ours)).toEqual(normalize(theirs.schema));
  } else if ('refuses' in comparison) {
    expect(theirs.ok).toBe(false);
  } else if ('differs' in comparison) {
    expect(theirs.ok).toBe(true);
    if (theirs.ok) expect(normalize(ours)).not.toEqual(normalize(theirs.schema));
  } else {
    // We refuse; the helper sends a schema, and the documented rules say it is not strict-valid.
    expect(theirs.ok).toBe(true);
    if (theirs.ok) expect(strictModeViolations(normalize(theirs.schema)).length).toBeGreaterThan(0);
  }
}

const ajv = new Ajv2020({ strict: false, validateFormats: false });

describe.each(
  schemaCorpus.flatMap((entry) => [
    { entry, version: 'v4' as const },
    { entry, version: 'v3' as const },
  ]),
)(
  'schema corpus: $entry.name ($version)',
  ({ entry, version }: { entry: CorpusEntry; version: 'v4' | 'v3' }) => {
    const schema = entry[version];

    it('converts in non-strict mode to an object schema', () => {
      const loose = toJsonSchema(schema);
      expect(loose.type).toBe('object');
      expect(loose.$schema).toBeUndefined();
    });

    if (entry.strictRefusal) {
      const refusal = entry.strictRefusal;
      it(`is refused in strict mode, naming "${refusal.field}"`, () => {
        let caught: unknown;
        try {
          toJsonSchema(schema, { strict: true });
        } catch (error) {
          caught = error;
        }
        expect(caught).toBeInstanceOf(StrictSchemaError);
        expect(caught).toMatchObject({ field: refusal.field, keyword: refusal.keyword });
        expect((caught as Error).message).toContain(`"${refusal.field}"`);
      });
    } else {
      it('converts in strict mode to a schema that follows every documented rule', () => {
        expect(strictModeViolations(toJsonSchema(schema, { strict: true }))).toEqual([]);
      });
    }

    it(`compares with the openai package's zodFunction as recorded (${JSON.stringify(entry.openai[version])})`, () => {
      const ours = entry.strictRefusal ? undefined : toJsonSchema(schema, { strict: true });
      checkAgainstOpenAI(ours, schema, entry.openai[version]);
    });

    if (entry.roundTrip) {
      const { modelArgs, expected } = entry.roundTrip;
      it('accepts what a strict-mode model sends and hands the tool the schema-valid arguments', () => {
        const tool = defineTool({ name: 'corpus', parameters: schema, strict: true, execute: () => 'ok' });
        expect(ajv.validate(tool.jsonSchema, modelArgs)).toBe(true);
        expect(tool.parse(JSON.stringify(modelArgs))).toEqual({ ok: true, value: expected, repairs: [] });
      });
    }
  },
);

describe('toJsonSchema', () => {
  it('has at least 30 corpus schemas, each in zod 4 and zod 3', () => {
    expect(schemaCorpus.length).toBeGreaterThanOrEqual(30);
  });

  it('caches conversions per schema and freezes them', () => {
    const schema = z.object({ a: z.string().optional() });
    expect(toJsonSchema(schema)).toBe(toJsonSchema(schema));
    expect(toJsonSchema(schema, { strict: true })).toBe(toJsonSchema(schema, { strict: true }));
    expect(Object.isFrozen(toJsonSchema(schema, { strict: true }).properties)).toBe(true);
  });

  it('non-strict mode keeps descriptions, defaults and formats', () => {
    const schema = z.object({
      link: z.url().describe('Where'),
      count: z.number().default(3),
      title: z.string().min(1),
    });
    expect(toJsonSchema(schema).properties).toMatchObject({
      link: { type: 'string', format: 'uri', description: 'Where' },
      count: { type: 'number', default: 3 },
      title: { type: 'string', minLength: 1 },
    });
  });

  it("strict mode with unsupportedConstraints: 'describe' moves them into the description", () => {
    const schema = z.object({ title: z.string().min(1).max(80).describe('Title'), link: z.url() });
    const strict = toJsonSchema(schema, { strict: true, unsupportedConstraints: 'describe' });
    expect(strict.properties).toEqual({
      title: { type: 'string', description: 'Title (minLength: 1; maxLength: 80)' },
      link: { type: 'string', description: expect.stringContaining('format: "uri"') },
    });
    expect(strictModeViolations(strict)).toEqual([]);
    const tool = defineTool({
      name: 't',
      parameters: schema,
      strict: true,
      unsupportedConstraints: 'describe',
      execute: () => 'ok',
    });
    expect(tool.parse('{"title":"","link":"https://example.com"}').ok).toBe(false);
  });

  it('detects zod 4 before zod 3 (zod-to-json-schema yields {} for a zod 4 object)', () => {
    expect(toJsonSchema(z.object({ a: z.string() })).properties).toEqual({ a: { type: 'string' } });
  });
});
