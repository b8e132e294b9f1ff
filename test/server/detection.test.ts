import { describe, expect, it } from 'vitest';
import { BLOCK_MS, DAY_MS, DEFAULT_BASELINE, expectationAt, median, MINUTE_MS, WEEK_MS, type BlockSummary, type Expectation } from '../../src/server/detection/baseline.ts';
import { HyperLogLog, hash53 } from '../../src/server/detection/hll.ts';
import { applyHysteresis, HysteresisStepper } from '../../src/server/detection/hysteresis.ts';
import { poissonLlr, scoreOf, strongestEvidence } from '../../src/server/detection/sequential.ts';
import { DEFAULT_THRESHOLDS } from '../../src/server/detection/thresholds.ts';
import { judge } from '../../src/server/detection/verdict.ts';
import type { State } from '../../src/shared/protocol.ts';

describe('HyperLogLog', () => {
  it('is exact while small', () => {
    const h = new HyperLogLog();
    for (let i = 0; i < 200; i++) h.add(`r${i % 150}`);
    expect(h.isExact).toBe(true);
    expect(h.count()).toBe(150);
  });

  it('stays within 4 standard errors over many sizes and seeds', () => {
    for (const n of [300, 1_000, 5_000, 20_000, 100_000]) {
      for (const seed of ['a', 'b', 'c']) {
        const h = new HyperLogLog();
        for (let i = 0; i < n; i++) h.add(`${seed}-${i}`);
        expect(h.isExact).toBe(false);
        expect(Math.abs(h.count() - n) / n).toBeLessThan(4 * h.standardError);
      }
    }
  });

  it('merges to the distinct count of the union, counting overlaps once', () => {
    const a = new HyperLogLog();
    const b = new HyperLogLog();
    for (let i = 0; i < 6_000; i++) a.add(`p${i}`);
    for (let i = 3_000; i < 9_000; i++) b.add(`p${i}`);
    const u = a.clone();
    u.merge(b);
    expect(Math.abs(u.count() - 9_000) / 9_000).toBeLessThan(4 * u.standardError);
    // Merging an exact sketch into a dense one and the other way round agree.
    const small = new HyperLogLog();
    small.add('p1');
    small.add('new');
    const x = small.clone();
    x.merge(a);
    const y = a.clone();
    y.merge(small);
    expect(x.count()).toBe(y.count());
  });

  it('refuses a precision it cannot hold and sketches of different precision', () => {
    expect(() => new HyperLogLog(3)).toThrow(/precision/);
    expect(() => new HyperLogLog(11).merge(new HyperLogLog(12))).toThrow(/precision/);
  });

  it('hashes strings to 53-bit integers, differently for near-identical names', () => {
    const a = hash53('reporter-1');
    expect(Number.isSafeInteger(a)).toBe(true);
    expect(a).not.toBe(hash53('reporter-2'));
  });
});

describe('sequential test', () => {
  it('gives no evidence at or below the expected level and more the further above', () => {
    expect(poissonLlr(3, 5)).toBe(0);
    expect(poissonLlr(10, 5)).toBeGreaterThan(0);
    expect(poissonLlr(20, 5)).toBeGreaterThan(poissonLlr(10, 5));
    expect(() => poissonLlr(1, 0)).toThrow(/positive/);
  });

  it('finds a slow rise over the longer stretch and a sharp one over the last minute', () => {
    // 9 a minute against 5 expected, for 5 minutes: weak each minute, strong together.
    const slow = strongestEvidence([9, 18, 27, 36, 45], 5, 1);
    expect(slow.minutes).toBe(5);
    expect(slow.llr).toBeGreaterThan(poissonLlr(9, 5));
    const sharp = strongestEvidence([60, 64, 68, 72, 76], 5, 1);
    expect(sharp.minutes).toBe(1);
  });

  it('divides the evidence by the over-dispersion', () => {
    expect(strongestEvidence([30], 10, 3).llr).toBeCloseTo(poissonLlr(30, 10) / 3);
  });

  it('maps evidence to a score of 0.5 at the threshold', () => {
    expect(scoreOf(12, 12)).toBe(0.5);
    expect(scoreOf(0, 12)).toBe(0);
    expect(scoreOf(1000, 12)).toBeLessThan(1);
    expect(scoreOf(24, 12)).toBeGreaterThan(0.5);
  });
});

const block = (failingPerMinute: number, active: number, troubled = false, variance = failingPerMinute): BlockSummary => ({
  minutes: 15,
  failing: failingPerMinute * 15,
  failingSq: 15 * (variance + failingPerMinute * failingPerMinute),
  active,
  troubled,
});

