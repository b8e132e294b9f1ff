import { describe, expect, it } from 'vitest';
import { baselineAt, DAY_MS, DEFAULT_BASELINE, median, MINUTE_MS } from '../../src/server/detection/baseline.ts';
import { applyHysteresis } from '../../src/server/detection/hysteresis.ts';
import { DEFAULT_THRESHOLDS } from '../../src/server/detection/thresholds.ts';
import { judge, windowStats, type MinuteReporters } from '../../src/server/detection/verdict.ts';
import type { State } from '../../src/shared/protocol.ts';

/** One minute where `perNetwork[i]` distinct reporters come from network i (names unique per tag). */
function minute(tag: string, perNetwork: number[], okPerNetwork: number[] = []): MinuteReporters {
  const failing = new Map<string, string>();
  const ok = new Map<string, string>();
  perNetwork.forEach((n, net) => {
    for (let i = 0; i < n; i++) failing.set(`${tag}-f-${net}-${i}`, `net${net}`);
  });
  okPerNetwork.forEach((n, net) => {
    for (let i = 0; i < n; i++) ok.set(`${tag}-ok-${net}-${i}`, `net${net}`);
  });
  return { failing, ok };
}

describe('windowStats', () => {
  it('counts distinct reporters across minutes and caps each network', () => {
    const m1 = minute('a', [3, 8]);
    const m2: MinuteReporters = { failing: new Map([...m1.failing].slice(0, 2)), ok: new Map() };
    const stats = windowStats([m1, m2], 5);
    expect(stats).toEqual({ failingReporters: 11, countedReporters: 3 + 5, networks: 2, okReporters: 0 });
  });

  it('counts someone with both failures and ok samples as failing only', () => {
    const m: MinuteReporters = {
      failing: new Map([['same', 'n1']]),
      ok: new Map([
        ['same', 'n1'],
        ['other', 'n2'],
      ]),
    };
    expect(windowStats([m], 5)).toMatchObject({ failingReporters: 1, okReporters: 1 });
  });
});

describe('judge', () => {
  const t = DEFAULT_THRESHOLDS;

  it('calls the e2e contract an outage: 60 reporters, 5 from each of 12 networks, no ok samples', () => {
    const stats = windowStats([minute('c', new Array(12).fill(5))], t.networkCap);
    expect(judge(stats, 0, t)).toBe('outage');
  });

  it('keeps a flood of 1,000 reporters from one network operational', () => {
    const stats = windowStats([minute('flood', [1000])], t.networkCap);
    expect(stats.countedReporters).toBe(t.networkCap);
    expect(judge(stats, 0, t)).toBe('operational');
  });

  it('keeps a flood from two networks below degraded (networks bar)', () => {
    const stats = windowStats([minute('flood', [500, 500])], t.networkCap);
    expect(judge(stats, 0, t)).toBe('operational');
  });

  it('calls degraded between the two bars', () => {
    // 10 counted reporters from 4 networks: above degraded (8 / 3), below outage (20 / 5).
    const stats = windowStats([minute('d', [3, 3, 2, 2])], t.networkCap);
    expect(judge(stats, 0, t)).toBe('degraded');
  });

  it('uses the failing share when ok samples are plentiful', () => {
    const failing = new Array(10).fill(3); // 30 failing from 10 networks
    expect(judge(windowStats([minute('s', failing, new Array(10).fill(2))], 5), 0, t)).toBe('outage'); // 30 / 50
    expect(judge(windowStats([minute('s', failing, new Array(10).fill(5))], 5), 0, t)).toBe('degraded'); // 30 / 80
    expect(judge(windowStats([minute('s', failing, new Array(30).fill(5))], 5), 0, t)).toBe('operational'); // 30 / 180
  });

  it('with scarce ok samples, needs failures far above the usual level', () => {
    const stats = windowStats([minute('b', new Array(12).fill(5))], 5); // 60 counted
    expect(judge(stats, 10, t)).toBe('outage'); // 60 >= 4 x 10
    expect(judge(stats, 20, t)).toBe('degraded'); // 60 >= 2 x 20 but < 4 x 20
    expect(judge(stats, 40, t)).toBe('operational');
  });
});

describe('applyHysteresis', () => {
  const O: State = 'outage';
  const D: State = 'degraded';
  const P: State = 'operational';
  const at = (i: number) => 1_000 * MINUTE_MS + i * MINUTE_MS;

  it('goes up at once and stays up until enough quiet minutes', () => {
    const raw = [P, P, O, O, P, P, P, P];
    expect(applyHysteresis(raw.slice(0, 3), at(0), MINUTE_MS, 5)).toEqual({ state: 'outage', since: at(2) });
    expect(applyHysteresis(raw, at(0), MINUTE_MS, 5)).toEqual({ state: 'outage', since: at(2) });
    const longer = [...raw, P];
    expect(applyHysteresis(longer, at(0), MINUTE_MS, 5)).toEqual({ state: 'operational', since: at(8) });
  });

  it('restarts the quiet count when the state comes back', () => {
    const raw = [O, P, P, P, P, O, P, P, P, P];
    expect(applyHysteresis(raw, at(0), MINUTE_MS, 5).state).toBe('outage');
    expect(applyHysteresis(raw, at(0), MINUTE_MS, 5).since).toBe(at(0));
  });

  it('steps down to the worst level seen while quiet', () => {
    const raw = [O, D, P, D, P, P];
    expect(applyHysteresis(raw, at(0), MINUTE_MS, 5)).toEqual({ state: 'degraded', since: at(5) });
  });

  it('reports null since when nothing ever happened, and follows raw at once with 0 quiet minutes', () => {
    expect(applyHysteresis([P, P, P], at(0), MINUTE_MS, 5)).toEqual({ state: 'operational', since: null });
    expect(applyHysteresis([O, P], at(0), MINUTE_MS, 0)).toEqual({ state: 'operational', since: at(1) });
  });
});

describe('baseline', () => {
  it('takes the median of the same minute on previous days when that history exists', () => {
    const m = 10 * DAY_MS + 600 * MINUTE_MS;
    const counts = new Map([
      [m - DAY_MS, 4],
      [m - 2 * DAY_MS, 10],
      [m - 3 * DAY_MS, 6],
    ]);
    const value = baselineAt(m, (x) => counts.get(x) ?? 0, { ...DEFAULT_BASELINE, days: 3, knownSince: m - 3 * DAY_MS });
    expect(value).toBe(6);
  });

  it('falls back to a trailing median, leaving out the last minutes, and to 0 without history', () => {
    const m = 10 * DAY_MS;
    const countAt = (x: number) => (x >= m - 15 * MINUTE_MS ? 500 : 3);
    expect(baselineAt(m, countAt, { ...DEFAULT_BASELINE, knownSince: m - 2 * 3600_000 })).toBe(3);
    expect(baselineAt(m, countAt, { ...DEFAULT_BASELINE, knownSince: m - 20 * MINUTE_MS })).toBe(0);
  });

  it('median handles odd, even and empty lists', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBe(0);
  });
});
