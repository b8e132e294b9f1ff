/**
 * The usual level of failures for a cell at a given time of week, learned from its history.
 * History is kept downsampled to 15-minute blocks (a few numbers each), so weeks of it cost
 * little. Robust to past trouble: blocks in which the detector raised any state are left out,
 * and the level is a median over weeks, so one bad evening cannot teach the detector that bad
 * evenings are normal. Pure: blocks come through a lookup function.
 */
export const DAY_MS = 86_400_000;
export const WEEK_MS = 7 * DAY_MS;
export const MINUTE_MS = 60_000;
export const BLOCK_MS = 15 * MINUTE_MS;

/** One 15-minute block of one cell, reduced to what the baseline needs. */
export interface BlockSummary {
  /** Minutes of the block with known counts. */
  minutes: number;
  /** Sum over the minutes of the counted (network-capped) failing reporters. */
  failing: number;
  /** Sum of squares of the same, for the spread. */
  failingSq: number;
  /** Active people (distinct ok or failing reporters over the 10 minutes ending with the block). */
  active: number;
  /** Whether any minute of the block was judged degraded or outage: such blocks are not "usual". */
  troubled: boolean;
  /** Strongest uncorrected evidence (Poisson log-likelihood ratio, dispersion 1) any step of the
   *  block reached against its expectation: weeks of these give the tail dispersion. Absent in
   *  blocks stored before it was kept. */
  peak?: number;
  /** Sum over the block's steps of the seasonal expectation (before the level factor): what the
   *  block was expected to hold, so recent blocks tell how far the level has moved. */
  expected?: number;
  /** Strongest uncorrected evidence of the long look (stretches of hours, see
   *  series-detector.ts) any step of the block reached; weeks of these give its own tail. */
  longPeak?: number;
  /** Whether the long look called trouble in the block (then only its own tail leaves it out). */
  longTroubled?: boolean;
}

export interface BaselineOptions {
  /** Length of a history block (15 minutes for the server; the step, if longer, for a series). */
  blockMs: number;
  /** Length of one step (a minute for the server; the series' step for a series). */
  stepMs: number;
  /** A block with fewer known steps than this is not used. */
  minBlockSteps: number;
  /** Weeks of history looked at for the same block of the week. */
  weeks: number;
  /** Days looked at for the same block of the day, when fewer weeks are known. */
  days: number;
  /** Recent blocks looked at when neither is known (the cold start). */
  recentBlocks: number;
  /** At least this many weeks (or days) with a usable block before a seasonal median is trusted. */
  minSamples: number;
  /** Blocks either side of the same time of week (or day) pooled with it: one 15-minute block of
   *  a few days holds too few failures to fix a level (a median of three such blocks was seen
   *  40 % under the truth), and a level that is too low is a false alarm waiting to happen. */
  neighbourBlocks: number;
  /** When the recent blocks are all troubled (a cell that has been "in trouble" since it was
   *  first seen), the level is the lower quartile of everything in the last day, once at least
   *  this many blocks are known: a level that never changes is the usual one, not an outage. */
  settleBlocks: number;
  /** Whether the same time of earlier weeks or days counts even when it was judged in trouble.
   *  Off for crowds of failure reports: a failure that comes back every day is still a failure
   *  people want to hear of. On for plain count series: a rise that comes back at the same time
   *  every week (Saturday night taxis) is their usual level, and leaving it out kept it out for
   *  good, since each return was judged against the other days and marked troubled again. A
   *  median of days or weeks is not moved by one odd day among them. */
  seasonalTroubled?: boolean;
  /** Hours of recent blocks each earlier day or week is aligned on (see `alignmentAt`); 0 or
   *  absent: no alignment (crowd cells, whose expectation follows the active people, who keep
   *  local time by themselves). */
  alignHours?: number;
  /** While fewer than `minSamples` weeks are known, the same time of those there are floors the
   *  level read from the days (series; see `seasonalAt`). */
  earlyWeeks?: boolean;
  /** Share of active people failing assumed before anything is known. */
  priorShare: number;
  /** Variance / mean of per-minute counts assumed before anything is known. */
  priorDispersion: number;
  /** Over-dispersion is never taken above this (a very noisy history must not blind the test). */
  maxDispersion: number;
  /** Days of block peaks the tail dispersion is read from. */
  tailDays: number;
  /** Usable block peaks needed before the tail dispersion is trusted. */
  tailMinBlocks: number;
  /** Quantile of the block peaks matched to pure chance's (0.99: the top 1 % of usual blocks,
   *  whatever caused them, are ignored). */
  tailQuantile: number;
  /** The tail dispersion is never taken above this. */
  maxTailDispersion: number;
  /** Largest slope of log(tail dispersion) over log(level) read from the blocks (Taylor's power
   *  law: variance ~ mean^(1 + slope)); 1 is a purely multiplicative noise, 0 turns it off. */
  maxTailSlope: number;
  /** The slope is read only when the upper half of the blocks' levels sits at least this many
   *  times above the lower half (a cell with no daily rhythm gives no lever to read it from). */
  minTailSpread: number;
  /** Hours of recent blocks the level factor is read from. */
  levelHours: number;
  /** Usable recent blocks with an expectation needed before the level factor is applied. */
  levelMinBlocks: number;
  /** The level factor stays within [1 / this, this]. */
  maxLevelFactor: number;
}

