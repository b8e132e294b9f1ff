/**
 * A series read at ten or fifty times its counts (the same people, counted in a busier place, or
 * mentions of a bigger name) has the same bursts relative to its level, and so the same alerts.
 * With the tail width capped as a crowd cell's is, the busier copies raised six and thirty times
 * as many (docs/detection-benchmarks.md, "A busy series is judged as a quiet one").
 * The series comes from the helper-written bursty world, seed 5 (a looked-at seed).
 */
import { describe, expect, it } from 'vitest';
import { generate, seriesCsvOf } from '../../scripts/gen-bursty-series.ts';
import { parseSeriesCsv, scoreSeries, type SeriesRow } from '../../src/server/detection/series-detector.ts';

function alertTimes(rows: readonly SeriesRow[]): string[] {
  return scoreSeries(rows)
    .filter((r) => r.alert)
    .map((r) => r.timestamp);
}

describe('a series judged at any scale', () => {
  it('raises the same alerts at 1x, 10x and 50x its counts', () => {
    const s = generate(5, 5);
    const rows = parseSeriesCsv(seriesCsvOf(s));
    const scaled = (k: number) => rows.map((r) => ({ ...r, value: Math.round(r.value * k) }));
    const base = alertTimes(rows);
    expect(base.length).toBeGreaterThan(0);
    expect(alertTimes(scaled(10))).toEqual(base);
    expect(alertTimes(scaled(50))).toEqual(base);
  }, 60_000);
});
