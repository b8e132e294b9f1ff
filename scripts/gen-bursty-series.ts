/**
 * Synthetic social-media mention-volume series with labelled anomalies.
 *
 *   npx tsx scripts/gen-bursty-series.ts OUTDIR [--seeds 1,2,3] [--weeks 8]
 *
 * For each seed writes OUTDIR/bursty-<seed>.csv (`timestamp,value`, 5-minute UTC rows),
 * OUTDIR/bursty-<seed>.labels.json (inclusive [start, end] row-timestamp windows, one per
 * labelled anomaly) and OUTDIR/bursty-<seed>.truth.json (every injected component, labelled or
 * not, for debugging).
 *
 * THIS IS A WORLD MADE BY HAND, NOT REAL DATA. Every shape and parameter range below was written
 * from general knowledge of what counts of posts mentioning a company or brand look like; nothing
 * was fitted to, or checked against, any real data set or any detector. Use it to exercise a
 * detector on plausible structure, not to claim real-world accuracy.
 *
 * What is modelled (all parameters drawn per seed from the ranges in `drawParams`):
 *  - Level: a baseline mean per row drawn log-uniformly from 3 to 300.
 *  - Daily rhythm in the audience's local time (trough around 3-6 am, broad afternoon/evening
 *    peak), peak-to-trough ratio 1.8-7, optionally blended with a second audience time zone;
 *    weekly rhythm (weekend level 0.6-1.2 of weekdays, flatter and later on weekends, Monday and
 *    Friday nudges).
 *  - Slow drift (Ornstein-Uhlenbeck on log level, plus a linear trend) and a few lasting level
 *    shifts (interest ramping up or down over hours to days, permanent or fading after days).
 *  - Over-dispersed count noise: an AR(1) log-intensity with Student-t innovations (momentum
 *    of conversation, heavy-tailed) times a gamma-Poisson (negative binomial) draw per row.
 *  - Ordinary, unlabelled bursts: a self-exciting (Hawkes-like) cluster process. Immigrants arrive
 *    at a few per day following the daily rhythm; each spawns children (branching ratio 0.2-0.5)
 *    at exponential delays. Peak extra volume follows a truncated power law (tail index 1.4-2.0)
 *    from 0.4x to 8x the level (geometric mean of time-of-day and daily-mean level, scaled by
 *    0.7-1.5 so that small series are relatively burstier); decay is exponential or power-law
 *    with time scales from minutes to a few hours, occasionally a plateau (livestream, TV spot).
 *    A separate "minor news" class (0.3-1.5 a week, 2-7x the daily-mean level, decay time 40-180
 *    minutes, with follow-up cascades) gives unlabelled
 *    events that come close to the smaller labelled ones.
 *  - Data-collection glitches (unlabelled): API outages (rows of 0 or near 0, 5 min to 3 h),
 *    sometimes a partial-collection stretch (40-70% of the volume for hours), and sometimes a gap
 *    where rows are missing from the file altogether.
 *  - Labelled anomalies, about one per 2-3 weeks, never in the first 8 days: earnings surprises,
 *    product launches (with an anticipation ramp), scandals (several waves) and service outages
 *    (a plateau of complaints while the service is down). Peak excess is 8-100x the larger of the
 *    daily-mean level and the time-of-day level, decaying over hours (fast time constant 15-180
 *    minutes plus a slow tail of 2-10 hours), some lasting most of a day, with aftershock cascades.
 *    The label window runs from the first row where the event's expected excess reaches half the
 *    daily-mean level (or 1% of its own peak, if higher) to the last such row, plus 30 minutes.
 *
 * Assumptions made: a single audience time zone dominates (no daylight-saving shifts); the
 * baseline is multiplicative (rhythm x drift x shifts x noise) while bursts and events add to it;
 * ordinary burst sizes scale with the local level (slightly more relative burstiness for small
 * series); labelled events scale with the daily-mean level (or the time-of-day level when that is
 * higher), so a night-time event stands out more against its surroundings; glitches never overlap
 * a labelled window; the collector does not backfill posts missed during an outage; holidays and
 * spam/bot floods are not modelled.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { makeRng } from '../bench/simulate/random.ts';

const STEP_MS = 5 * 60 * 1000;
const ROWS_PER_HOUR = 12;
const ROWS_PER_DAY = 288;
const MIN_PER_ROW = 5;

// ---------------------------------------------------------------------------------------------
// Random numbers

function mixSeed(seed: number, stream: number): number {
  let h = (seed * 0x9e3779b1 + stream * 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

function lgamma(x: number): number {
  // Lanczos approximation, x > 0.
  const g = 7;
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  const xx = x - 1;
  let a = c[0] ?? 1;
  const t = xx + g + 0.5;
  for (let i = 1; i < g + 2; i++) a += (c[i] ?? 0) / (xx + i);
  return 0.5 * Math.log(2 * Math.PI) + (xx + 0.5) * Math.log(t) - t + Math.log(a);
}

class Random {
  private readonly next: () => number;
  private spare: number | null = null;

  constructor(seed: number) {
    this.next = makeRng(seed);
  }

  u(): number {
    return this.next();
  }

  uniform(a: number, b: number): number {
    return a + (b - a) * this.next();
  }

  logUniform(a: number, b: number): number {
    return Math.exp(this.uniform(Math.log(a), Math.log(b)));
  }

  int(a: number, b: number): number {
    return a + Math.floor(this.next() * (b - a + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from empty list');
    return item;
  }

  weighted<T>(items: readonly (readonly [T, number])[]): T {
    const total = items.reduce((s, [, w]) => s + w, 0);
    let r = this.next() * total;
    for (const [item, w] of items) {
      r -= w;
      if (r <= 0) return item;
    }
    const last = items[items.length - 1];
    if (last === undefined) throw new Error('weighted pick from empty list');
    return last[0];
  }

  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    let v = 0;
    let s = 0;
    do {
      u = this.next() * 2 - 1;
      v = this.next() * 2 - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const m = Math.sqrt((-2 * Math.log(s)) / s);
    this.spare = v * m;
    return u * m;
  }

  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }

  gamma(shape: number): number {
    // Marsaglia-Tsang; unit scale.
    if (shape < 1) return this.gamma(shape + 1) * Math.pow(this.next() || 1e-12, 1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x = 0;
      let v = 0;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.next();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v;
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  }

  studentT(nu: number): number {
    return this.normal() / Math.sqrt((2 * this.gamma(nu / 2)) / nu);
  }

  poisson(mean: number): number {
    if (!(mean > 0)) return 0;
    if (mean < 12) {
      const limit = Math.exp(-mean);
      let k = 0;
      let p = this.next();
      while (p > limit) {
        k++;
        p *= this.next();
      }
      return k;
    }
    // PTRS, Hörmann (1993).
    const slam = Math.sqrt(mean);
    const loglam = Math.log(mean);
    const b = 0.931 + 2.53 * slam;
    const a = -0.059 + 0.02483 * b;
    const invalpha = 1.1239 + 1.1328 / (b - 3.4);
    const vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const u = this.next() - 0.5;
      const v = this.next();
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + mean + 0.43);
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (Math.log(v) + Math.log(invalpha) - Math.log(a / (us * us) + b) <= -mean + k * loglam - lgamma(k + 1)) {
        return k;
      }
    }
  }

  /** Negative binomial with the given mean and gamma shape k (variance mean + mean^2 / k). */
  negBinomial(mean: number, k: number): number {
    if (!(mean > 0)) return 0;
    return this.poisson((mean * this.gamma(k)) / k);
  }

  /** Pareto with minimum xmin and tail index alpha, truncated at xmax. */
  truncPareto(xmin: number, alpha: number, xmax: number): number {
    const fmax = 1 - Math.pow(xmin / xmax, alpha);
    const u = this.next() * fmax;
    return xmin / Math.pow(1 - u, 1 / alpha);
  }
}

