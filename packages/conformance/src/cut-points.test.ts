import { describe, expect, it } from 'vitest';
import { countInsideCharacter, cutBody, cutPoints } from './cut-points.js';

describe('cutPoints', () => {
  const body = new TextEncoder().encode(`data: ${'Grüße 🌍 世界 '.repeat(20)}\n\n`);

  it('chooses 25 distinct sorted positions strictly inside the body, the same for the same seed', () => {
    const points = cutPoints(body, { seed: 7 });
    expect(points).toHaveLength(25);
    expect(new Set(points).size).toBe(25);
    expect([...points].sort((a, b) => a - b)).toEqual(points);
    expect(points.every((point) => point > 0 && point < body.length)).toBe(true);
    expect(cutPoints(body, { seed: 7 })).toEqual(points);
    expect(cutPoints(body, { seed: 8 })).not.toEqual(points);
  });

  it('puts some cuts inside multi-byte characters', () => {
    const points = cutPoints(body, { seed: 7 });
    expect(countInsideCharacter(body, points)).toBeGreaterThanOrEqual(10);
  });

  it('never asks for more cuts than a short body has positions', () => {
    expect(cutPoints(new Uint8Array(4), { seed: 1 })).toHaveLength(3);
    expect(cutPoints(new Uint8Array(0), { seed: 1 })).toEqual([]);
  });

  it('cuts a body into pieces that join back to it', () => {
    const points = cutPoints(body, { seed: 3 });
    const pieces = cutBody(body, points);
    expect(pieces).toHaveLength(points.length + 1);
    expect(Buffer.concat(pieces)).toEqual(Buffer.from(body));
  });
});
