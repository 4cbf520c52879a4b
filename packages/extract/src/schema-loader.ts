import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { safeJsonParse } from '@chatloop/protocol';
import { ExtractSchemaError } from './extract-errors.js';
import { type ObjectSchema, toObjectSchema } from './object-schema.js';

/**
 * Loads a schema named on the command line: `file.json` (a JSON schema), or `module.ts#name` /
 * `module.js#name` (a module's export, a zod schema or a JSON schema object; `default` without `#name`).
 * Relative paths resolve against `cwd`. TypeScript modules need a runtime that loads them (tsx, or Node
 * with type stripping).
 *
 * @throws ExtractSchemaError when the file cannot be read or imported, the export is missing, or it is
 *   not a usable schema.
 */
export async function loadSchema(
  spec: string,
  options: { cwd?: string; name?: string } = {},
): Promise<ObjectSchema<unknown>> {
  const hash = spec.lastIndexOf('#');
  const file = hash > 0 ? spec.slice(0, hash) : spec;
  const exportName = hash > 0 ? spec.slice(hash + 1) : 'default';
  const path = resolve(options.cwd ?? process.cwd(), file);
  const name = options.name ?? (hash > 0 ? exportName : undefined);
  const naming = name === undefined ? {} : { name };
  if (/\.json$/i.test(file)) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (cause) {
      throw new ExtractSchemaError(`Cannot read the schema file ${file}.`, { cause });
    }
    let value: unknown;
    try {
      value = safeJsonParse(text);
    } catch (cause) {
      throw new ExtractSchemaError(
        `The schema file ${file} is not valid JSON: ${cause instanceof Error ? cause.message : String(cause)}`,
        { cause },
      );
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new ExtractSchemaError(`The schema file ${file} must hold a JSON schema object.`);
    }
    return toObjectSchema(value as Record<string, unknown>, naming);
  }
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (cause) {
    throw new ExtractSchemaError(
      `Cannot import the schema module ${file}: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
  const exported = module[exportName];
  if (exported === undefined) {
    throw new ExtractSchemaError(
      `The module ${file} has no export "${exportName}" (exports: ${Object.keys(module).join(', ') || 'none'}).`,
    );
  }
  return toObjectSchema(exported as Parameters<typeof toObjectSchema>[0], naming);
}