export const DEFAULT_BASELINE: BaselineOptions = {
  blockMs: BLOCK_MS,
  stepMs: MINUTE_MS,
  minBlockSteps: 10,
  weeks: 8,
  days: 7,
  recentBlocks: 8,
  minSamples: 3,
  neighbourBlocks: 1,
  settleBlocks: 12,
  priorShare: 0.005,
  priorDispersion: 1.5,
  maxDispersion: 6,
  tailDays: 28,
  tailMinBlocks: 96,
  tailQuantile: 0.99,
  maxTailDispersion: 200,
  maxTailSlope: 1,
  minTailSpread: 1.5,
  levelHours: 24,
  levelMinBlocks: 16,
  maxLevelFactor: 8,
};

export interface Expectation {
  /** Usual counted failing reporters per minute (absolute): the seasonal level times `level`. */
  perMinute: number;
  /** The seasonal level alone (what a block stores as `expected`, per minute). */
  seasonal: number;
  /** Recent level over the seasonal one (1 when not known): the installed base doubling in a
   *  week, or a holiday halving it, moves every count, and a median of past weeks lags behind. */
  level: number;
  /** Usual share of active people failing per minute, or null when activity is not known. */
  share: number | null;
  /** Variance / mean of the per-minute counts: the larger of the pooled variance of the blocks
   *  the level was read from and the tail dispersion of weeks of block peaks. */
  dispersion: number;
  /** The tail dispersion alone (null while too few peaks are known). */
  tailDispersion: number | null;
  /** Per-step level the tail dispersion was read at (the median of the upper half of the blocks'
   *  levels), and how it grows above it (see TailModel); absent: it does not grow. */
  tailLevel?: number;
  tailSlope?: number;
  /** The grown tail is never taken above this (the baseline's `maxTailDispersion`). */
  tailMax?: number;
  /** Where it came from: seasonal week, time of day, the recent hours, or the prior. */
  source: 'week' | 'day' | 'recent' | 'prior';
}

/** The q-quantile (0..1) with linear interpolation; 0 for no values. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (pos - lo);
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

export function blockOf(minute: number): number {
  return Math.floor(minute / BLOCK_MS) * BLOCK_MS;
}

/** A block with enough steps to read a level from; a troubled one only when `troubledToo`. */
function usable(b: BlockSummary | undefined, o: BaselineOptions, troubledToo = false): b is BlockSummary {
  return b !== undefined && (troubledToo || !b.troubled) && b.minutes >= o.minBlockSteps;
}

/** The usable blocks of the `spanMs` before `minute`, newest first, skipping the current and the
 *  previous block: trouble that began minutes ago must not move its own bar. */
function usableBlocksBefore(minute: number, blockAt: (block: number) => BlockSummary | undefined, o: BaselineOptions, spanMs: number): BlockSummary[] {
  const block = Math.floor(minute / o.blockMs) * o.blockMs;
  const out: BlockSummary[] = [];
  const count = Math.max(1, Math.round(spanMs / o.blockMs));
  for (let i = 2; i < 2 + count; i++) {
    const b = blockAt(block - i * o.blockMs);
    if (usable(b, o)) out.push(b);
  }
  return out;
}

