import { describe, expect, it } from 'vitest';
import { badgeTime } from '../../bench/simulate/badge.ts';
import { clockSkewMs, deployBlipShare, hawkesCluster, levelFactor, levelShiftEnd, logAr1Step, logNormalMultiplier, paretoMultiplier, tabCopies } from '../../bench/simulate/noise.ts';
import { gamma, makeRng, quantileOf } from '../../bench/simulate/random.ts';

function meanVar(xs: number[]): [number, number] {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return [m, xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length];
}

describe('noise generators', () => {
  it('hawkesCluster: mean size 1 / (1 - n), a heavy size tail, and events bunched in time', () => {
    const rng = makeRng(11);
    const clusters = Array.from({ length: 20_000 }, () => hawkesCluster(rng, 0.8, 3, 10_000));
    const sizes = clusters.map((c) => c.length);
    const [m, v] = meanVar(sizes);
    expect(m).toBeGreaterThan(4.6);
    expect(m).toBeLessThan(5.4);
    // Borel: variance n / (1 - n)^3 = 100, twenty times the mean (a Poisson's would be 1x).
    expect(v / m).toBeGreaterThan(10);
    expect(Math.max(...sizes)).toBeGreaterThan(60);
    for (const c of clusters.slice(0, 100)) {
      expect(c[0]).toBe(0);
      for (let i = 1; i < c.length; i++) expect(c[i]).toBeGreaterThanOrEqual(c[i - 1] as number);
    }
    // Clustering: clusters started at random (Poisson) times over 100,000 minutes, counted in
    // 5-minute bins, vary far more than Poisson counts of the same mean (index of dispersion 1):
    // a failure raises the chance of more nearby.
    const bins = new Array<number>(20_000).fill(0);
    for (const c of clusters) {
      const at = rng() * 100_000;
      for (const x of c) {
        const b = Math.floor((at + x) / 5);
        if (b < bins.length) bins[b] = (bins[b] as number) + 1;
      }
    }
    const [bm, bv] = meanVar(bins);
    expect(bv / bm).toBeGreaterThan(3);
    expect(hawkesCluster(makeRng(1), 0.95, 3, 20).length).toBeLessThanOrEqual(20);
  });

  it('logNormalMultiplier: mean 1, log spread sigma', () => {
    const rng = makeRng(12);
    const xs = Array.from({ length: 50_000 }, () => logNormalMultiplier(rng, 0.5));
    const [m] = meanVar(xs);
    const [lm, lv] = meanVar(xs.map(Math.log));
    expect(m).toBeGreaterThan(0.97);
    expect(m).toBeLessThan(1.03);
    expect(Math.sqrt(lv)).toBeCloseTo(0.5, 1);
    expect(lm).toBeCloseTo(-0.125, 1);
  });

  it('paretoMultiplier: mean 1 and a power-law tail heavier than a gamma of the same variance', () => {
    const rng = makeRng(13);
    const alpha = 3;
    const xs = Array.from({ length: 200_000 }, () => paretoMultiplier(rng, alpha));
    const [m, v] = meanVar(xs);
    expect(m).toBeGreaterThan(0.98);
    expect(m).toBeLessThan(1.02);
    const xm = (alpha - 1) / alpha;
    for (const x of [2, 4]) {
      const p = xs.filter((y) => y > x).length / xs.length;
      expect(p / (xm / x) ** alpha).toBeGreaterThan(0.85);
      expect(p / (xm / x) ** alpha).toBeLessThan(1.15);
    }
    // A gamma of mean 1 and the same variance (shape 1 / v) puts far less above 4.
    const shape = 1 / Math.min(v, 1);
    const g = Array.from({ length: 200_000 }, () => gamma(rng, shape) / shape);
    const tailP = xs.filter((y) => y > 4).length;
    const tailG = g.filter((y) => y > 4).length;
    expect(tailP).toBeGreaterThan(3 * tailG);
  });

  it('logAr1Step: mean-reverting, stationary log spread sigma / sqrt(1 - phi^2), not clamped', () => {
    const rng = makeRng(14);
    let level = 1;
    const logs: number[] = [];
    for (let i = 0; i < 100_000; i++) logs.push(Math.log((level = logAr1Step(rng, level, 0.9, 0.1))));
    const [, v] = meanVar(logs);
    expect(Math.sqrt(v)).toBeGreaterThan(0.2);
    expect(Math.sqrt(v)).toBeLessThan(0.26);
    expect(Math.max(...logs.map(Math.exp))).toBeGreaterThan(1.6);
    expect(Math.min(...logs.map(Math.exp))).toBeLessThan(0.6);
  });

  it('levelFactor: 1 before, the factor on the plateau, back to 1 after (or staying)', () => {
    const h = 3600_000;
    const holiday = { start: 10 * h, rampMs: 2 * h, holdMs: 24 * h, factor: 0.5 };
    expect(levelFactor(0, holiday)).toBe(1);
    expect(levelFactor(11 * h, holiday)).toBeCloseTo(Math.SQRT1_2);
    expect(levelFactor(20 * h, holiday)).toBe(0.5);
    expect(levelFactor(levelShiftEnd(holiday), holiday)).toBe(1);
    expect(levelFactor(levelShiftEnd(holiday) + h, holiday)).toBe(1);
    const growth = { start: 0, rampMs: 168 * h, holdMs: Infinity, factor: 2 };
    expect(levelFactor(84 * h, growth)).toBeCloseTo(Math.SQRT2);
    expect(levelFactor(1000 * h, growth)).toBe(2);
    expect(levelShiftEnd(growth)).toBe(Infinity);
  });

  it('deployBlipShare: the share inside the blip only', () => {
    const b = { start: 60_000, minutes: 2, share: 0.01 };
    expect(deployBlipShare(59_999, b)).toBe(0);
    expect(deployBlipShare(60_000, b)).toBe(0.01);
    expect(deployBlipShare(179_999, b)).toBe(0.01);
    expect(deployBlipShare(180_000, b)).toBe(0);
  });

  it('tabCopies and clockSkewMs: the share of users affected, stable per user, within bounds', () => {
    const n = 100_000;
    const copies = Array.from({ length: n }, (_, i) => tabCopies(i, 41, 0.05, 8));
    expect(copies.filter((c) => c > 1).length / n).toBeCloseTo(0.05, 2);
    expect(Math.min(...copies)).toBe(1);
    expect(Math.max(...copies)).toBe(8);
    expect(tabCopies(7, 41, 0.05, 8)).toBe(copies[7]);
    const skews = Array.from({ length: n }, (_, i) => clockSkewMs(i, 43, 0.03, 5));
    const off = skews.filter((s) => s !== 0);
    expect(off.length / n).toBeCloseTo(0.03, 2);
    for (const s of off) {
      expect(Math.abs(s)).toBeGreaterThanOrEqual(60_000);
      expect(Math.abs(s)).toBeLessThanOrEqual(300_000);
    }
    expect(off.some((s) => s < 0) && off.some((s) => s > 0)).toBe(true);
  });
});

