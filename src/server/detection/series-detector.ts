/**
 * The engine run over a plain count series (`timestamp,value`), causally: row t is judged from
 * rows up to t only, with the same baseline (history summarised in blocks, troubled blocks left
 * out, tail dispersion from weeks of block peaks, recent level factor), the same test, the same
 * bars (`judge`) and the same hysteresis as the server. A series has no reporters, networks or
 * active people, so those bars do not apply; the rest does. One test more than a crowd cell has:
 * the long look (long-look.ts), the same test over the last hour and three hours. Pure: text in,
 * text out.
 *
 * The score says when an alert is raised, nothing else: at or above 0.5 exactly on the rows where
 * the state rises (operational -> degraded or outage, degraded -> outage), below 0.5 on every
 * other row (the evidence, squeezed under 0.5), so counting rows >= 0.5 counts alerts.
 */
import type { State } from '../../shared/protocol.ts';
import { alignmentAt, BLOCK_MS, changeAlignment, DAY_MS, WEEK_MS, DEFAULT_BASELINE, expectationAt, longTailAt, median, tailModelAt, type Alignment, type BaselineOptions, type TailModel, type BlockSummary, type Expectation } from './baseline.ts';
import { clockChangesBetween } from './clock-changes.ts';
import { HysteresisStepper, RANK } from './hysteresis.ts';
import { longLook, longLookSteps } from './long-look.ts';
import { DEFAULT_THRESHOLDS, type DetectionThresholds } from './thresholds.ts';
import { judge } from './verdict.ts';

export class SeriesInputError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

export interface SeriesRow {
  /** As written in the input, echoed in the output. */
  timestamp: string;
  at: number;
  valueText: string;
  value: number;
}

/** `YYYY-MM-DD HH:MM:SS`, or with slashes in the date, a T, the seconds left out or with
 *  fractions, and a Z or a UTC offset (`+01:00`, `-0500`); without either it is read as UTC. */