function summarise(blocks: BlockSummary[], source: Expectation['source'], o: BaselineOptions, q = 0.5): Omit<Expectation, 'level' | 'tailDispersion'> {
  const rates = blocks.map((b) => b.failing / b.minutes);
  const shares = blocks.filter((b) => b.active > 0).map((b) => b.failing / b.minutes / b.active);
  // Pooled over the blocks, so the spread includes how much the level itself moves from one
  // block, day or week to the next (what the test meets when it compares now with a median of
  // other days), not only the minute-to-minute noise within a block; a median of per-block
  // spreads was also biased low (a sample variance is skewed).
  let minutes = 0;
  let failing = 0;
  let failingSq = 0;
  for (const b of blocks) {
    minutes += b.minutes;
    failing += b.failing;
    failingSq += b.failingSq;
  }
  const mean = minutes > 0 ? failing / minutes : 0;
  const dispersion = mean > 0 ? Math.min(o.maxDispersion, Math.max(1, Math.max(0, failingSq / minutes - mean * mean) / mean)) : o.priorDispersion;
  const perMinute = quantile(rates, q);
  return { perMinute, seasonal: perMinute, share: shares.length * 2 >= blocks.length ? quantile(shares, q) : null, dispersion, source };
}

/**
 * The `tailQuantile` of the peak evidence that pure chance (Poisson counts at the expected rate)
 * gives a block of `stepsPerBlock` steps, with the test's window of 5 steps. From a seeded
 * Monte Carlo (20,000 blocks each at rates 0.5, 2, 20 and 200 a step; test/server/dispersion):
 * the 99th percentile is 4.1-4.6 for 3 steps and 5.3-6.2 for 15, close to 3.2 + ln(steps) at
 * every rate: the peak of a block is the largest of about `steps` nearly independent tries.
 */
export function chancePeakQuantile(stepsPerBlock: number): number {
  return 3.2 + Math.log(Math.max(1, stepsPerBlock));
}

/** How wide the tail of the evidence is in a cell, and how that width grows with its level. */
export interface TailModel {
  /** The `tailQuantile` of the block peaks over what chance gives (1..maxTailDispersion). */
  dispersion: number;
  /** The per-step level that width was read at: the median level of the upper half of the blocks. */
  level: number;
  /** How the width grows above `level`: dispersion x (level now / level)^slope, 0..maxTailSlope. */
  slope: number;
}

/**
 * How much wider than pure chance the tail of the evidence really is in this cell (`dispersion`): the
 * `tailQuantile` of the block peaks of the last `tailDays` days (usable blocks only: a block in
 * trouble is not "usual"), over what chance gives. A quantile, so a few odd blocks move nothing;
 * from weeks, so it sees bursts, heavy tails and days that differ from each other, which the
 * variance inside a few blocks misses. Null while fewer than `tailMinBlocks` peaks are known.
 *
 * And how that width grows with the level (Taylor's power law, variance ~ mean^b): noise that
 * multiplies the level (a minute at 3x, an hour at 1.5x) gives evidence that grows in proportion
 * to the count, so a cell at ten times its usual level (a trending day, a surge of new installs)
 * meets the same bursts with ten times the evidence, while Poisson noise gives the same evidence
 * at any level. The blocks are split at their median level; the slope of log(width) over
 * log(level) between the two halves says which kind of noise the cell has (0: Poisson-like,
 * 1: purely multiplicative), and above the upper half's level the width is extrapolated along it.
 * Below that level nothing changes: the tail already measured is the one that holds there.
 */