// ---------------------------------------------------------------------------------------------
// Small helpers

function get(a: ArrayLike<number>, i: number): number {
  return a[i] ?? 0;
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function formatTs(ms: number): string {
  const d = new Date(ms);
  return (
    `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`
  );
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const idx = clamp(Math.round(q * (sorted.length - 1)), 0, sorted.length - 1);
  return sorted[idx] ?? 0;
}

// ---------------------------------------------------------------------------------------------
// Parameters per seed

interface TimeZone {
  readonly name: string;
  readonly offsetHours: number;
}

const TIME_ZONES: readonly (readonly [TimeZone, number])[] = [
  [{ name: 'US Eastern', offsetHours: -5 }, 0.33],
  [{ name: 'US Pacific', offsetHours: -8 }, 0.2],
  [{ name: 'US Central', offsetHours: -6 }, 0.05],
  [{ name: 'UK', offsetHours: 0 }, 0.1],
  [{ name: 'Central Europe', offsetHours: 1 }, 0.1],
  [{ name: 'Japan', offsetHours: 9 }, 0.08],
  [{ name: 'India', offsetHours: 5.5 }, 0.05],
  [{ name: 'Brazil', offsetHours: -3 }, 0.07],
];

interface Params {
  readonly seed: number;
  readonly weeks: number;
  readonly startMs: number;
  readonly baseLevel: number;
  readonly tz: TimeZone;
  readonly tz2: TimeZone | null;
  readonly tz2Weight: number;
  readonly dailyRatio: number;
  readonly peakHour: number;
  readonly harmonic2: number;
  readonly harmonic2Peak: number;
  readonly weekendLevel: number;
  readonly weekendFlatten: number;
  readonly weekendShiftHours: number;
  readonly mondayLevel: number;
  readonly fridayLevel: number;
  readonly driftSd: number;
  readonly driftDays: number;
  readonly trendTotal: number;
  readonly levelShiftsPer8Weeks: number;
  readonly arPhi: number;
  readonly arSd: number;
  readonly arNu: number;
  readonly nbShape: number;
  readonly burstsPerDay: number;
  readonly branching: number;
  readonly childDelayMin: number;
  readonly burstAlpha: number;
  readonly burstScale: number;
  readonly minorNewsPerWeek: number;
  readonly outagesPer8Weeks: number;
  readonly gapChance: number;
  readonly partialChance: number;
}

function drawParams(seed: number, weeks: number, rng: Random): Params {
  const dayIndex = rng.int(0, 1095 - weeks * 7); // start somewhere in 2014-2016 (any day of week)
  const startMs = Date.UTC(2014, 0, 1) + dayIndex * 86_400_000;
  const baseLevel = rng.logUniform(3, 300);
  const tz = rng.weighted(TIME_ZONES);
  const tz2 = rng.chance(0.45) ? rng.weighted(TIME_ZONES) : null;
  const peakHour = rng.uniform(13.5, 21);
  return {
    seed,
    weeks,
    startMs,
    baseLevel,
    tz,
    tz2: tz2 !== null && tz2.name !== tz.name ? tz2 : null,
    tz2Weight: rng.uniform(0.1, 0.4),
    dailyRatio: rng.logUniform(1.8, 7),
    peakHour,
    harmonic2: rng.uniform(0.1, 0.4),
    harmonic2Peak: peakHour - rng.uniform(2, 6),
    weekendLevel: rng.uniform(0.6, 1.2),
    weekendFlatten: rng.uniform(0.65, 1),
    weekendShiftHours: rng.uniform(0.5, 2),
    mondayLevel: rng.uniform(0.98, 1.1),
    fridayLevel: rng.uniform(0.88, 1.02),
    driftSd: rng.uniform(0.06, 0.22),
    driftDays: rng.uniform(3, 14),
    trendTotal: rng.uniform(-0.3, 0.45),
    levelShiftsPer8Weeks: rng.uniform(0.5, 2.5),
    arPhi: rng.uniform(0.55, 0.9),
    arSd: rng.uniform(0.06, 0.22),
    arNu: rng.uniform(2.5, 5),
    nbShape: rng.logUniform(4, 40),
    burstsPerDay: rng.uniform(3, 10),
    branching: rng.uniform(0.2, 0.5),
    childDelayMin: rng.uniform(15, 90),
    burstAlpha: rng.uniform(1.4, 2.0),
    burstScale: clamp(Math.pow(30 / baseLevel, 0.15), 0.7, 1.5),
    minorNewsPerWeek: rng.uniform(0.3, 1.5),
    outagesPer8Weeks: rng.uniform(1, 3.5),
    gapChance: 0.6,
    partialChance: 0.3,
  };
}

// ---------------------------------------------------------------------------------------------
// Rhythm

function localHourAndDay(ms: number, offsetHours: number): { hour: number; dow: number } {
  const local = ms + offsetHours * 3_600_000;
  const d = new Date(local);
  return { hour: d.getUTCHours() + d.getUTCMinutes() / 60, dow: d.getUTCDay() };
}

/** Unnormalised log daily profile, range scaled later. */
function rawProfile(p: Params, hour: number, weekend: boolean): number {
  const shift = weekend ? p.weekendShiftHours : 0;
  const h1 = (2 * Math.PI * (hour - p.peakHour - shift)) / 24;
  const h2 = (4 * Math.PI * (hour - p.harmonic2Peak - shift)) / 24;
  return Math.cos(h1) + p.harmonic2 * Math.cos(h2);
}

class Rhythm {
  private readonly amp: number;
  private readonly norm: number;

  constructor(private readonly p: Params) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < 288; i++) {
      const g = rawProfile(p, i / 12, false);
      lo = Math.min(lo, g);
      hi = Math.max(hi, g);
    }
    this.amp = Math.log(p.dailyRatio) / (hi - lo);
    let sum = 0;
    for (let i = 0; i < 288; i++) sum += Math.exp(this.amp * rawProfile(p, i / 12, false));
    this.norm = sum / 288;
  }

  private single(ms: number, tz: TimeZone): number {
    const { hour, dow } = localHourAndDay(ms, tz.offsetHours);
    const weekend = dow === 0 || dow === 6;
    const amp = weekend ? this.amp * this.p.weekendFlatten : this.amp;
    const daily = Math.exp(amp * rawProfile(this.p, hour, weekend)) / this.norm;
    let weekly = 1;
    if (weekend) weekly = this.p.weekendLevel;
    else if (dow === 1) weekly = this.p.mondayLevel;
    else if (dow === 5) weekly = this.p.fridayLevel;
    return daily * weekly;
  }

  /** Multiplier (around 1 on average) of the baseline level at this instant. */
  at(ms: number): number {
    const main = this.single(ms, this.p.tz);
    if (this.p.tz2 === null) return main;
    return (1 - this.p.tz2Weight) * main + this.p.tz2Weight * this.single(ms, this.p.tz2);
  }
}

