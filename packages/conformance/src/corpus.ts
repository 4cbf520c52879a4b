import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The kind of a recorded case: a streamed answer, a plain JSON answer, or an error response. */
export type CaseKind = 'stream' | 'plain' | 'error';

/** One recorded case of the conformance corpus, read from `<dir>/cases/<id>/`. */
export interface ConformanceCase {
  id: string;
  kind: CaseKind;
  provider: string;
  /** The HTTP status served (`status.txt`, default 200). */
  status: number;
  /** Response headers served (`headers.json`), without a content type of its own. */
  headers: Record<string, string>;
  /** The raw body: `response.sse` for stream cases, `response.json` otherwise. */
  body: Buffer;
  /** The parsed `expected.json`. */
  expected: unknown;
}

interface ManifestEntry {
  provider?: unknown;
  kind?: unknown;
}

/**
 * Reads every case named in `<dir>/manifest.json`, in manifest order.
 *
 * @throws Error when the manifest or a case's files are missing or unreadable.
 */
export async function loadCorpus(dir: string): Promise<ConformanceCase[]> {
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Record<
    string,
    ManifestEntry
  >;
  const cases: ConformanceCase[] = [];
  for (const [id, entry] of Object.entries(manifest)) {
    const caseDir = join(dir, 'cases', id);
    const kind = toKind(entry.kind);
    const body = await readFile(join(caseDir, kind === 'stream' ? 'response.sse' : 'response.json'));
    const statusText = await readOptional(join(caseDir, 'status.txt'));
    const headersText = await readOptional(join(caseDir, 'headers.json'));
    cases.push({
      id,
      kind,
      provider: typeof entry.provider === 'string' ? entry.provider : 'unknown',
      status: statusText === undefined ? 200 : Number.parseInt(statusText.trim(), 10),
      headers: headersText === undefined ? {} : (JSON.parse(headersText) as Record<string, string>),
      body,
      expected: JSON.parse(await readFile(join(caseDir, 'expected.json'), 'utf8')) as unknown,
    });
  }
  return cases;
}

function toKind(value: unknown): CaseKind {
  if (value === 'stream' || value === 'plain' || value === 'error') return value;
  throw new Error(`Unknown case kind in manifest: ${String(value)}`);
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