export function tailModelAt(minute: number, blockAt: (block: number) => BlockSummary | undefined, o: BaselineOptions): TailModel | null {
  const peaks: { peak: number; level: number }[] = [];
  for (const b of usableBlocksBefore(minute, blockAt, o, o.tailDays * DAY_MS)) if (b.peak !== undefined) peaks.push({ peak: b.peak, level: b.failing / b.minutes });
  if (peaks.length < o.tailMinBlocks) return null;
  const stepsPerBlock = Math.max(1, Math.round(o.blockMs / o.stepMs));
  const chance = chancePeakQuantile(stepsPerBlock);
  const widthOf = (ps: readonly { peak: number }[]) => Math.min(o.maxTailDispersion, Math.max(1, quantile(ps.map((p) => p.peak), o.tailQuantile) / chance));
  const dispersion = widthOf(peaks);
  peaks.sort((a, b) => a.level - b.level);
  const half = Math.floor(peaks.length / 2);
  const lower = peaks.slice(0, half);
  const upper = peaks.slice(half);
  const lowLevel = median(lower.map((p) => p.level));
  const level = median(upper.map((p) => p.level));
  let slope = 0;
  if (o.maxTailSlope > 0 && lowLevel > 0 && level >= lowLevel * o.minTailSpread) {
    slope = Math.min(o.maxTailSlope, Math.max(0, Math.log(widthOf(upper) / widthOf(lower)) / Math.log(level / lowLevel)));
  }
  return { dispersion, level, slope };
}

/** Days of long peaks the long look's tail waits for (see `longTailAt`). */
const LONG_TAIL_DAYS = 7;

/**
 * The tail width of the long look: the `tailQuantile` of the usable blocks' `longPeak` over the
 * last `tailDays` days, over what chance gives one stretch (a single try: `chancePeakQuantile(1)`).
 * Trusted only from a week of peaks on (`tailMinBlocks` a day): a stretch of hours spans dozens of
 * blocks, so one day holds only a handful of independent ones (seen: a width of 1.0 on the fourth
 * day of a load balancer's requests, then alerts on ordinary busy mornings).
 * Read apart from the short test's because what widens it differs: bursts of a few minutes add
 * little to hours of counts, while a level that wanders from one day to the next adds more the
 * longer the stretch. Null while fewer than `tailMinBlocks` such peaks are known.
 */
export function longTailAt(minute: number, blockAt: (block: number) => BlockSummary | undefined, o: BaselineOptions): number | null {
  const peaks: number[] = [];
  for (const b of usableBlocksBefore(minute, blockAt, o, o.tailDays * DAY_MS)) if (!b.longTroubled && b.longPeak !== undefined) peaks.push(b.longPeak);
  if (peaks.length < LONG_TAIL_DAYS * o.tailMinBlocks) return null;
  return Math.min(o.maxTailDispersion, Math.max(1, quantile(peaks, o.tailQuantile) / chancePeakQuantile(1)));
}

/**
 * The dispersion the test divides its evidence by when the cell usually holds `perStep` per step:
 * the expectation's own, or, above the level its tail was read at, that tail grown along the
 * cell's slope (never above `maxTailDispersion`).
 */
export function dispersionAt(exp: Expectation, perStep: number): number {
  const { tailDispersion, tailLevel, tailSlope, tailMax = DEFAULT_BASELINE.maxTailDispersion } = exp;
  if (tailDispersion === null || !tailLevel || !tailSlope || perStep <= tailLevel) return exp.dispersion;
  return Math.max(exp.dispersion, Math.min(tailMax, tailDispersion * (perStep / tailLevel) ** tailSlope));
}

/**
 * Recent level over the seasonal one: the median, over the usable blocks of the last
 * `levelHours` (skipping the current and the previous block, so trouble that began minutes ago
 * cannot lower its own bar), of what each block held over what the seasonal level expected of
 * it. 1 while fewer than `levelMinBlocks` such blocks are known.
 */
export function levelFactorAt(minute: number, blockAt: (block: number) => BlockSummary | undefined, o: BaselineOptions): number {
  const ratios: number[] = [];
  for (const b of usableBlocksBefore(minute, blockAt, o, o.levelHours * 3600_000)) if (b.expected !== undefined && b.expected > 0) ratios.push(b.failing / b.expected);
  if (ratios.length < o.levelMinBlocks) return 1;
  return Math.min(o.maxLevelFactor, Math.max(1 / o.maxLevelFactor, median(ratios)));
}

/**
 * Expectation for `minute`: the median of the same block of the week over past weeks when at
 * least `minSamples` are usable (times the recent level factor); else of the same block of the day
 * over past days; else of the recent blocks (skipping the current and the previous one, so
 * trouble that began minutes ago does not raise its own bar); else, troubled or not, the lower
 * quartile of the last day; else the prior. The level factor applies to the weekly median only
 * (a median of the last days follows the level itself). The dispersion is the larger of the pooled variance
 * and the tail dispersion of weeks of block peaks.
 */
