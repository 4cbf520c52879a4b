/** Options of {@link cutPoints}. */
export interface CutPointsOptions {
  /** How many distinct cut positions to choose. Default 25. */
  count?: number;
  /** Seed of the pseudo-random generator, so a failing run can be replayed. */
  seed: number;
  /** The share of cuts placed inside a multi-byte UTF-8 character when the body has any. Default 0.4. */
  insideCharacterShare?: number;
}

/** Defaults of {@link CutPointsOptions}. */
export const DEFAULT_CUT_POINTS_OPTIONS = { count: 25, insideCharacterShare: 0.4 } as const;

/**
 * Chooses seeded random byte positions (sorted, distinct, strictly inside the body) at which to cut a
 * body; some fall between the bytes of one multi-byte UTF-8 character.
 */
export function cutPoints(body: Uint8Array, options: CutPointsOptions): number[] {
  const count = Math.min(options.count ?? DEFAULT_CUT_POINTS_OPTIONS.count, Math.max(0, body.length - 1));
  const random = mulberry32(options.seed);
  const continuation: number[] = [];
  for (let i = 1; i < body.length; i++) if (((body[i] as number) & 0xc0) === 0x80) continuation.push(i);
  const share = options.insideCharacterShare ?? DEFAULT_CUT_POINTS_OPTIONS.insideCharacterShare;
  const inside = Math.min(continuation.length, Math.round(count * share));
  const chosen = new Set<number>();
  for (let guard = 0; chosen.size < inside && guard < inside * 20; guard++) {
    chosen.add(continuation[Math.floor(random() * continuation.length)] as number);
  }
  for (let guard = 0; chosen.size < count && guard < count * 20; guard++) {
    chosen.add(1 + Math.floor(random() * (body.length - 1)));
  }
  return [...chosen].sort((a, b) => a - b);
}

/** Splits `body` at the given sorted positions. */
export function cutBody(body: Uint8Array, points: readonly number[]): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  let start = 0;
  for (const point of points) {
    pieces.push(body.subarray(start, point));
    start = point;
  }
  pieces.push(body.subarray(start));
  return pieces;
}

/** Counts the cut positions that fall inside a multi-byte UTF-8 character. */
export function countInsideCharacter(body: Uint8Array, points: readonly number[]): number {
  return points.filter((point) => ((body[point] as number) & 0xc0) === 0x80).length;
}

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