describe('badge delay', () => {
  const start = 1_000_000_000;
  const runs = (server: number | null, seed: number) =>
    Array.from({ length: 2000 }, (_, i) => badgeTime({ start, end: start + 3600_000, serverNonOperationalAt: server, horizon: start + 4000_000, rng: makeRng(seed * 10_000 + i) }));

  it('follows the poll rule: a failure makes the client ask at once, and again 10 s later', () => {
    // The server already says "degraded" at the start: the first poll after the user's first
    // failure (within the outage's first minute, plus the follow-up and the cache's 5 s at most) shows it.
    const at = runs(start, 1).map((t) => ((t as number) - start) / 1000);
    expect(Math.min(...at)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...at)).toBeLessThanOrEqual(60 + 10 + 5);
    // Verdict 100 s in: seen within a failure interval (60 s) plus the cache age of it.
    const late = runs(start + 100_000, 2).map((t) => ((t as number) - start) / 1000);
    expect(Math.min(...late)).toBeGreaterThanOrEqual(100);
    expect(Math.max(...late)).toBeLessThanOrEqual(100 + 60 + 5);
    // Failures every minute keep the client on the 10 s follow-up: half a follow-up plus half a
    // cache age late in the median, never at once.
    expect(quantileOf(late, 0.5) as number).toBeGreaterThan(103);
    expect(quantileOf(late, 0.5) as number).toBeLessThan(100 + 10 + 5);
  });

  it('shows another country called only while X fails here (failingElsewhereToo)', () => {
    const at = Array.from({ length: 500 }, (_, i) => badgeTime({ start, end: start + 3600_000, serverNonOperationalAt: null, elsewhereNonOperationalAt: start, horizon: start + 4000_000, rng: makeRng(7_000 + i) }));
    expect(at.every((t) => t !== null && t - start <= (60 + 10) * 1000)).toBe(true);
    // Failures stop after the first minute; the other country is called 10 minutes in: the user
    // is no longer failing, so the badge stays calm.
    const late = Array.from({ length: 500 }, (_, i) => badgeTime({ start, end: start + 1, serverNonOperationalAt: null, elsewhereNonOperationalAt: start + 600_000, horizon: start + 4000_000, rng: makeRng(8_000 + i) }));
    expect(late.every((t) => t === null)).toBe(true);
  });

  it('never shows what the server never said', () => {
    expect(runs(null, 3).every((t) => t === null)).toBe(true);
  });
});