// ---------------------------------------------------------------------------------------------
// Components

interface LevelShift {
  readonly startRow: number;
  readonly rampRows: number;
  readonly logMagnitude: number;
  readonly kind: 'persistent' | 'temporary';
  readonly holdRows: number;
  readonly fadeRows: number;
}

interface Burst {
  readonly id: number;
  readonly kind: 'cascade' | 'minor-news';
  readonly row: number;
  readonly parent: number | null;
  readonly generation: number;
  readonly mult: number;
  readonly riseRows: number;
  readonly plateauRows: number;
  readonly tauMin: number;
  readonly decay: 'exponential' | 'power-law';
  peakExtra: number;
}

type EventKind = 'earnings' | 'launch' | 'scandal' | 'outage';

interface Wave {
  readonly offsetRows: number;
  readonly size: number; // fraction of peak
  readonly tauMin: number;
}

interface LabelledEvent {
  readonly kind: EventKind;
  readonly onsetRow: number;
  readonly peak: number; // multiple of baseline level at onset
  readonly baselineAtOnset: number;
  readonly rampRows: number;
  readonly rampFrac: number;
  readonly riseRows: number;
  readonly plateauRows: number;
  readonly plateauEndFrac: number;
  readonly tau1Min: number;
  readonly slowWeight: number;
  readonly tau2Min: number;
  readonly waves: Wave[];
  windowStartRow: number;
  windowEndRow: number;
}

