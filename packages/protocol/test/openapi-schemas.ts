import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';

/** The conformance corpus: `CHATLOOP_CONFORMANCE_DIR`, else `../shared/conformance` beside the repository. */
export const corpusDir =
  process.env.CHATLOOP_CONFORMANCE_DIR ??
  fileURLToPath(new URL('../../../../shared/conformance', import.meta.url));

/** The official OpenAI JSON Schema 2020-12 bundles of the corpus. */
export const openapiDir = join(corpusDir, 'openapi');

/** True when the schema folder is present; tests that need it are skipped only when it is absent. */
export const hasOpenapi = existsSync(openapiDir);

/** Reads one schema bundle (`request`, `response`, `chunk`, `error`). */
export function readSchema(name: 'request' | 'response' | 'chunk' | 'error'): Record<string, unknown> {
  return JSON.parse(readFileSync(join(openapiDir, `${name}.schema.json`), 'utf8')) as Record<string, unknown>;
}

/** Compiles one schema bundle with ajv's 2020 build, `strict: false`, all errors reported. */
export function compileSchema(name: 'request' | 'response' | 'chunk' | 'error'): ValidateFunction {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  return ajv.compile(readSchema(name));
}
