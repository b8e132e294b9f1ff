import { describe, expect, it } from 'vitest';
import { LONG_LOOK_DEGRADED_FACTOR, longLook, longLookSteps, trimmedStretch } from '../../src/server/detection/long-look.ts';
import { poissonLlr } from '../../src/server/detection/sequential.ts';
import { DEFAULT_THRESHOLDS } from '../../src/server/detection/thresholds.ts';

const t = DEFAULT_THRESHOLDS;

describe('long look', () => {
  it('looks over an hour and three, in steps, only where that is longer than the short window', () => {
    expect(longLookSteps(5 * 60_000, 5)).toEqual([12, 36]);
    expect(longLookSteps(60_000, 5)).toEqual([60, 180]);
    // Hourly rows: an hour and three hours are within the short test's five steps already.
    expect(longLookSteps(3600_000, 5)).toEqual([]);
  });

  it('leaves out the quarter of the stretch that stood highest over its usual count', () => {
    const expected = [2, 2, 2, 2, 2, 2, 2, 2];
    // One burst of 40 and one of 30: two of eight steps, the quarter, leave with their expectations.
    const observed = [3, 40, 2, 2, 30, 1, 2, 3];
    expect(trimmedStretch(observed, expected, 8, 8)).toEqual({ x: 3 + 2 + 2 + 1 + 2 + 3, e: 12 });
    // Only the n steps that end before `end` are read.
    expect(trimmedStretch(observed, expected, 8, 4)).toEqual({ x: 1 + 2 + 3, e: 6 });
    expect(trimmedStretch(observed, expected, 4, 4)).toEqual({ x: 3 + 2 + 2, e: 6 });
  });

  it('calls a rise held over hours, from twice the usual level (degraded) and four times (outage)', () => {
    const n = 36;
    const usual = Array.from({ length: n }, () => 2);
    const at = (times: number, tail: number | null) => longLook([12, 36], usual.map((e) => e * times), usual, n, n, tail, t);
    expect(at(1.8, 1).state).toBe('operational'); // 1.8x over three hours: a busy day, not trouble
    expect(at(LONG_LOOK_DEGRADED_FACTOR, 1).state).toBe('degraded');
    expect(at(4, 1).state).toBe('outage');
    // The same counts in a series whose hours usually wander widely: the evidence is divided by it.
    const wide = at(2, 20);
    expect(wide.state).toBe('operational');
    expect(wide.llr).toBeCloseTo(wide.rawLlr / 20, 9);
    // The evidence is the Poisson test's on the trimmed stretch: 27 steps of 4 against 27 of 2.
    expect(at(2, 1).rawLlr).toBeCloseTo(poissonLlr(27 * 4, 27 * 2), 9);
  });

  it('holds a state at lower bars, and calls nothing while its tail is unknown', () => {
    const usual = Array.from({ length: 36 }, () => 2);
    // 1.7x over three hours with 11 nats: above the relaxed bars (1.5x, 9 nats), under the entry ones.
    const held = longLook([12, 36], usual.map(() => 3.4), usual, 36, 36, 1, t);
    expect(held).toMatchObject({ state: 'operational', hold: 'degraded' });
    const unknown = longLook([12, 36], usual.map(() => 8), usual, 36, 36, null, t);
    expect(unknown.state).toBe('operational');
    expect(unknown.rawLlr).toBeGreaterThan(100); // still kept for the history's tail
  });

  it('reads no stretch longer than the steps it may read', () => {
    const usual = Array.from({ length: 36 }, () => 2);
    const r = longLook([12, 36], usual.map(() => 10), usual, 36, 11, 1, t);
    expect(r).toMatchObject({ state: 'operational', rawLlr: 0, steps: 0 });
    expect(longLook([12, 36], usual.map(() => 10), usual, 36, 12, 1, t).steps).toBe(12);
  });
});