interface Glitch {
  readonly kind: 'api-outage-zero' | 'api-outage-low' | 'partial-collection' | 'gap';
  readonly startRow: number;
  readonly rows: number;
  readonly factor: number;
}

/** Excess of a labelled event at row offset d from onset, in multiples of its baseline. */
function eventShape(e: LabelledEvent, d: number): number {
  let v = 0;
  if (d < 0) {
    if (e.rampRows > 0 && d >= -e.rampRows) {
      const tauRows = e.rampRows / 3;
      v = e.peak * e.rampFrac * Math.exp(d / tauRows);
    }
  } else if (d < e.riseRows) {
    v = (e.peak * (d + 1)) / (e.riseRows + 1);
  } else {
    const t = d - e.riseRows;
    if (t < e.plateauRows) {
      const frac = 1 - ((1 - e.plateauEndFrac) * t) / Math.max(1, e.plateauRows);
      v = e.peak * frac;
    } else {
      const s = (t - e.plateauRows) * MIN_PER_ROW;
      const top = e.plateauRows > 0 ? e.plateauEndFrac : 1;
      v = e.peak * top * ((1 - e.slowWeight) * Math.exp(-s / e.tau1Min) + e.slowWeight * Math.exp(-s / e.tau2Min));
    }
  }
  for (const w of e.waves) {
    const dw = d - w.offsetRows;
    if (dw >= 0) v += e.peak * w.size * (dw === 0 ? 0.6 : Math.exp(-((dw - 1) * MIN_PER_ROW) / w.tauMin));
  }
  // Taper so no event drags on past about a day and a half.
  const hours = d / ROWS_PER_HOUR;
  if (hours > 24) v *= Math.exp(-(hours - 24) / 2);
  return v;
}

function burstShape(b: Burst, d: number): number {
  if (d < 0) return 0;
  if (d < b.riseRows) return (b.peakExtra * (d + 1)) / (b.riseRows + 1);
  const t = d - b.riseRows;
  if (t < b.plateauRows) return b.peakExtra * (0.85 + 0.15 * Math.cos(t));
  const s = (t - b.plateauRows) * MIN_PER_ROW;
  if (b.decay === 'exponential') return b.peakExtra * Math.exp(-s / b.tauMin);
  return b.peakExtra * Math.pow(1 + s / b.tauMin, -1.6);
}

// ---------------------------------------------------------------------------------------------
// Generation

export interface Series {
  readonly timestamps: string[];
  readonly values: number[];
  readonly labels: [string, string][];
  readonly truth: object;
}

