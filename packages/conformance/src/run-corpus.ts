import type { CaseRunner } from './case-runner.js';
import type { ConformanceCase } from './corpus.js';
import { countInsideCharacter, cutBody, cutPoints } from './cut-points.js';
import { projectChoice } from './expected-projection.js';
import { firstDifference } from './first-difference.js';

/** Options of {@link runCorpus}. */
export interface RunCorpusOptions {
  /** Seed of the cut positions. Default {@link DEFAULT_RUN_CORPUS_OPTIONS}.seed. */
  seed?: number;
  /** Cut positions per stream case. Default 25. */
  cuts?: number;
  /** Receives one line per case as soon as it is known. */
  onLine?: (line: string) => void;
}

/** Defaults of {@link RunCorpusOptions}. */
export const DEFAULT_RUN_CORPUS_OPTIONS = { seed: 20_260_101, cuts: 25 } as const;

/** The outcome of one case. */
export interface CaseResult {
  id: string;
  passed: boolean;
  line: string;
}

/** The outcome of a whole corpus run. */
export interface CorpusResult {
  results: CaseResult[];
  passed: number;
  failed: number;
}

/**
 * Runs every case through `runner`: stream cases assembled whole and then cut at seeded random byte
 * positions, plain cases parsed, error cases checked for status and error body; each compared with
 * its `expected.json`.
 */
export async function runCorpus(
  cases: readonly ConformanceCase[],
  runner: CaseRunner,
  options: RunCorpusOptions = {},
): Promise<CorpusResult> {
  const seed = options.seed ?? DEFAULT_RUN_CORPUS_OPTIONS.seed;
  const cuts = options.cuts ?? DEFAULT_RUN_CORPUS_OPTIONS.cuts;
  const results: CaseResult[] = [];
  for (const [position, testCase] of cases.entries()) {
    const result = await runOne(testCase, runner, seed + position, cuts);
    results.push(result);
    options.onLine?.(result.line);
  }
  const passed = results.filter((result) => result.passed).length;
  return { results, passed, failed: results.length - passed };
}

async function runOne(
  testCase: ConformanceCase,
  runner: CaseRunner,
  seed: number,
  cuts: number,
): Promise<CaseResult> {
  const label = `${testCase.id} (${testCase.provider}, ${testCase.kind})`;
  try {
    if (testCase.kind === 'error') {
      const difference = firstDifference(await runner.error(testCase), testCase.expected);
      return verdict(testCase.id, label, difference, `status ${testCase.status} and error body`);
    }
    if (testCase.kind === 'plain') {
      const difference = firstDifference(projectChoice(await runner.plain(testCase)), testCase.expected);
      return verdict(testCase.id, label, difference, 'plain answer');
    }
    const whole = firstDifference(
      projectChoice(await runner.stream(testCase, [testCase.body])),
      testCase.expected,
    );
    if (whole !== undefined) return verdict(testCase.id, label, `uncut: ${whole}`, '');
    const points = cutPoints(testCase.body, { count: cuts, seed });
    const pieces = cutBody(testCase.body, points);
    const cut = firstDifference(projectChoice(await runner.stream(testCase, pieces)), testCase.expected);
    const inside = countInsideCharacter(testCase.body, points);
    return verdict(
      testCase.id,
      label,
      cut === undefined ? undefined : `cut (seed ${seed}): ${cut}`,
      `uncut and cut at ${points.length} byte positions (${inside} inside a multi-byte character, seed ${seed})`,
    );
  } catch (error) {
    return verdict(testCase.id, label, `threw ${describe(error)}`, '');
  }
}

function verdict(id: string, label: string, difference: string | undefined, what: string): CaseResult {
  if (difference === undefined) return { id, passed: true, line: `PASS ${label}: ${what}` };
  return { id, passed: false, line: `FAIL ${label}: ${difference}` };
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
