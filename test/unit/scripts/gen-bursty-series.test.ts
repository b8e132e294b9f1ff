import { describe, expect, it } from 'vitest';
import { generate } from '../../../scripts/gen-bursty-series.ts';

const at = (ts: string) => Date.parse(`${ts.replace(' ', 'T')}Z`);

describe('bursty mention-volume generator (a world made by hand, for checks)', () => {
  it('is the same world for the same seed and another for another seed', () => {
    const a = generate(11, 3);
    expect(generate(11, 3).values).toEqual(a.values);
    expect(generate(12, 3).values).not.toEqual(a.values);
  });

  it('writes counts in time order on a 5-minute grid, with labels on real rows after the first 8 days', () => {
    const s = generate(3, 4);
    expect(s.values.every((v) => Number.isInteger(v) && v >= 0)).toBe(true);
    const times = s.timestamps.map(at);
    for (let i = 1; i < times.length; i++) {
      const d = (times[i] as number) - (times[i - 1] as number);
      expect(d > 0 && d % 300_000 === 0).toBe(true);
    }
    expect(s.labels.length).toBeGreaterThan(0);
    const rows = new Set(s.timestamps);
    for (const [start, end] of s.labels) {
      expect(rows.has(start) && rows.has(end)).toBe(true);
      expect(at(start) - (times[0] as number)).toBeGreaterThanOrEqual(8 * 86_400_000);
      expect(at(end)).toBeGreaterThanOrEqual(at(start));
    }
  });
});