export function generate(seed: number, weeks: number): Series {
  const rng = new Random(mixSeed(seed, 1));
  const p = drawParams(seed, weeks, rng);
  const n = weeks * 7 * ROWS_PER_DAY;
  const msAt = (row: number): number => p.startMs + row * STEP_MS;
  const rhythm = new Rhythm(p);
  const rhythmArr = new Float64Array(n);
  for (let i = 0; i < n; i++) rhythmArr[i] = rhythm.at(msAt(i));

  // --- slow drift: OU on log level at hourly resolution, plus a linear trend
  const hours = Math.ceil(n / ROWS_PER_HOUR) + 2;
  const ou = new Float64Array(hours);
  const T = p.driftDays * 24;
  let x = rng.normal() * p.driftSd;
  for (let h = 0; h < hours; h++) {
    ou[h] = x;
    x = x * (1 - 1 / T) + p.driftSd * Math.sqrt(2 / T) * rng.normal();
  }
  const logLevel = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const h = Math.floor(i / ROWS_PER_HOUR);
    const f = (i % ROWS_PER_HOUR) / ROWS_PER_HOUR;
    logLevel[i] = get(ou, h) * (1 - f) + get(ou, h + 1) * f + p.trendTotal * (i / n - 0.5);
  }

  // --- lasting level shifts
  const levelShifts: LevelShift[] = [];
  const nShifts = rng.poisson((p.levelShiftsPer8Weeks * weeks) / 8);
  for (let k = 0; k < nShifts; k++) {
    const up = rng.chance(0.7);
    const shift: LevelShift = {
      startRow: rng.int(ROWS_PER_DAY, n - ROWS_PER_DAY),
      rampRows: Math.round(rng.logUniform(6, 72) * ROWS_PER_HOUR),
      logMagnitude: (up ? 1 : -1) * rng.uniform(0.15, up ? 0.5 : 0.35),
      kind: rng.chance(0.35) ? 'persistent' : 'temporary',
      holdRows: Math.round(rng.uniform(2, 12) * ROWS_PER_DAY),
      fadeRows: Math.round(rng.uniform(1, 5) * ROWS_PER_DAY),
    };
    levelShifts.push(shift);
    for (let i = shift.startRow; i < n; i++) {
      const d = i - shift.startRow;
      let f = Math.min(1, d / shift.rampRows);
      f = 0.5 - 0.5 * Math.cos(Math.PI * f);
      if (shift.kind === 'temporary') {
        const after = d - shift.rampRows - shift.holdRows;
        if (after > 0) f *= Math.max(0, 1 - after / shift.fadeRows);
        if (after > shift.fadeRows) break;
      }
      logLevel[i] = get(logLevel, i) + shift.logMagnitude * f;
    }
  }

  const baseline = new Float64Array(n); // level without daily rhythm
  const local = new Float64Array(n); // expected level with rhythm
  for (let i = 0; i < n; i++) {
    baseline[i] = p.baseLevel * Math.exp(get(logLevel, i));
    local[i] = get(baseline, i) * get(rhythmArr, i);
  }

  // --- labelled events
  const events: LabelledEvent[] = [];
  const eventExtra = new Float64Array(n);
  const firstRow = 8 * ROWS_PER_DAY + ROWS_PER_HOUR * 6;
  const lastRow = n - 2 * ROWS_PER_DAY;
  const nEvents = Math.max(1, Math.min(Math.floor((lastRow - firstRow) / (4 * ROWS_PER_DAY)) + 1, Math.floor(weeks / rng.uniform(2, 3.2) + rng.u())));
  const seg = (lastRow - firstRow) / nEvents;
  const wrapLocalHour = (row: number, wantHour: number): number => {
    // Move row to the nearest row (same day or next) whose local hour is wantHour.
    const { hour } = localHourAndDay(msAt(row), p.tz.offsetHours);
    let delta = wantHour - hour;
    if (delta < -12) delta += 24;
    if (delta > 12) delta -= 24;
    return row + Math.round(delta * ROWS_PER_HOUR);
  };
  for (let k = 0; k < nEvents; k++) {
    const kind = rng.pick<EventKind>(['earnings', 'launch', 'scandal', 'outage']);
    let row = Math.floor(firstRow + seg * k + rng.uniform(0.15, 0.85) * seg);
    if (kind === 'earnings') row = wrapLocalHour(row, rng.chance(0.7) ? 16 + 1 / 12 : 7 + rng.uniform(0, 1));
    else if (kind === 'launch') row = wrapLocalHour(row, rng.uniform(9, 13));
    else if (kind === 'scandal') row = wrapLocalHour(row, rng.uniform(6, 23.5));
    row = clamp(row, firstRow, lastRow);
    const peakRef = Math.max(1, get(rhythmArr, row));
    const peak = rng.logUniform(8, 100) * peakRef;
    const waves: Wave[] = [];
    let rampRows = 0;
    let rampFrac = 0;
    let riseRows = rng.int(0, 2);
    let plateauRows = 0;
    let plateauEndFrac = 1;
    let tau1Min = 60;
    let slowWeight = 0.1;
    let tau2Min = 240;
    switch (kind) {
      case 'earnings':
        tau1Min = rng.uniform(20, 90);
        slowWeight = rng.uniform(0.08, 0.25);
        tau2Min = rng.uniform(2, 6) * 60;
        if (rng.chance(0.5)) {
          waves.push({ offsetRows: Math.round(rng.uniform(15, 19) * ROWS_PER_HOUR), size: rng.uniform(0.08, 0.25), tauMin: rng.uniform(45, 120) });
        }
        break;
      case 'launch':
        rampRows = Math.round(rng.uniform(1, 6) * ROWS_PER_HOUR);
        rampFrac = rng.uniform(0.1, 0.3);
        riseRows = rng.int(1, 3);
        plateauRows = rng.int(6, 24);
        plateauEndFrac = rng.uniform(0.5, 0.85);
        tau1Min = rng.uniform(45, 180);
        slowWeight = rng.uniform(0.15, 0.35);
        tau2Min = rng.uniform(4, 10) * 60;
        break;
      case 'scandal': {
        tau1Min = rng.uniform(40, 120);
        slowWeight = rng.uniform(0.1, 0.3);
        tau2Min = rng.uniform(4, 10) * 60;
        const nWaves = rng.int(1, 3);
        for (let w = 0; w < nWaves; w++) {
          waves.push({ offsetRows: Math.round(rng.uniform(1, 8) * ROWS_PER_HOUR), size: rng.uniform(0.2, 0.6), tauMin: rng.uniform(30, 120) });
        }
        break;
      }
      case 'outage':
        riseRows = rng.int(1, 3);
        plateauRows = Math.round(rng.logUniform(20, 240) / MIN_PER_ROW);
        plateauEndFrac = rng.uniform(0.6, 0.95);
        tau1Min = rng.uniform(15, 45);
        slowWeight = rng.uniform(0.05, 0.15);
        tau2Min = rng.uniform(2, 5) * 60;
        break;
    }
    // Aftershock cascades: people quoting, follow-up stories.
    const nAfter = rng.int(2, 6);
    for (let a = 0; a < nAfter; a++) {
      waves.push({ offsetRows: Math.round(rng.exponential(2) * ROWS_PER_HOUR) + 1, size: rng.uniform(0.05, 0.25), tauMin: rng.uniform(10, 40) });
    }
    const ev: LabelledEvent = {
      kind,
      onsetRow: row,
      peak,
      baselineAtOnset: get(baseline, row),
      rampRows,
      rampFrac,
      riseRows,
      plateauRows,
      plateauEndFrac,
      tau1Min,
      slowWeight,
      tau2Min,
      waves,
      windowStartRow: row,
      windowEndRow: row,
    };
    const peakExcess = ev.baselineAtOnset * ev.peak;
    let first = -1;
    let last = -1;
    const from = Math.max(0, row - rampRows);
    const to = Math.min(n - 1, row + 40 * ROWS_PER_HOUR);
    for (let i = from; i <= to; i++) {
      const e = ev.baselineAtOnset * eventShape(ev, i - row);
      eventExtra[i] = get(eventExtra, i) + e;
      if (e >= Math.max(0.5 * get(baseline, i), 0.01 * peakExcess)) {
        if (first < 0) first = i;
        last = i;
      }
    }
    ev.windowStartRow = first < 0 ? row : first;
    ev.windowEndRow = Math.min(n - 1, (last < 0 ? row : last) + 6);
    events.push(ev);
  }

  // --- ordinary bursts (Hawkes-like clusters) and minor news
  const bursts: Burst[] = [];
  const burstExtra = new Float64Array(n);
  let nextId = 0;
  const makeBurst = (kind: Burst['kind'], row: number, parent: number | null, generation: number, mult: number): Burst => {
    const big = kind === 'minor-news';
    const tau = big
      ? rng.uniform(40, 180)
      : clamp(Math.exp(Math.log(15) + 0.8 * rng.normal()) * Math.pow(1 + mult, 0.35), 3, 240);
    return {
      id: nextId++,
      kind,
      row,
      parent,
      generation,
      mult,
      riseRows: big ? rng.int(0, 3) : rng.chance(0.6) ? 0 : rng.int(1, 2),
      plateauRows: !big && rng.chance(0.1) ? rng.int(3, 18) : 0,
      tauMin: tau,
      decay: rng.chance(0.5) ? 'exponential' : 'power-law',
      peakExtra: 0,
    };
  };
  const queue: Burst[] = [];
  for (let h = 0; h * ROWS_PER_HOUR < n; h++) {
    const row0 = h * ROWS_PER_HOUR;
    const act = get(rhythmArr, row0);
    const count = rng.poisson((p.burstsPerDay / 24) * act);
    for (let c = 0; c < count; c++) {
      const row = row0 + rng.int(0, ROWS_PER_HOUR - 1);
      if (row >= n) continue;
      queue.push(makeBurst('cascade', row, null, 0, rng.truncPareto(0.4, p.burstAlpha, 8)));
    }
  }
  for (let d = 0; d < weeks * 7; d++) {
    const count = rng.poisson(p.minorNewsPerWeek / 7);
    for (let c = 0; c < count; c++) {
      const tzHour = rng.uniform(7, 23);
      const row = clamp(wrapLocalHour(d * ROWS_PER_DAY + ROWS_PER_DAY / 2, tzHour), 0, n - 1);
      queue.push(makeBurst('minor-news', row, null, 0, rng.logUniform(2, 7)));
    }
  }
  while (queue.length > 0) {
    const b = queue.pop();
    if (b === undefined) break;
    bursts.push(b);
    if (b.generation >= 6) continue;
    const kids = rng.poisson(b.kind === 'minor-news' ? 1.5 : p.branching);
    for (let c = 0; c < kids; c++) {
      const row = b.row + 1 + Math.round(rng.exponential(p.childDelayMin) / MIN_PER_ROW);
      if (row >= n) continue;
      const mult = rng.truncPareto(0.4, p.burstAlpha, 8) * (b.kind === 'minor-news' ? 0.8 : 0.7);
      queue.push(makeBurst('cascade', row, b.id, b.generation + 1, mult));
    }
  }
  bursts.sort((a, b) => a.row - b.row || a.id - b.id);
  for (const b of bursts) {
    const ref = b.kind === 'minor-news' ? get(baseline, b.row) : Math.sqrt(get(local, b.row) * get(baseline, b.row));
    b.peakExtra = b.mult * ref * p.burstScale;
    const horizon = Math.min(n - 1, b.row + 48 * ROWS_PER_HOUR);
    for (let i = b.row; i <= horizon; i++) {
      const v = burstShape(b, i - b.row);
      if (i - b.row > b.riseRows + b.plateauRows && v < 0.01 * b.peakExtra) break;
      burstExtra[i] = get(burstExtra, i) + v;
    }
  }

  // --- glitches, kept well away from labelled windows
  const glitches: Glitch[] = [];
  const clear = (start: number, rows: number): boolean => {
    for (const e of events) {
      if (start + rows > e.windowStartRow - 6 * ROWS_PER_HOUR && start < e.windowEndRow + 6 * ROWS_PER_HOUR) return false;
    }
    for (const g of glitches) {
      if (start + rows > g.startRow - ROWS_PER_HOUR && start < g.startRow + g.rows + ROWS_PER_HOUR) return false;
    }
    return true;
  };
  const place = (rows: number): number | null => {
    for (let attempt = 0; attempt < 50; attempt++) {
      const start = rng.int(ROWS_PER_DAY, n - ROWS_PER_DAY - rows);
      if (clear(start, rows)) return start;
    }
    return null;
  };
  const nOutages = rng.poisson((p.outagesPer8Weeks * weeks) / 8);
  for (let k = 0; k < nOutages; k++) {
    const rows = Math.max(1, Math.round(rng.logUniform(1, 36)));
    const start = place(rows);
    if (start === null) continue;
    const zero = rng.chance(0.7);
    glitches.push({ kind: zero ? 'api-outage-zero' : 'api-outage-low', startRow: start, rows, factor: zero ? 0 : rng.uniform(0.02, 0.2) });
  }
  if (rng.chance(p.partialChance)) {
    const rows = Math.round(rng.uniform(2, 12) * ROWS_PER_HOUR);
    const start = place(rows);
    if (start !== null) glitches.push({ kind: 'partial-collection', startRow: start, rows, factor: rng.uniform(0.4, 0.7) });
  }
  const nGaps = rng.chance(p.gapChance) ? (rng.chance(0.25) ? 2 : 1) : 0;
  for (let k = 0; k < nGaps; k++) {
    const rows = Math.round(rng.logUniform(6, 72));
    const start = place(rows);
    if (start !== null) glitches.push({ kind: 'gap', startRow: start, rows, factor: 0 });
  }
  glitches.sort((a, b) => a.startRow - b.startRow);
  const collect = new Float64Array(n).fill(1);
  const missing = new Uint8Array(n);
  for (const g of glitches) {
    for (let i = g.startRow; i < Math.min(n, g.startRow + g.rows); i++) {
      if (g.kind === 'gap') missing[i] = 1;
      else collect[i] = g.factor;
    }
  }

  // --- noise and counts
  const values: number[] = [];
  const timestamps: string[] = [];
  const stationarySd = p.arSd;
  const innovSd = stationarySd * Math.sqrt(1 - p.arPhi * p.arPhi);
  const tScale = Math.sqrt((p.arNu - 2) / p.arNu);
  let ar = rng.normal() * stationarySd;
  const rowValue: number[] = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    ar = clamp(p.arPhi * ar + innovSd * tScale * rng.studentT(p.arNu), -1.5, 1.5);
    const mean = (get(local, i) + get(burstExtra, i) + get(eventExtra, i)) * Math.exp(ar) * get(collect, i);
    const v = get(collect, i) === 0 ? 0 : rng.negBinomial(mean, p.nbShape);
    rowValue[i] = v;
    if (get(missing, i) === 1) continue;
    timestamps.push(formatTs(msAt(i)));
    values.push(v);
  }

  // --- labels (windows never touch gaps, but snap to existing rows anyway)
  const existing = (row: number, dir: 1 | -1): number => {
    let r = row;
    while (r >= 0 && r < n && get(missing, r) === 1) r += dir;
    return clamp(r, 0, n - 1);
  };
  const labels: [string, string][] = events
    .slice()
    .sort((a, b) => a.windowStartRow - b.windowStartRow)
    .map((e) => [formatTs(msAt(existing(e.windowStartRow, 1))), formatTs(msAt(existing(e.windowEndRow, -1)))]);

  const peakObserved = (e: LabelledEvent): number => {
    let m = 0;
    for (let i = e.windowStartRow; i <= e.windowEndRow; i++) m = Math.max(m, rowValue[i] ?? 0);
    return m;
  };

  const truth = {
    note: 'Hand-made synthetic world, not real data. Rows are indexed on the full 5-minute grid (gap rows included).',
    seed,
    params: {
      ...p,
      start: formatTs(p.startMs),
      tz: `${p.tz.name} (UTC${p.tz.offsetHours >= 0 ? '+' : ''}${p.tz.offsetHours})`,
      tz2: p.tz2 === null ? null : `${p.tz2.name} (UTC${p.tz2.offsetHours >= 0 ? '+' : ''}${p.tz2.offsetHours})`,
    },
    rowsOnGrid: n,
    rowsWritten: values.length,
    labelled: events.map((e) => ({
      kind: e.kind,
      onset: formatTs(msAt(e.onsetRow)),
      window: [formatTs(msAt(e.windowStartRow)), formatTs(msAt(e.windowEndRow))],
      peakTimesBaseline: round3(e.peak),
      baselineAtOnset: round3(e.baselineAtOnset),
      localLevelAtOnset: round3(get(local, e.onsetRow)),
      observedPeak: peakObserved(e),
      rampHours: round3(e.rampRows / ROWS_PER_HOUR),
      rampFrac: round3(e.rampFrac),
      riseRows: e.riseRows,
      plateauMinutes: e.plateauRows * MIN_PER_ROW,
      plateauEndFrac: round3(e.plateauEndFrac),
      tau1Min: round3(e.tau1Min),
      slowWeight: round3(e.slowWeight),
      tau2Min: round3(e.tau2Min),
      waves: e.waves.map((w) => ({ offsetMinutes: w.offsetRows * MIN_PER_ROW, size: round3(w.size), tauMin: round3(w.tauMin) })),
    })),
    levelShifts: levelShifts.map((s) => ({
      start: formatTs(msAt(s.startRow)),
      rampHours: round3(s.rampRows / ROWS_PER_HOUR),
      factor: round3(Math.exp(s.logMagnitude)),
      kind: s.kind,
      holdDays: s.kind === 'temporary' ? round3(s.holdRows / ROWS_PER_DAY) : null,
      fadeDays: s.kind === 'temporary' ? round3(s.fadeRows / ROWS_PER_DAY) : null,
    })),
    glitches: glitches.map((g) => ({
      kind: g.kind,
      start: formatTs(msAt(g.startRow)),
      end: formatTs(msAt(g.startRow + g.rows - 1)),
      rows: g.rows,
      factor: round3(g.factor),
    })),
    ordinaryBursts: bursts.map((b) => ({
      id: b.id,
      kind: b.kind,
      start: formatTs(msAt(b.row)),
      parent: b.parent,
      generation: b.generation,
      multOfLocal: round3(b.mult),
      peakExtra: round3(b.peakExtra),
      localLevel: round3(get(local, b.row)),
      riseRows: b.riseRows,
      plateauRows: b.plateauRows,
      tauMin: round3(b.tauMin),
      decay: b.decay,
    })),
  };
  return { timestamps, values, labels, truth };
}

