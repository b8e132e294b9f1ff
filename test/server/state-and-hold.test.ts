import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS, stateAndHold } from '../../src/server/detection/thresholds.ts';

describe('stateAndHold (the bars both tests call states by)', () => {
  // A test whose evidence is 12 against a bar of 18 and whose rise is 3x: under the entry bars,
  // over the hold bars (half the height: 9, and a rise of 1 + (4 - 1) / 2 = 2.5 for outage).
  const meets = (llr: number, ratio: number) => (kind: 'outage' | 'degraded', f: number, relax: (factor: number) => number) =>
    llr >= 18 * f && ratio >= relax(kind === 'outage' ? 4 : 1.5);

  it('calls outage before degraded, and nothing under the entry bars', () => {
    expect(stateAndHold(DEFAULT_THRESHOLDS, meets(20, 5)).state).toBe('outage');
    expect(stateAndHold(DEFAULT_THRESHOLDS, meets(20, 2)).state).toBe('degraded');
    expect(stateAndHold(DEFAULT_THRESHOLDS, meets(12, 5)).state).toBe('operational');
  });

  it('keeps a state over the lower bars at holdFraction, relaxing the rise the same way', () => {
    expect(stateAndHold({ ...DEFAULT_THRESHOLDS, holdFraction: 0.5 }, meets(12, 3))).toEqual({ state: 'operational', hold: 'outage' });
    expect(stateAndHold({ ...DEFAULT_THRESHOLDS, holdFraction: 0.5 }, meets(12, 2))).toEqual({ state: 'operational', hold: 'degraded' });
    expect(stateAndHold({ ...DEFAULT_THRESHOLDS, holdFraction: 0.5 }, meets(8, 5))).toEqual({ state: 'operational', hold: 'operational' });
  });

  it('holds nothing lower than it calls when the hold bars are the entry bars', () => {
    expect(stateAndHold({ ...DEFAULT_THRESHOLDS, holdFraction: 1 }, meets(12, 3))).toEqual({ state: 'operational', hold: 'operational' });
  });
});
