import { describe, expect, it } from 'vitest';
import { median, overheadRatio, quantile, round, seededShuffle, spread } from '../../../bench/lib/stats.ts';

describe('quantile (linear interpolation between closest ranks)', () => {
  it('matches hand-computed values, whatever the input order', () => {
    const xs = [7, 1, 3, 5];
    expect(quantile(xs, 0)).toBe(1);
    expect(quantile(xs, 1)).toBe(7);
    expect(quantile(xs, 0.5)).toBe(4); // between 3 and 5
    expect(quantile(xs, 0.25)).toBe(2.5); // pos 0.75 between 1 and 3
    expect(quantile(xs, 0.75)).toBe(5.5); // pos 2.25 between 5 and 7
    expect(quantile([42], 0.3)).toBe(42);
  });

  it('does not reorder its input', () => {
    const xs = [3, 1, 2];
    quantile(xs, 0.5);
    expect(xs).toEqual([3, 1, 2]);
  });

  it('rejects an empty sample and q outside [0, 1] with a clear error', () => {
    expect(() => quantile([], 0.5)).toThrow(/empty sample/);
    expect(() => quantile([1], 1.5)).toThrow(/must be in \[0, 1\], got 1.5/);
    expect(() => quantile([1], Number.NaN)).toThrow(/must be in \[0, 1\]/);
  });

  it('median of odd and even samples', () => {
    expect(median([5, 1, 9])).toBe(5);
    expect(median([10, 2, 4, 8])).toBe(6);
  });
});

describe('spread', () => {
  it('summarises a sample', () => {
    expect(spread([10, 20, 30, 40, 50])).toEqual({ median: 30, min: 10, max: 50, q1: 20, q3: 40, relativeIqr: 20 / 30, n: 5 });
  });

  it('reports a relative IQR of 0 rather than dividing by a zero median', () => {
    expect(spread([0, 0, 0]).relativeIqr).toBe(0);
  });
});

describe('overheadRatio', () => {
  it('is (with - without) / without, negative results kept as they are', () => {
    expect(overheadRatio(101, 100)).toBeCloseTo(0.01, 12);
    expect(overheadRatio(95, 100)).toBeCloseTo(-0.05, 12);
  });

  it('refuses a baseline that is not positive', () => {
    expect(() => overheadRatio(1, 0)).toThrow(/baseline must be positive/);
    expect(() => overheadRatio(1, -3)).toThrow(/got -3/);
    expect(() => overheadRatio(1, Number.NaN)).toThrow(/baseline must be positive/);
  });
});

describe('seededShuffle', () => {
  const items = ['baseline', 'extension', 'naive', 'extension-traced', 'a', 'b', 'c'];

  it('is a permutation and leaves its input alone', () => {
    const copy = [...items];
    const out = seededShuffle(items, 7);
    expect(items).toEqual(copy);
    expect([...out].sort()).toEqual([...items].sort());
  });

  it('is reproducible from the seed and differs between seeds', () => {
    expect(seededShuffle(items, 20261122)).toEqual(seededShuffle(items, 20261122));
    const orders = new Set(Array.from({ length: 20 }, (_, s) => seededShuffle(items, s).join()));
    expect(orders.size).toBeGreaterThan(10);
  });

  it('puts every item first about equally often over many seeds', () => {
    const first = new Map<string, number>();
    const n = 7000;
    for (let s = 0; s < n; s++) {
      const head = seededShuffle(items, s)[0]!;
      first.set(head, (first.get(head) ?? 0) + 1);
    }
    for (const item of items) expect(first.get(item)! / n).toBeGreaterThan(0.1); // 1/7 expected
  });
});

describe('round', () => {
  it('rounds to the given number of decimals (4 by default)', () => {
    expect(round(0.0158349)).toBe(0.0158);
    expect(round(1.23456, 2)).toBe(1.23);
    expect(round(-0.00004)).toBe(-0);
  });
});
