/**
 * Pure helpers behind scripts/gen-external-series.ts: 5-minute bucketing, CSV text, a seeded
 * random source and the injection of labelled upward anomalies into a copy of a real series.
 * No file or package access here, so the tests can check them on hand-written input.
 */
import { makeRng } from '../../bench/simulate/random.ts';

export const STEP_MS = 5 * 60_000;
export const DAY_MS = 86_400_000;

/** `YYYY-MM-DD HH:MM:SS` for a time taken as UTC (the flights' local clock times are stored so). */
export function formatTimestamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

const TS_RE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?Z?$/;

/** Reads `YYYY-MM-DD HH:MM:SS` (also with a `T`, a fraction as NAB writes, or a trailing Z). */
export function parseTimestamp(text: string): number {
  const m = TS_RE.exec(text.trim());
  if (!m) throw new Error(`timestamp "${text}" is not YYYY-MM-DD HH:MM:SS`);
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s);
}

/** Counts of events per fixed step on [from, to): index i is the step starting at from + i*step. */
export function bucketCounts(times: Iterable<number>, from: number, to: number, step = STEP_MS): number[] {
  const n = Math.round((to - from) / step);
  const counts = new Array<number>(n).fill(0);
  for (const t of times) {
    if (t < from || t >= to) continue;
    const i = Math.floor((t - from) / step);
    counts[i] = (counts[i] as number) + 1;
  }
  return counts;
}

export function seriesCsv(from: number, values: readonly number[], step = STEP_MS): string {
  const lines = ['timestamp,value'];
  values.forEach((v, i) => lines.push(`${formatTimestamp(from + i * step)},${v}`));
  return lines.join('\n') + '\n';
}

/** Seeded randomness to place and size anomalies reproducibly: the simulator's mulberry32. */
export const seededRandom = makeRng;

/** A Poisson draw (Knuth below 30, a rounded normal above). */
export function poisson(lambda: number, rand: () => number): number {
  if (lambda <= 0) return 0;
  if (lambda < 30) {
    let k = 0;
    for (let p = rand(), l = Math.exp(-lambda); p > l; p *= rand()) k++;
    return k;
  }
  const u = Math.max(rand(), 1e-12);
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
  return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * z));
}

/**
 * The local level at row i: the mean of the same clock time +-30 minutes on each of the 7 days
 * before (rows that exist), at least 1 count per step, so a quiet night still gets a visible rise.
 */
export function localLevel(values: readonly number[], i: number, step = STEP_MS): number {
  const perDay = Math.round(DAY_MS / step);
  const half = Math.max(0, Math.round(30 * 60_000 / step));
  let sum = 0;
  let n = 0;
  for (let d = 1; d <= 7; d++) {
    for (let k = -half; k <= half; k++) {
      const j = i - d * perDay + k;
      if (j < 0 || j >= values.length) continue;
      sum += values[j] as number;
      n++;
    }
  }
  return Math.max(1, n > 0 ? sum / n : 0);
}

export interface Injection {
  /** First and last row changed (inclusive), as indices and timestamps. */
  startIndex: number;
  endIndex: number;
  start: string;
  end: string;
  /** Extra counts per step on the plateau = factor x the local level. */
  factor: number;
  minutes: number;
  level: number;
  /** Counts added in all. */
  added: number;
}

export interface InjectOptions {
  seed: number;
  /** Sizes: the plateau adds factor x the local level (so +3 makes it about 4x the usual). */
  factors: readonly number[];
  /** Durations in minutes, each combined with each factor once. */
  durations: readonly number[];
  /** No anomaly starts before this many days (warm-up), nor within `gapHours` of another. */
  warmupDays?: number;
  gapHours?: number;
  step?: number;
}

/**
 * A copy of `values` with one upward anomaly for every factor x duration, at seeded random times:
 * a linear ramp over the first quarter of the duration (at least one step), then a plateau; the
 * extra counts are Poisson draws around factor x local level x ramp, at least 1 on every row.
 * Returns the windows changed.
 */
export function injectAnomalies(values: readonly number[], from: number, opts: InjectOptions): { values: number[]; injections: Injection[] } {
  const step = opts.step ?? STEP_MS;
  const rand = seededRandom(opts.seed);
  const out = values.slice();
  const warmup = Math.round(((opts.warmupDays ?? 7) * DAY_MS) / step);
  const gap = Math.round(((opts.gapHours ?? 12) * 3_600_000) / step);
  const plan: { factor: number; minutes: number }[] = [];
  for (const factor of opts.factors) for (const minutes of opts.durations) plan.push({ factor, minutes });
  // Shuffle so sizes and durations are not in order along the series.
  for (let i = plan.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [plan[i], plan[j]] = [plan[j] as (typeof plan)[number], plan[i] as (typeof plan)[number]];
  }
  const taken: [number, number][] = [];
  const injections: Injection[] = [];
  for (const { factor, minutes } of plan) {
    const len = Math.max(1, Math.round((minutes * 60_000) / step));
    let startIndex = -1;
    for (let attempt = 0; attempt < 1000 && startIndex < 0; attempt++) {
      const s = warmup + Math.floor(rand() * Math.max(1, values.length - warmup - len - gap));
      const e = s + len - 1;
      if (e >= values.length) continue;
      if (taken.every(([a, b]) => e + gap < a || s > b + gap)) startIndex = s;
    }
    if (startIndex < 0) throw new Error(`no room for a ${minutes}-minute anomaly: the series is too short for ${plan.length} anomalies`);
    const endIndex = startIndex + len - 1;
    taken.push([startIndex, endIndex]);
    const level = localLevel(values, startIndex, step);
    const ramp = Math.max(1, Math.round(len / 4));
    let added = 0;
    for (let k = 0; k < len; k++) {
      // At least one: every row of a window is changed, so the labels are exactly the rows changed.
      const extra = Math.max(1, poisson(factor * level * Math.min(1, (k + 1) / ramp), rand));
      out[startIndex + k] = (out[startIndex + k] as number) + extra;
      added += extra;
    }
    injections.push({
      startIndex,
      endIndex,
      start: formatTimestamp(from + startIndex * step),
      end: formatTimestamp(from + endIndex * step),
      factor,
      minutes,
      level: Math.round(level * 100) / 100,
      added,
    });
  }
  injections.sort((a, b) => a.startIndex - b.startIndex);
  return { values: out, injections };
}
