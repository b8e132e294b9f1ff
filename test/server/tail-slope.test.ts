/**
 * How the tail of the evidence grows with a cell's level (Taylor's power law). Blocks are made by
 * generators that are not the engine's model: Poisson counts on a daily rhythm (no growth
 * expected) and the same counts with a log-normal minute-to-minute factor and a slow hourly drift
 * (multiplicative noise: the evidence of a burst grows with the count).
 */
import { describe, expect, it } from 'vitest';
import { BLOCK_MS, DEFAULT_BASELINE, dispersionAt, expectationAt, MINUTE_MS, tailModelAt, type BlockSummary, type Expectation } from '../../src/server/detection/baseline.ts';
import { poissonLlr } from '../../src/server/detection/sequential.ts';
import { DEFAULT_THRESHOLDS } from '../../src/server/detection/thresholds.ts';
import { judge } from '../../src/server/detection/verdict.ts';
import { makeRng, normal, poisson } from '../../bench/simulate/random.ts';

const NOW = Date.UTC(2026, 2, 2, 12);
const DAYS = 28;

/** Usual failing people a minute at time t: a daily rhythm between 0.15x and 1x of `peak`. */
function usualAt(t: number, peak: number): number {
  const hour = (t / 3_600_000) % 24;
  return peak * (0.15 + 0.85 * Math.max(0, Math.sin(((hour - 5) * Math.PI) / 18)));
}

/**
 * 28 days of 15-minute blocks before NOW, each with its peak evidence as the engine keeps it (the
 * strongest stretch of the last 1..5 minutes against the usual level, a lone minute divided by the
 * single-minute factor). `sigma`: log-normal minute factor; `drift`: hourly log-AR(1) step.
 */
function history(seed: number, peak: number, sigma: number, drift: number): Map<number, BlockSummary> {
  const rng = makeRng(seed);
  const blocks = new Map<number, BlockSummary>();
  const from = Math.floor((NOW - DAYS * 86_400_000) / BLOCK_MS) * BLOCK_MS;
  const window: { x: number; e: number }[] = [];
  let level = 0;
  for (let b = from; b < NOW; b += BLOCK_MS) {
    const s: BlockSummary = { minutes: 15, failing: 0, failingSq: 0, active: 0, troubled: false, peak: 0, expected: 0 };
    for (let m = b; m < b + BLOCK_MS; m += MINUTE_MS) {
      if (m % 3_600_000 === 0) level = 0.9 * level + drift * normal(rng);
      const e = usualAt(m, peak);
      const mean = e * Math.exp(level + sigma * normal(rng) - (sigma * sigma) / 2);
      const x = poisson(rng, mean);
      s.failing += x;
      s.failingSq += x * x;
      s.expected = (s.expected ?? 0) + e;
      window.unshift({ x, e });
      window.length = Math.min(window.length, 5);
      let sum = 0;
      let exp = 0;
      window.forEach((w, k) => {
        sum += w.x;
        exp += w.e;
        const llr = poissonLlr(sum, exp) / (k === 0 ? DEFAULT_THRESHOLDS.singleMinuteFactor : 1);
        s.peak = Math.max(s.peak ?? 0, llr);
      });
    }
    blocks.set(b, s);
  }
  return blocks;
}

describe('the tail model', () => {
  it('reads no growth from Poisson counts, and growth near 1 from multiplicative noise', () => {
    for (const seed of [1, 2]) {
      const plain = history(seed, 40, 0, 0);
      const poissonOnly = tailModelAt(NOW, (b) => plain.get(b), DEFAULT_BASELINE);
      expect(poissonOnly).not.toBeNull();
      expect(poissonOnly?.slope).toBeLessThan(0.3);
      expect(poissonOnly?.dispersion).toBeLessThan(2);
      const multiplicative = history(seed + 10, 40, 0.35, 0.08);
      const model = tailModelAt(NOW, (b) => multiplicative.get(b), DEFAULT_BASELINE);
      expect(model?.slope).toBeGreaterThan(0.6);
      expect(model?.dispersion).toBeGreaterThan(3);
      // The level it was read at is the busy half of the day's.
      expect(model?.level).toBeGreaterThan(20);
      expect(model?.level).toBeLessThan(40);
    }
  });

  it('is null while too few blocks are known, and never grows when turned off', () => {
    expect(tailModelAt(NOW, () => undefined, DEFAULT_BASELINE)).toBeNull();
    const blocks = history(3, 40, 0.35, 0.08);
    expect(tailModelAt(NOW, (b) => blocks.get(b), { ...DEFAULT_BASELINE, maxTailSlope: 0 })?.slope).toBe(0);
  });

  it('leaves the dispersion as it is at and below the level it was read at', () => {
    const e: Expectation = { perMinute: 30, seasonal: 30, level: 1, share: null, dispersion: 4, tailDispersion: 4, tailLevel: 30, tailSlope: 1, source: 'week' };
    expect(dispersionAt(e, 10)).toBe(4);
    expect(dispersionAt(e, 30)).toBe(4);
    expect(dispersionAt(e, 300)).toBeCloseTo(40);
    expect(dispersionAt(e, 300_000)).toBe(DEFAULT_BASELINE.maxTailDispersion);
    expect(dispersionAt({ ...e, tailSlope: 0.5 }, 120)).toBeCloseTo(8);
    expect(dispersionAt({ ...e, tailLevel: undefined, tailSlope: undefined }, 300)).toBe(4);
  });
});

describe('a trending day (the same noise at eight times the level)', () => {
  const blocks = history(21, 40, 0.35, 0.08);
  const usual = expectationAt(NOW, (b) => blocks.get(b));
  // The share of active people failing stays as usual (0.5 % a minute).
  const share = 0.005;
  const exp: Expectation = { ...usual, share };
  /** Five minutes at `times` the busy level the tail was read at, the newest at `burst` times
   *  that and the four before at `rest` times it. */
  const window = (times: number, burst: number, rest: number) => {
    const perMinute = times * (usual.tailLevel ?? 0);
    const active = Math.round(perMinute / share);
    const counted: number[] = [];
    let sum = 0;
    for (let k = 0; k < 5; k++) {
      sum += Math.round(perMinute * (k === 0 ? burst : rest));
      counted.push(sum);
    }
    return { counted, networks: 500, active };
  };

  it('calls nothing on a burst the cell meets at its usual level', () => {
    expect(usual.tailSlope).toBeGreaterThan(0.6);
    // A 3x minute after four minutes 1.4x high: at the busy usual level, not called.
    expect(judge(window(1, 3, 1.4), exp, DEFAULT_THRESHOLDS).state).toBe('operational');
    expect(judge(window(8, 3, 1.4), exp, DEFAULT_THRESHOLDS).state).toBe('operational');
    // Without the growth, the same shape at eight times the level is called.
    const flat: Expectation = { ...exp, tailLevel: undefined, tailSlope: undefined };
    expect(judge(window(8, 3, 1.4), flat, DEFAULT_THRESHOLDS).state).not.toBe('operational');
  });

  it('still calls an outage that fails a tenth of the people on top of it', () => {
    const w = window(8, 1, 1);
    const outage = { ...w, counted: w.counted.map((c, k) => c + Math.round(0.1 * w.active * (k + 1))) };
    expect(judge(outage, exp, DEFAULT_THRESHOLDS).state).toBe('outage');
  });
});