export function expectationAt(
  minute: number,
  blockAt: (block: number) => BlockSummary | undefined,
  o: BaselineOptions = DEFAULT_BASELINE,
  /** The tail model when the caller already has it (it moves slowly: weeks of blocks). */
  knownTail?: TailModel | null,
  /** The clock shifts when the caller already has them (they move only when a clock does). */
  alignment?: Alignment,
): Expectation {
  const base = seasonalAt(minute, blockAt, o, alignment === undefined && o.alignHours ? alignmentAt(minute, blockAt, o) : alignment);
  const model = knownTail === undefined ? tailModelAt(minute, blockAt, o) : knownTail;
  const tail = model?.dispersion ?? null;
  // Only against the same time of the week: a median of past days already follows a level
  // within days, and against it a weekend's ratio would set Monday's level (seen: 0.75).
  const level = base.source === 'week' ? levelFactorAt(minute, blockAt, o) : 1;
  const e: Expectation = { ...base, perMinute: base.seasonal * level, level, tailDispersion: tail, dispersion: tail === null ? base.dispersion : Math.max(base.dispersion, tail) };
  if (model && model.slope > 0) {
    e.tailLevel = model.level;
    e.tailSlope = model.slope;
    e.tailMax = o.maxTailDispersion;
  }
  return e;
}

/** Clock shifts that line each earlier period up with now: `day[p - 1]` for p days back,
 *  `week[p - 1]` for p weeks back (ms to add to that period's time; 0: none). */
export interface Alignment {
  day: number[];
  week: number[];
}

/** Shifts tried: a clock change moves a day's rhythm by an hour against UTC. */
export const CLOCK_SHIFTS_MS: readonly number[] = [-3600_000, 3600_000];
/** A shift is taken only when it explains the recent hours this much better than none. */
const SHIFT_GAIN = 0.6;
/** The same for a change within the last day, which nothing before it contrasts with. */
const SHIFT_GAIN_NOW = 0.4;
/** The same for a change known to have happened (its time and size known, not searched for). */
const KNOWN_GAIN = 0.8;
/** The recent hours are compared in bins of this length. */
const ALIGN_BIN_MS = 30 * 60_000;

/**
 * For each earlier day and week the baseline reads, the clock shift (none, or an hour either way)
 * that best lines its hours up with the last `alignHours` hours: after a clock change (summer
 * time), a series kept in UTC whose people keep local time rises an hour earlier every morning,
 * and the same UTC time of the days before the change, where that rise was an hour later, read as
 * a usual level far too low for the hour of the rise (seen: 11 alerts in two days in Minneapolis'
 * departures kept in UTC, none in its local times). Each earlier period is lined up on its own,
 * so days after the change keep no shift and days before it take one. The fit is a chi-square
 * distance between the recent blocks' rates and each period's at the same (shifted) times; one
 * change at one time must explain them all (see below), bring their sum under `SHIFT_GAIN` of the
 * unshifted sum, and fit at least two thirds of the periods it shifts better: in a flat stretch
 * nothing tells the shifts apart (and nothing needs them), and an odd day alone is not a clock
 * (lined up period by period, without that rule, local-time series took shifts in 40 % of hours).
 */