describe('baseline', () => {
  const NOW = Date.UTC(2026, 10, 23, 20, 7);
  const B = Math.floor(NOW / BLOCK_MS) * BLOCK_MS;

  it('takes the median of the same block of the week, leaving out troubled weeks', () => {
    const history = new Map<number, BlockSummary>([
      [B - WEEK_MS, block(10, 1000)],
      [B - 2 * WEEK_MS, block(500, 1000, true)],
      [B - 3 * WEEK_MS, block(12, 1200)],
      [B - 4 * WEEK_MS, block(8, 1000)],
      [B - 5 * WEEK_MS, block(9, 1000)],
    ]);
    const e = expectationAt(NOW, (b) => history.get(b));
    expect(e.source).toBe('week');
    expect(e.perMinute).toBe(9.5);
    expect(e.share).toBeCloseTo(median([0.01, 0.01, 0.008, 0.009]));
  });

  it('falls back to the same block of past days, then the recent hours, then the prior', () => {
    const days = new Map<number, BlockSummary>([1, 2, 3].map((d) => [B - d * DAY_MS, block(4, 400)]));
    expect(expectationAt(NOW, (b) => days.get(b))).toMatchObject({ source: 'day', perMinute: 4 });
    // The last two blocks are skipped: trouble that began minutes ago must not raise its own bar.
    const recent = new Map<number, BlockSummary>([
      [B - BLOCK_MS, block(900, 1000)],
      ...[2, 3, 4, 5].map((i): [number, BlockSummary] => [B - i * BLOCK_MS, block(6, 600)]),
    ]);
    expect(expectationAt(NOW, (b) => recent.get(b))).toMatchObject({ source: 'recent', perMinute: 6 });
    expect(expectationAt(NOW, () => undefined)).toEqual({ perMinute: 0, seasonal: 0, level: 1, share: DEFAULT_BASELINE.priorShare, dispersion: DEFAULT_BASELINE.priorDispersion, tailDispersion: null, source: 'prior' });
  });

  it('settles on the lower quartile of the last day when every recent block was troubled', () => {
    // A cell that has failed at 30 a minute since it was first seen, 4 hours ago: that is its
    // level, not an outage that never ends.
    const troubled = new Map<number, BlockSummary>(Array.from({ length: 16 }, (_, i): [number, BlockSummary] => [B - (i + 2) * BLOCK_MS, block(30, 0, true)]));
    expect(expectationAt(NOW, (b) => troubled.get(b))).toMatchObject({ source: 'recent', perMinute: 30 });
    // With fewer than 3 hours of it, still the prior.
    const young = new Map<number, BlockSummary>([...troubled].slice(0, 8));
    expect(expectationAt(NOW, (b) => young.get(b)).source).toBe('prior');
  });

  it('pools the blocks either side of the same time of day, so three unlucky blocks cannot set the level', () => {
    // The same block on three days happened to be quiet (2 a minute); the blocks around it, on
    // the same days, show the usual 4: the level is read from all nine.
    const days = new Map<number, BlockSummary>();
    for (const d of [1, 2, 3]) {
      days.set(B - d * DAY_MS, block(2, 1000));
      days.set(B - d * DAY_MS - BLOCK_MS, block(4, 1000));
      days.set(B - d * DAY_MS + BLOCK_MS, block(4, 1000));
    }
    expect(expectationAt(NOW, (b) => days.get(b))).toMatchObject({ source: 'day', perMinute: 4 });
    expect(expectationAt(NOW, (b) => days.get(b), { ...DEFAULT_BASELINE, neighbourBlocks: 0 })).toMatchObject({ source: 'day', perMinute: 2 });
  });

  it('counts the spread between blocks too: a level that moves from day to day is noisier than each day', () => {
    // Each block alone is pure chance (variance = mean), but the level is 2 one day and 6 the next.
    const moving = new Map<number, BlockSummary>([1, 2, 3, 4].map((d) => [B - d * DAY_MS, block(d % 2 ? 2 : 6, 1000)]));
    // Pooled: mean 4, variance 4 + 4 = 8 over the minutes, twice the mean.
    expect(expectationAt(NOW, (b) => moving.get(b)).dispersion).toBeCloseTo(2);
  });

  it('learns the over-dispersion from the spread of the counts, within bounds', () => {
    const noisy = new Map<number, BlockSummary>([1, 2, 3].map((w) => [B - w * WEEK_MS, block(10, 1000, false, 30)]));
    expect(expectationAt(NOW, (b) => noisy.get(b)).dispersion).toBeCloseTo(3);
    const wild = new Map<number, BlockSummary>([1, 2, 3].map((w) => [B - w * WEEK_MS, block(10, 1000, false, 1000)]));
    expect(expectationAt(NOW, (b) => wild.get(b)).dispersion).toBe(DEFAULT_BASELINE.maxDispersion);
  });
});

