/** Small, dependency-free summary statistics for benchmark samples. */

export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new Error('quantile of an empty sample');
  if (!(q >= 0 && q <= 1)) throw new Error(`quantile q must be in [0, 1], got ${q}`);
  const sorted = [...values].sort((a, b) => a - b);
  // Linear interpolation between closest ranks (the usual "type 7" definition).
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (pos - lo);
}

export const median = (values: readonly number[]): number => quantile(values, 0.5);

export interface Spread {
  median: number;
  min: number;
  max: number;
  q1: number;
  q3: number;
  /** Interquartile range relative to the median: how noisy this sample is. */
  relativeIqr: number;
  n: number;
}

export function spread(values: readonly number[]): Spread {
  const m = median(values);
  const q1 = quantile(values, 0.25);
  const q3 = quantile(values, 0.75);
  return {
    median: m,
    min: Math.min(...values),
    max: Math.max(...values),
    q1,
    q3,
    relativeIqr: m === 0 ? 0 : (q3 - q1) / m,
    n: values.length,
  };
}

/** (with - without) / without. Negative results are noise and are reported as they are. */
export function overheadRatio(withCost: number, withoutCost: number): number {
  if (!(withoutCost > 0)) throw new Error(`baseline must be positive to compute a ratio, got ${withoutCost}`);
  return (withCost - withoutCost) / withoutCost;
}

/** Deterministic shuffle (so the interleaving order is reproducible from the seed). */
export function seededShuffle<T>(items: readonly T[], seed: number): T[] {
  let a = seed >>> 0;
  const rand = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

export const round = (x: number, digits = 4): number => Number(x.toFixed(digits));