export function alignmentAt(
  minute: number,
  blockAt: (block: number) => BlockSummary | undefined,
  o: BaselineOptions,
  /** Clock changes known to have happened (see clock-changes.ts), latest last. */
  known: readonly { at: number; shiftMs: number }[] = [],
): Alignment {
  const BLOCK = o.blockMs;
  const block = Math.floor(minute / BLOCK) * BLOCK;
  const recent: { at: number; rate: number }[] = [];
  const long = Math.round(((o.alignHours ?? 0) * 3600_000) / BLOCK);
  const short = Math.round(long / 4);
  for (let i = 2; i < 2 + long; i++) {
    const b = blockAt(block - i * BLOCK);
    recent.push({ at: block - i * BLOCK, rate: usable(b, o, true) ? b.failing / b.minutes : NaN });
  }
  // Chi-square distance over the first `count` recent blocks to the same times `back` earlier,
  // in half-hour bins (a bin's sum holds the rhythm above the noise of single blocks: compared
  // block by block, the Poisson noise of a quiet night outweighed the first hour of a morning
  // rise); null when fewer than half of the blocks can be compared.
  const perBin = Math.max(1, Math.round(ALIGN_BIN_MS / BLOCK));
  // Memoised: the known-change check below reads the distances the fit has just read.
  const distances = new Map<string, number | null>();
  const distance = (back: number, count: number): number | null => {
    const key = `${back}/${count}`;
    if (distances.has(key)) return distances.get(key) as number | null;
    let d = 0;
    let n = 0;
    for (let from = 0; from < count; from += perBin) {
      let now = 0;
      let then = 0;
      for (const r of recent.slice(from, Math.min(count, from + perBin))) {
        const b = blockAt(r.at - back);
        if (Number.isNaN(r.rate) || !usable(b, o, true)) continue;
        now += r.rate;
        then += b.failing / b.minutes;
        n++;
      }
      d += ((now - then) * (now - then)) / (now + then + 1);
    }
    const out = n * 2 >= count ? d : null;
    distances.set(key, out);
    return out;
  };
  // How well an alignment fits the first `count` recent blocks: its total distance, over the
  // periods that can be compared unshifted and moved each way (the same periods for every
  // alignment, so totals compare), and how the periods it moves fare moved and unmoved.
  const score = (alignment: Alignment, count: number) => {
    let total = 0;
    let unmoved = 0;
    let stayed = 0;
    let moved = 0;
    let shifted = 0;
    let better = 0;
    for (const [kind, period] of [['day', DAY_MS], ['week', WEEK_MS]] as const) {
      alignment[kind].forEach((shift, p) => {
        const back = (p + 1) * period;
        const d0 = distance(back, count);
        const each = CLOCK_SHIFTS_MS.map((s) => distance(back - s, count));
        const d1 = shift === 0 ? d0 : distance(back - shift, count);
        if (d0 === null || d1 === null || each.some((d) => d === null)) return;
        total += d1;
        unmoved += d0;
        if (shift === 0) return;
        stayed += d0;
        moved += d1;
        shifted++;
        if (d1 < d0) better++;
      });
    }
    return { total, unmoved, stayed, moved, shifted, better, mostBetter: better * 3 >= shifted * 2 };
  };
  // One clock change, some time ago: every period back beyond it takes the same shift, every
  // period since takes none. Any other pattern is an odd day (a holiday, a storm) that one shift
  // happens to fit, not a clock. Hypotheses: the change came k days ago (k = 0..days-1: the days
  // back beyond k and every week shifted), or m weeks ago (m = 1..weeks-1: no day shifted, the
  // weeks back beyond m shifted).
  const hypotheses: { day: boolean[]; week: boolean[] }[] = [];
  for (let k = 0; k < o.days; k++) hypotheses.push({ day: Array.from({ length: o.days }, (_, p) => p + 1 > k), week: Array.from({ length: o.weeks }, () => true) });
  for (let m = 1; m < o.weeks; m++) hypotheses.push({ day: Array.from({ length: o.days }, () => false), week: Array.from({ length: o.weeks }, (_, p) => p + 1 > m) });
  const none: Alignment = { day: Array.from({ length: o.days }, () => 0), week: Array.from({ length: o.weeks }, () => 0) };
  // Over the whole span (a day: steady once a change is hours old) or, when that finds nothing,
  // over its last quarter: on the first morning after a change the earlier hours still keep the
  // old time, and only the hours since show the new one.
  const fit = (count: number, sinceYesterday: boolean): { total: number; alignment: Alignment } | null => {
    let best: { total: number; alignment: Alignment } | null = null;
    for (const shift of CLOCK_SHIFTS_MS) {
      for (const [hi, h] of hypotheses.entries()) {
        // A change within the last day (every period shifted) has no unshifted day to contrast
        // with: an odd day (a storm's delays, a Sunday's schedule) fits it as well. Taken only
        // from the whole span and by a wider margin.
        if (hi === 0 && !sinceYesterday) continue;
        const alignment = { day: h.day.map((on) => (on ? shift : 0)), week: h.week.map((on) => (on ? shift : 0)) };
        const s = score(alignment, count);
        if (s.shifted >= 2 && s.mostBetter && s.total < s.unmoved * (hi === 0 ? SHIFT_GAIN_NOW : SHIFT_GAIN) && (!best || s.total < best.total)) best = { total: s.total, alignment };
      }
    }
    return best;
  };
  const found = fit(long, true);
  // A change whose time and size are known needs less evidence than one searched for among every
  // time and both directions: taken when the periods it moves fit better moved (by KNOWN_GAIN),
  // most of them do, and no change found above fits the whole span better. Without it, the fit
  // above held a change a week and more old only in some hours (seen: O'Hare's departures kept
  // in UTC, 11 days after the change, lost it for the two hours before the morning rise, where
  // the unshifted recent days' noise outweighs the gain in the weeks before the change).
  for (const change of [...known].reverse()) {
    const alignment = changeAlignment(minute, change, o);
    const s = score(alignment, long);
    if (s.shifted >= 1 && s.mostBetter && s.moved < s.stayed * KNOWN_GAIN && (!found || s.total <= found.total)) return alignment;
  }
  return found?.alignment ?? fit(short, false)?.alignment ?? none;
}