// ---------------------------------------------------------------------------------------------
// CLI

/** The series as `npm run detect` reads it: `timestamp,value`, a row a line. */
export function seriesCsvOf(s: Series): string {
  const lines = ['timestamp,value'];
  for (let i = 0; i < s.values.length; i++) lines.push(`${s.timestamps[i] ?? ''},${s.values[i] ?? 0}`);
  return `${lines.join('\n')}\n`;
}

function parseArgs(argv: readonly string[]): { outDir: string; seeds: number[]; weeks: number } {
  let outDir: string | null = null;
  let seeds = [1, 2, 3];
  let weeks = 8;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--seeds') {
      const v = argv[++i] ?? '';
      seeds = v.split(',').filter((s) => s.trim() !== '').map((s) => Number(s));
      if (seeds.length === 0 || seeds.some((s) => !Number.isInteger(s) || s < 0)) throw new Error(`bad --seeds: ${v}`);
    } else if (arg === '--weeks') {
      const v = argv[++i] ?? '';
      weeks = Number(v);
      if (!Number.isInteger(weeks) || weeks < 2 || weeks > 104) throw new Error(`bad --weeks (integer 2-104): ${v}`);
    } else if (arg !== undefined && !arg.startsWith('--') && outDir === null) {
      outDir = arg;
    } else {
      throw new Error(`unexpected argument: ${String(arg)}`);
    }
  }
  if (outDir === null) throw new Error('usage: npx tsx scripts/gen-bursty-series.ts OUTDIR [--seeds 1,2,3] [--weeks 8]');
  return { outDir: resolve(outDir), seeds, weeks };
}

function main(): void {
  const { outDir, seeds, weeks } = parseArgs(process.argv.slice(2));
  mkdirSync(outDir, { recursive: true });
  for (const seed of seeds) {
    const s = generate(seed, weeks);
    writeFileSync(join(outDir, `bursty-${seed}.csv`), seriesCsvOf(s));
    writeFileSync(join(outDir, `bursty-${seed}.labels.json`), `${JSON.stringify(s.labels, null, 2)}\n`);
    writeFileSync(join(outDir, `bursty-${seed}.truth.json`), `${JSON.stringify(s.truth, null, 2)}\n`);
    const sorted = s.values.slice().sort((a, b) => a - b);
    const mean = s.values.reduce((a, b) => a + b, 0) / Math.max(1, s.values.length);
    console.log(
      `seed ${seed}: ${s.values.length} rows, mean ${mean.toFixed(1)}, median ${quantile(sorted, 0.5)}, ` +
        `max ${quantile(sorted, 1)}, ${s.labels.length} labelled windows`,
    );
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
}