const TIMESTAMP_RE = /^(\d{4})([-/])(\d{2})\2(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;
/** Seconds (or, from 12 digits on, milliseconds) since 1970 in UTC, as logs and exports write. */
const EPOCH_RE = /^\d{1,13}$/;

function parseTimestamp(text: string, line: number): number {
  if (EPOCH_RE.test(text)) return text.length >= 12 ? Number(text) : Number(text) * 1000;
  const m = TIMESTAMP_RE.exec(text);
  if (!m) throw new SeriesInputError(line, `timestamp "${text}" is not YYYY-MM-DD HH:MM:SS (or HH:MM, or seconds since 1970)`);
  const [y, mo, d, h, mi, s] = [m[1], m[3], m[4], m[5], m[6], m[7] ?? '0'].map(Number) as [number, number, number, number, number, number];
  const at = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(at);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    throw new SeriesInputError(line, `timestamp "${text}" is not a real date and time`);
  }
  const zone = m[8];
  if (zone === undefined || zone === 'Z') return at;
  const oh = Number(zone.slice(1, 3));
  const om = Number(zone.slice(-2));
  if (oh > 14 || om > 59) throw new SeriesInputError(line, `timestamp "${text}" has no real UTC offset`);
  return at - (zone[0] === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
}

/** A cell as written, without the double quotes a spreadsheet may put around it. */
function cellOf(raw: string): string {
  const c = raw.trim();
  return c.length >= 2 && c.startsWith('"') && c.endsWith('"') ? c.slice(1, -1).trim() : c;
}

/** A data line that could not be read as a row: kept in place in the output (score 0, the state
 *  before it), out of the engine. */
export interface DroppedRow {
  line: number;
  timestamp: string;
  valueText: string;
  reason: string;
  /** How many read rows come before it. */
  after: number;
}

/**
 * Reads `timestamp,value` rows (an optional header line, blank lines ignored; cells may be in
 * double quotes and separated by tabs or semicolons instead, the file may start with a byte-order
 * mark). A header may name more columns (a label column, say): only `timestamp` and `value` are
 * read. Rows must come in time order; rows may be missing (a gap is unknown time, not zero
 * failures), and the series' step is the most common distance between neighbouring rows.
 *
 * `strict`: the first bad line stops the read with its line number. Otherwise a bad line (a value
 * that is not a count, a timestamp that is not a time or does not come after the row before, the
 * wrong number of fields) is dropped with its reason and the rest is read: one glitch in weeks of
 * rows should not cost the other rows their scores. A header without the two columns, or no row
 * at all, stops the read either way.
 */
export function readSeriesCsv(text: string, opts: { strict?: boolean } = {}): { rows: SeriesRow[]; dropped: DroppedRow[] } {
  const rows: SeriesRow[] = [];
  const dropped: DroppedRow[] = [];
  // A byte-order mark (spreadsheets on Windows write one) is not part of the first header name.
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let columns: { timestamp: number; value: number; count: number } | null = null;
  // Commas, or what the first line uses instead when it has none (tabs, or semicolons as
  // spreadsheets in decimal-comma locales write).
  const first = lines.find((l) => l.trim() !== '') ?? '';
  const separator = first.includes(',') ? ',' : first.includes('\t') ? '\t' : first.includes(';') ? ';' : ',';
  lines.forEach((raw, i) => {
    const line = i + 1;
    const trimmed = raw.trim();
    if (trimmed === '') return;
    const cells = trimmed.split(separator).map(cellOf);
    if (rows.length === 0 && dropped.length === 0 && columns === null && cells.some((c) => c.toLowerCase() === 'timestamp')) {
      const names = cells.map((c) => c.toLowerCase());
      const timestamp = names.indexOf('timestamp');
      const value = names.indexOf('value');
      if (value < 0) throw new SeriesInputError(line, 'the header must name a "timestamp" and a "value" column');
      columns = { timestamp, value, count: cells.length };
      return;
    }
    const timestamp = cells[columns?.timestamp ?? 0] ?? '';
    const valueText = cells[columns?.value ?? 1] ?? '';
    try {
      const want = columns?.count ?? 2;
      if (cells.length !== want) throw new SeriesInputError(line, `expected ${want} fields (${columns ? 'as many as the header names' : 'timestamp,value'}), found ${cells.length}`);
      const at = parseTimestamp(timestamp, line);
      const value = valueText === '' ? NaN : Number(valueText);
      if (!Number.isFinite(value)) throw new SeriesInputError(line, `value "${valueText}" is not a number`);
      if (value < 0) throw new SeriesInputError(line, `value ${valueText} is negative; the engine reads counts`);
      const prev = rows[rows.length - 1];
      if (prev && at <= prev.at) throw new SeriesInputError(line, `timestamp ${timestamp} does not come after ${prev.timestamp}`);
      rows.push({ timestamp, at, valueText, value });
    } catch (err) {
      if (opts.strict || !(err instanceof SeriesInputError)) throw err;
      // A first line with no digit at all is a header naming other columns, not a glitch.
      if (rows.length === 0 && dropped.length === 0 && columns === null && !/\d/.test(trimmed)) throw new SeriesInputError(line, 'the header must name a "timestamp" and a "value" column');
      dropped.push({ line, timestamp, valueText, reason: err.message, after: rows.length });
    }
  });
  if (rows.length === 0) throw new SeriesInputError(lines.length, dropped.length > 0 ? `no readable data rows (${dropped[0]?.reason})` : 'no data rows');
  return { rows, dropped };
}

/** The same, stopping at the first bad line. */
export function parseSeriesCsv(text: string): SeriesRow[] {
  return readSeriesCsv(text, { strict: true }).rows;
}

/** The series' step: the most common distance between neighbouring rows (the shorter on a tie). */
export function seriesStep(rows: readonly SeriesRow[]): number {
  const counts = new Map<number, number>();
  for (let i = 1; i < rows.length; i++) {
    const d = (rows[i] as SeriesRow).at - (rows[i - 1] as SeriesRow).at;
    counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  let best = BLOCK_MS;
  let bestCount = 0;
  for (const [d, n] of counts) if (n > bestCount || (n === bestCount && d < best)) [best, bestCount] = [d, n];
  return best;
}

export interface ScoredRow extends SeriesRow {
  /** >= 0.5 exactly on the rows that raise an alert. */
  score: number;
  /** The state shown after this row (with hysteresis). */
  state: State;
  /** Whether this row raised the state. */
  alert: boolean;
  /** The usual value for this row. */
  expected: number;
  /** The evidence (dispersion corrected) of the strongest recent stretch. */
  evidence: number;
  /** The dispersion it was corrected by (tail or pooled variance, whichever is larger). */
  dispersion: number;
  /** The long look's evidence (stretches of hours, its own tail; 0 while that tail is unknown). */
  longEvidence: number;
}

const WARMUP_ROWS = 10;
/** History blocks of a series: 5 minutes (or one step, if longer). A series has no per-minute
 *  noise to average away as the server's 1-minute counts do, and 15-minute blocks flatten
 *  schedules that repeat every day within a quarter of an hour (flight banks, TV slots). */
const SERIES_BLOCK_MS = 5 * 60_000;
/** Each earlier day and week is lined up with the last this many hours (clock changes). */
const SERIES_ALIGN_HOURS = 24;
/** How long after a known clock change the usual level is hedged against it: through the first
 *  morning after it in the zone's own time (a change comes at night), by when the alignment fit
 *  has a day of the new time to read. */
const CLOCK_HEDGE_MS = 36 * 3600_000;
/** The tail dispersion reads weeks of blocks: worked out once an hour, not every row. */
const TAIL_EVERY_MS = 3600_000;
const WARMUP_WINDOW = 240;
/**
 * A series' tail width is read as it is, however wide. The server caps a crowd cell's at 200 so a
 * noisy history cannot blind its test, but a crowd cell counts people, tens or hundreds a minute;
 * a series may count thousands a step, and a width read from the counts grows with them (noise that
 * multiplies the level, as a news cycle does, gives evidence in proportion to the count). Capped,
 * the verdict depended on the unit: one series raised 4 alerts as it was, 24 at ten times its
 * counts and 121 at fifty times. The price: a tail widened by an anomaly it missed stays wide (the
 * NYC taxis' holiday season). docs/detection-benchmarks.md, "A busy series is judged as a quiet one".
 */
const SERIES_MAX_TAIL = Infinity;
/** Usual levels read from the same time of earlier days or weeks (not from the last minutes). */
const SEASONAL_SOURCES: ReadonlySet<Expectation['source']> = new Set(['day', 'week']);

function addToBlock(s: BlockSummary, value: number, troubled: boolean, longTroubled: boolean, rawLlr: number, seasonal: number, longRaw: number): void {
  s.minutes++;
  s.longPeak = Math.max(s.longPeak ?? 0, longRaw);
  s.failing += value;
  s.failingSq += value * value;
  if (troubled) s.troubled = true;
  if (longTroubled) s.longTroubled = true;
  s.peak = Math.max(s.peak ?? 0, rawLlr);
  s.expected = (s.expected ?? 0) + seasonal;
}

/**
 * The window ending at row i once more without its peak row (the one that stands highest over its
 * usual level), as the server hands `judge` for its minutes. `judge` reads it only for steps under
 * two minutes, where its lone-minute rules apply (a stretch is read without its peak minute, and a
 * minute alone waits for the next): a series of minutes is then judged as a server cell's minutes
 * are. Longer steps are judged whole (a row of five minutes that stands alone is five minutes of
 * trouble, and holding it back costs as long; tried on the flight corpora: see
 * docs/detection-benchmarks.md, "A lone row waits for the next").
 */
function withoutPeakOf(values: readonly number[], expectedAt: readonly number[], i: number, counted: readonly number[]): { index: number; counts: number[]; own: number[] } {
  let index = 0;
  let best = -Infinity;
  const own: number[] = [];
  for (let k = 0; k < counted.length; k++) {
    const v = values[i - k] as number;
    own.push(v);
    const ratio = v / (expectedAt[i - k] as number);
    if (ratio > best) [index, best] = [k, ratio];
  }
  const peak = own[index] as number;
  return { index, counts: counted.map((c, k) => (k >= index ? c - peak : c)), own };
}

/** A series is not a crowd: no people, networks or active counts to bar on; the rest as is. */
function seriesThresholds(t: DetectionThresholds): DetectionThresholds {
  return { ...t, outageMinReporters: 0, outageMinNetworks: 0, outageMinShare: 0, degradedMinReporters: 0, degradedMinNetworks: 0, degradedMinShare: 0, leaveOutNetworks: 0 };
}

/** The baseline options for a series of this step: blocks of 15 minutes or one step, whichever is
 *  longer; a day of blocks before the tail is trusted. */
export function seriesBaseline(stepMs: number): BaselineOptions {
  const blockMs = Math.max(SERIES_BLOCK_MS, stepMs);
  const stepsPerBlock = Math.max(1, Math.round(blockMs / stepMs));
  const blocksPerDay = Math.max(1, Math.round(DAY_MS / blockMs));
  return {
    ...DEFAULT_BASELINE,
    blockMs,
    stepMs,
    minBlockSteps: Math.max(1, Math.ceil((stepsPerBlock * 2) / 3)),
    tailMinBlocks: blocksPerDay,
    levelMinBlocks: Math.min(DEFAULT_BASELINE.levelMinBlocks, Math.max(1, Math.round(blocksPerDay / 2))),
    seasonalTroubled: true,
    alignHours: SERIES_ALIGN_HOURS,
    earlyWeeks: true,
    // Unbounded for series (see SERIES_MAX_TAIL).
    maxTailDispersion: SERIES_MAX_TAIL,
  };
}

/**
 * Judges every row from the rows before it. Nothing is called until three days of the series are
 * known (the time-of-day level needs three earlier days, the tail dispersion one): a series
 * arrives with no history, unlike a server cell, whose quiet start is known to be quiet.
 */
export function scoreSeries(rows: readonly SeriesRow[], thresholds: DetectionThresholds = DEFAULT_THRESHOLDS, opts: SeriesOptions = DEFAULT_SERIES_OPTIONS): ScoredRow[] {
  const t = seriesThresholds(thresholds);
  const record = opts.record ? new DailyRecord(opts.record.rank, opts.record.days) : null;
  const step = seriesStep(rows);
  const options = seriesBaseline(step);
  const blockMs = options.blockMs;
  const blocks = new Map<number, BlockSummary>();
  const expectations = new Map<number, Expectation>();
  const out: ScoredRow[] = [];
  let current: { start: number; summary: BlockSummary } | null = null;
  const w = Math.max(1, t.windowMinutes);
  const stepper = new HysteresisStepper(Math.max(opts.minQuietSteps, Math.ceil((t.quietMinutes * 60_000) / step)));
  /** What each row was expected to be, so a stretch is compared with its own expected sum. */
  const expectedAt: number[] = [];
  let tail: { hour: number; value: TailModel | null; long: number | null; alignment: Alignment } = { hour: NaN, value: null, long: null, alignment: { day: [], week: [] } };
  const longSteps = longLookSteps(step, w);
  const values = rows.map((r) => r.value);
  const blockAt = (b: number) => blocks.get(b);
  /** The first row of the current run of rows whose usual level came from earlier days or weeks:
   *  the long look reads only those (a stretch reaching back into the cold start compares the
   *  hours with the 40 minutes before them). */
  let seasonalFrom = 0;
  /** Whether the long look called trouble in the episode now shown. */
  let longCalled = false;
  rows.forEach((row, i) => {
    const start = Math.floor(row.at / blockMs) * blockMs;
    if (current && current.start !== start) {
      blocks.set(current.start, current.summary);
      current = null;
    }
    current ??= { start, summary: { minutes: 0, failing: 0, failingSq: 0, active: 0, troubled: false } };
    // History only changes at block boundaries (the current and previous blocks are never read).
    let exp = expectations.get(start);
    if (!exp) {
      const hour = Math.floor(row.at / TAIL_EVERY_MS);
      if (tail.hour !== hour) tail = { hour, value: tailModelAt(row.at, blockAt, options), long: longTailAt(row.at, blockAt, options), alignment: alignmentAt(row.at, blockAt, options, clockChangesBetween(row.at - options.weeks * WEEK_MS, row.at)) };
      exp = expectationAt(row.at, blockAt, options, tail.value, tail.alignment);
      // For a while after a known clock change, the usual level is also read as if the series
      // had moved with it, and the higher read is used: a rise that merely came an hour early by
      // UTC is not called before the fit has seen the new time (docs/method.md section 9).
      for (const change of clockChangesBetween(start - CLOCK_HEDGE_MS, start)) {
        const moved = expectationAt(row.at, blockAt, options, tail.value, changeAlignment(row.at, change, options));
        if (moved.perMinute > exp.perMinute) exp = moved;
      }
      expectations.set(start, exp);
    }
    let seasonal = exp.seasonal;
    if (exp.source === 'prior') {
      // Nothing summarised yet: the level so far is the median of the rows before this one.
      seasonal = i === 0 ? row.value : median(rows.slice(Math.max(0, i - WARMUP_WINDOW), i).map((r) => r.value));
      exp = { ...exp, perMinute: seasonal, seasonal };
    }
    expectedAt[i] = Math.max(t.minExpectedPerMinute, exp.perMinute);
    const counted: number[] = [];
    const expectedOver: number[] = [];
    let sum = 0;
    let expectedSum = 0;
    for (let k = 0; k < w && i - k >= 0; k++) {
      sum += (rows[i - k] as SeriesRow).value;
      expectedSum += expectedAt[i - k] as number;
      counted.push(sum);
      expectedOver.push(expectedSum);
    }
    const j = judge({ counted, networks: 0, active: 0, expectedOver, stepMinutes: step / 60_000, withoutPeak: withoutPeakOf(values, expectedAt, i, counted) }, exp, t);
    if (!SEASONAL_SOURCES.has(exp.source)) seasonalFrom = i + 1;
    // The long tail grows with the level as the short one does (a trending day's hours burst too).
    const growth = j.dispersion / Math.max(1, exp.dispersion);
    const long = longLook(longSteps, values, expectedAt, i + 1, i + 1 - seasonalFrom, tail.long === null ? null : tail.long * growth, t);
    const callState: State = RANK[long.state] > RANK[j.state] ? long.state : j.state;
    // The long look's lower bars keep only trouble it called itself (see LongLook.hold).
    if (long.state !== 'operational') longCalled = true;
    const callHold: State = [j.hold, longCalled ? long.hold : 'operational', callState].reduce((a, b) => (RANK[b] > RANK[a] ? b : a));
    // Too little known to call anything: the first rows only set the level, and nothing is called
    // before the tail dispersion is known (a day of blocks).
    const learning = i < WARMUP_ROWS || exp.tailDispersion === null;
    // Nor is anything shown while the usual level is not yet read from the same time on earlier
    // days (three of them): until then it comes from the last 40 minutes, which cannot foresee a
    // daily rise. Every alert that real series (flights, a load balancer's requests) raised in
    // their first days was such a rise read against the hours before it. The history is kept as
    // it was judged, so the tail and the troubled blocks learn as before.
    const silent = learning || !SEASONAL_SOURCES.has(exp.source);
    const strongest = Math.max(j.evidence.llr, long.llr);
    const day = Math.floor(row.at / DAY_MS);
    // A rise is shown only when it is among the strongest the series has had (see DailyRecord).
    const ordinary = record !== null && !silent && !record.exceeds(day, strongest);
    const shown = stepper.step(silent || ordinary ? 'operational' : callState, row.at, silent ? 'operational' : callHold);
    if (record && !silent) record.add(day, strongest);
    if (shown.state === 'operational') longCalled = false;
    // Each test's trouble keeps the block out of that test's own tail only: hours the long look
    // called (a level that doubled, say) still teach the short test how the minutes burst at
    // that level; kept out too, the short tail stayed at the old level's width and the next day's
    // bursts were called.
    addToBlock(current.summary, row.value, !learning && j.state !== 'operational', !learning && long.state !== 'operational', learning ? 0 : j.rawLlr, exp.source === 'prior' ? 0 : exp.seasonal, learning ? 0 : long.rawLlr);
    const ev = j.evidence.llr;
    // The score shows the stronger of the two tests' evidence (the one that would call first).
    const squeezed = strongest <= 0 ? 0 : strongest / (strongest + t.evidenceThreshold);
    out.push({ ...row, score: shown.alert ? 0.5 + squeezed / 2 : Math.min(0.4999, squeezed / 2), state: shown.state, alert: shown.alert, expected: expectedAt[i] as number, evidence: ev, dispersion: j.dispersion, longEvidence: long.llr });
  });
  return out;
}

/**
 * The strongest evidence of each UTC day of a series, and whether evidence now stands above the
 * `rank`-th strongest day of the last `days` (today left out). Distribution-free: if the days of
 * a series are alike (no anomaly among them), today's strongest is above the rank-th of the last
 * n days with probability at most rank / (n + 1), whatever the noise looks like, so a series can
 * raise at most about rank x 28 / (days + 1) chance alerts in four weeks however heavy its tails.
 * Days with no evidence read yet do not count; while fewer than `rank` days are known, anything
 * passes.
 */
export class DailyRecord {
  private readonly best = new Map<number, number>();
  private barDay = NaN;
  private bar = 0;

  constructor(
    private readonly rank: number,
    private readonly days: number,
  ) {}

  add(day: number, evidence: number): void {
    // Only another day's evidence can move the bar kept for `barDay`.
    if (day !== this.barDay) this.barDay = NaN;
    if (evidence > (this.best.get(day) ?? -Infinity)) this.best.set(day, evidence);
  }

  /** The bar for `day`: the rank-th strongest of the days before it (0 while too few). */
  barFor(day: number): number {
    const before: number[] = [];
    for (let d = day - this.days; d < day; d++) {
      const b = this.best.get(d);
      if (b !== undefined) before.push(b);
    }
    if (before.length < this.rank) return 0;
    before.sort((a, b) => b - a);
    return before[this.rank - 1] as number;
  }

  /** Asked every row: the bar only moves when the day does (today's own evidence is not read). */
  exceeds(day: number, evidence: number): boolean {
    if (this.barDay !== day) [this.barDay, this.bar] = [day, this.barFor(day)];
    return evidence > this.bar;
  }
}

export interface SeriesOptions {
  /** Rises shown only above the rank-th strongest day of the last `days` (null: every rise). Off
   *  by default: tried and not taken (docs/detection-benchmarks.md, "A bursty world the engine's
   *  authors did not write"); kept so `scripts/score-alerts.ts --record` can weigh it again on other data. */
  record: { rank: number; days: number } | null;
  /** A shown state comes down only after this many quiet rows at least (or the thresholds' quiet
   *  minutes, if longer). At 5-minute rows the server's 5 quiet minutes are one row: a single row
   *  under the hold bars ended a burst's state and the next raised it again, one episode counted
   *  as two alerts. */
  minQuietSteps: number;
}

export const DEFAULT_SERIES_OPTIONS: SeriesOptions = { record: null, minQuietSteps: 3 };

/** The output, every input data line in its place: dropped lines with score 0 and the state the
 *  row before them left. */
export function formatScoresCsv(rows: readonly ScoredRow[], dropped: readonly DroppedRow[] = []): string {
  const out = ['timestamp,value,anomaly_score,state'];
  let d = 0;
  const flush = (upTo: number) => {
    for (; d < dropped.length && (dropped[d] as DroppedRow).after <= upTo; d++) {
      const x = dropped[d] as DroppedRow;
      out.push(`${x.timestamp},${x.valueText},0.0000,${x.after > 0 ? (rows[x.after - 1] as ScoredRow).state : 'operational'}`);
    }
  };
  rows.forEach((r, i) => {
    flush(i);
    out.push(`${r.timestamp},${r.valueText},${r.score.toFixed(4)},${r.state}`);
  });
  flush(rows.length);
  return out.join('\n') + '\n';
}