/**
 * The alignment a known clock change implies at `minute`: every earlier period whose same time
 * fell before the change moves by the change's shift, every later one by none (the one-change
 * rule of `alignmentAt`, with the change's time and size known instead of fitted).
 */
export function changeAlignment(minute: number, change: { at: number; shiftMs: number }, o: BaselineOptions): Alignment {
  const block = Math.floor(minute / o.blockMs) * o.blockMs;
  const shifted = (period: number, n: number) => Array.from({ length: n }, (_, p) => (block - (p + 1) * period < change.at ? change.shiftMs : 0));
  return { day: shifted(DAY_MS, o.days), week: shifted(WEEK_MS, o.weeks) };
}

function seasonalAt(minute: number, blockAt: (block: number) => BlockSummary | undefined, o: BaselineOptions, alignment?: Alignment): Omit<Expectation, 'level' | 'tailDispersion'> {
  const BLOCK = o.blockMs;
  const block = Math.floor(minute / BLOCK) * BLOCK;
  // The same time `count` periods back (moved by that period's clock shift, if any), with its
  // neighbours; how many periods gave any.
  const seasonal = (period: number, count: number): { blocks: BlockSummary[]; periods: number } => {
    const blocks: BlockSummary[] = [];
    let periods = 0;
    const shifts = period === WEEK_MS ? alignment?.week : alignment?.day;
    for (let p = 1; p <= count; p++) {
      let any = false;
      const shift = shifts?.[p - 1] ?? 0;
      for (let j = -o.neighbourBlocks; j <= o.neighbourBlocks; j++) {
        const b = blockAt(block - p * period + shift + j * BLOCK);
        if (usable(b, o, o.seasonalTroubled)) {
          blocks.push(b);
          any = true;
        }
      }
      if (any) periods++;
    }
    return { blocks, periods };
  };
  const weekly = seasonal(WEEK_MS, o.weeks);
  if (weekly.periods >= o.minSamples) return summarise(weekly.blocks, 'week', o);
  const daily = seasonal(DAY_MS, o.days);
  if (daily.periods >= o.minSamples) {
    const byDay = summarise(daily.blocks, 'day', o);
    if (!o.earlyWeeks || weekly.periods === 0) return byDay;
    // Read against the days alone, a rise that comes every Saturday night is called every
    // Saturday until three weeks give a weekly level; one or two weeks that already did it are
    // taken as a floor (read as the days are: no level factor from so few weeks).
    const byWeek = summarise(weekly.blocks, 'day', o);
    return byWeek.seasonal > byDay.seasonal ? byWeek : byDay;
  }
  const recent = usableBlocksBefore(minute, blockAt, o, o.recentBlocks * BLOCK);
  if (recent.length >= o.minSamples) return summarise(recent, 'recent', o);
  const day: BlockSummary[] = [];
  for (let i = 2; i < Math.max(o.settleBlocks + 2, DAY_MS / BLOCK); i++) {
    const b = blockAt(block - i * BLOCK);
    if (usable(b, o, true)) day.push(b);
  }
  if (day.length >= o.settleBlocks) return summarise(day, 'recent', o, 0.25);
  return { perMinute: 0, seasonal: 0, share: o.priorShare, dispersion: o.priorDispersion, source: 'prior' };
}