describe('judge', () => {
  // Most cases put every count in the newest minute (flat sums); the single-minute factor is
  // tested on its own below, the rest are judged as if that minute were corroborated.
  const t = { ...DEFAULT_THRESHOLDS, singleMinuteFactor: 1 };

  it('asks more of the newest minute alone than of a stretch: a one-minute burst is not yet an outage', () => {
    const usual: Expectation = { perMinute: 2, seasonal: 2, level: 1, share: null, dispersion: 1.5, tailDispersion: null, source: 'day' };
    // 25 people in the last minute against 2 usual: evidence 30 as a stretch, 12 as a lone minute.
    expect(judge({ counted: flat(25), networks: 6, active: 25 }, usual, t).state).toBe('outage');
    expect(judge({ counted: flat(25), networks: 6, active: 25 }, usual, DEFAULT_THRESHOLDS).state).toBe('operational');
    // A second minute of it: the two-minute stretch carries it with no discount.
    expect(judge({ counted: [15, 30, 30, 30, 30], networks: 6, active: 30 }, usual, DEFAULT_THRESHOLDS).state).toBe('outage');
    // A crowd of 60 where nothing was known is still an outage within its first minute.
    expect(judge({ counted: flat(60), networks: 12, active: 60 }, { perMinute: 0, seasonal: 0, level: 1, share: 0.005, dispersion: 2, tailDispersion: null, source: 'prior' }, DEFAULT_THRESHOLDS).state).toBe('outage');
  });
  const cold: Expectation = { perMinute: 0, seasonal: 0, level: 1, share: 0.005, dispersion: 2, tailDispersion: null, source: 'prior' };
  const flat = (n: number) => [n, n, n, n, n];

  it('waits for the minute after a one-minute burst before calling it, unless it is far beyond any burst', () => {
    const usual: Expectation = { perMinute: 2, seasonal: 2, level: 1, share: null, dispersion: 1.5, tailDispersion: null, source: 'day' };
    // 40 people in the newest minute where 2 are usual (20x), the minutes before as usual.
    const burst = { counted: [40, 42, 44, 46, 48], networks: 8, active: 48, withoutPeak: { index: 0, counts: [0, 2, 4, 6, 8], own: [40, 2, 2, 2, 2] } };
    expect(judge(burst, usual, DEFAULT_THRESHOLDS).state).toBe('operational');
    // The rule is what holds it back: a lone minute believed at any size is called.
    expect(judge(burst, usual, { ...DEFAULT_THRESHOLDS, loneMinuteRatio: 1 }).state).not.toBe('operational');
    // 20 s into the next minute it still fails (15 people in a third of a minute): called.
    const goesOn = { counted: [15, 55, 57, 59, 61], networks: 8, active: 61, newestFraction: 1 / 3, withoutPeak: { index: 1, counts: [15, 15, 17, 19, 21], own: [15, 40, 2, 2, 2] } };
    expect(judge(goesOn, usual, DEFAULT_THRESHOLDS).state).toBe('outage');
    // ... or the next minute is back to usual (1 person in a third of a minute): nothing.
    const over = { counted: [1, 41, 43, 45, 47], networks: 8, active: 47, newestFraction: 1 / 3, withoutPeak: { index: 1, counts: [1, 1, 3, 5, 7], own: [1, 40, 2, 2, 2] } };
    expect(judge(over, usual, DEFAULT_THRESHOLDS).state).toBe('operational');
    // The minute before confirms too: an outage that began late in the previous minute.
    const lateStart = { counted: [40, 52, 54, 56, 58], networks: 8, active: 58, withoutPeak: { index: 0, counts: [0, 12, 14, 16, 18], own: [40, 12, 2, 2, 2] } };
    expect(judge(lateStart, usual, DEFAULT_THRESHOLDS).state).not.toBe('operational');
    // 100 where 2 are usual (50x, past loneMinuteRatio): an outage within its first minute.
    const huge = { counted: [100, 102, 104, 106, 108], networks: 8, active: 108, withoutPeak: { index: 0, counts: [0, 2, 4, 6, 8], own: [100, 2, 2, 2, 2] } };
    expect(judge(huge, usual, DEFAULT_THRESHOLDS).state).toBe('outage');
  });

  it('calls the e2e contract an outage: 60 from 12 networks, nobody ok, nothing known', () => {
    expect(judge({ counted: flat(60), networks: 12, active: 60 }, cold, t).state).toBe('outage');
  });

  it('needs networks and reporters, whatever the evidence', () => {
    expect(judge({ counted: flat(60), networks: 2, active: 60 }, cold, t).state).toBe('operational');
    expect(judge({ counted: flat(60), networks: 4, active: 60 }, cold, t).state).toBe('degraded');
    expect(judge({ counted: flat(15), networks: 3, active: 15 }, cold, t).state).toBe('degraded');
    expect(judge({ counted: flat(7), networks: 7, active: 7 }, cold, t).state).toBe('operational');
  });

  it('judges by the share of active people when activity is known', () => {
    const usual: Expectation = { perMinute: 10, seasonal: 10, level: 1, share: 0.005, dispersion: 1.5, tailDispersion: null, source: 'week' };
    // 2,000 active, 10 failing a minute is usual; 30 is 1.5 % of them: degraded; 300 is 15 %: outage.
    expect(judge({ counted: [10, 19, 28, 37, 46], networks: 10, active: 2000 }, usual, t).state).toBe('operational');
    expect(judge({ counted: [30, 55, 80, 100, 120], networks: 20, active: 2000 }, usual, t).state).toBe('degraded');
    expect(judge({ counted: [300, 500, 600, 650, 700], networks: 60, active: 2000 }, usual, t).state).toBe('outage');
    // The same counts on a quiet night with 200 active are 12-15 %: an outage.
    expect(judge({ counted: [30, 55, 80, 100, 120], networks: 20, active: 200 }, usual, t).state).toBe('outage');
  });

  it('reads the evidence from the counts without the biggest network', () => {
    // 25 counted from 4 networks against 2 usual: degraded (too few networks for outage). If 21 of
    // them came from one network, the 4 left are no evidence at all.
    const usual: Expectation = { perMinute: 2, seasonal: 2, level: 1, share: null, dispersion: 1.5, tailDispersion: null, source: 'day' };
    expect(judge({ counted: flat(25), networks: 4, active: 25 }, usual, t).state).toBe('degraded');
    expect(judge({ counted: flat(25), robust: flat(4), networks: 4, active: 25 }, usual, t).state).toBe('operational');
  });

  it('compares a minute still filling up with the part of a minute that has passed', () => {
    const usual: Expectation = { perMinute: 8, seasonal: 8, level: 1, share: null, dispersion: 1, tailDispersion: null, source: 'day' };
    const counts = { counted: [16], networks: 10, active: 16 };
    expect(judge(counts, usual, { ...t, windowMinutes: 1 }).state).toBe('operational');
    expect(judge({ ...counts, newestFraction: 0.25 }, usual, { ...t, windowMinutes: 1 }).state).toBe('degraded');
  });

  it('scores in [0, 1) with 0.5 at the evidence threshold', () => {
    const j = judge({ counted: flat(60), networks: 12, active: 60 }, cold, t);
    expect(j.score).toBeGreaterThan(0.5);
    expect(j.score).toBeLessThan(1);
    expect(judge({ counted: flat(0), networks: 0, active: 0 }, cold, t).score).toBe(0);
  });
});

describe('hysteresis', () => {
  const seq = (s: string): State[] => [...s].map((c) => (c === 'o' ? 'outage' : c === 'd' ? 'degraded' : 'operational'));

  it('goes up at once and down only after the quiet minutes, to the worst level seen meanwhile', () => {
    expect(applyHysteresis(seq('..oo'), 0, MINUTE_MS, 5)).toEqual({ state: 'outage', since: 2 * MINUTE_MS });
    expect(applyHysteresis(seq('.oo....'), 0, MINUTE_MS, 5).state).toBe('outage');
    expect(applyHysteresis(seq('.oo.....'), 0, MINUTE_MS, 5)).toEqual({ state: 'operational', since: 7 * MINUTE_MS });
    expect(applyHysteresis(seq('.ood.d..'), 0, MINUTE_MS, 5)).toEqual({ state: 'degraded', since: 7 * MINUTE_MS });
    expect(applyHysteresis(seq('......'), 0, MINUTE_MS, 5)).toEqual({ state: 'operational', since: null });
  });

  it('steps one minute at a time to the same answer as the replay', () => {
    const raw = seq('..dd.oo...d.....o.......');
    const s = new HysteresisStepper(5);
    raw.forEach((r, i) => s.step(r, i * MINUTE_MS));
    expect({ state: s.state, since: s.since }).toEqual(applyHysteresis(raw, 0, MINUTE_MS, 5));
  });
});
