/**
 * The engine run over a plain count series (`timestamp,value`), causally: the score of row t is
 * computed from rows up to t only, with the same baseline (history summarised in blocks, troubled
 * blocks left out), the same sequential test and the same threshold as the server. A series has
 * no reporters or networks, so those bars do not apply; the rest does. Pure: text in, text out.
 */
import { BLOCK_MS, DEFAULT_BASELINE, expectationAt, median, type BaselineOptions, type BlockSummary } from './baseline.ts';
import { scoreOf, strongestEvidenceOf } from './sequential.ts';
import { DEFAULT_THRESHOLDS, type DetectionThresholds } from './thresholds.ts';

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

const TIMESTAMP_RE = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

function parseTimestamp(text: string, line: number): number {
  const m = TIMESTAMP_RE.exec(text);
  if (!m) throw new SeriesInputError(line, `timestamp "${text}" is not YYYY-MM-DD HH:MM:SS`);
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const at = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(at);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    throw new SeriesInputError(line, `timestamp "${text}" is not a real date and time`);
  }
  return at;
}

/** Reads `timestamp,value` rows (an optional header line, blank lines ignored), one fixed step. */
export function parseSeriesCsv(text: string): SeriesRow[] {
  const rows: SeriesRow[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    const trimmed = raw.trim();
    if (trimmed === '') return;
    const cells = trimmed.split(',').map((c) => c.trim());
    if (rows.length === 0 && cells[0]?.toLowerCase() === 'timestamp') {
      if (cells.length !== 2 || cells[1]?.toLowerCase() !== 'value') throw new SeriesInputError(line, 'the header must be "timestamp,value"');
      return;
    }
    if (cells.length !== 2) throw new SeriesInputError(line, `expected 2 fields (timestamp,value), found ${cells.length}`);
    const [timestamp, valueText] = cells as [string, string];
    const at = parseTimestamp(timestamp, line);
    const value = valueText === '' ? NaN : Number(valueText);
    if (!Number.isFinite(value)) throw new SeriesInputError(line, `value "${valueText}" is not a number`);
    if (value < 0) throw new SeriesInputError(line, `value ${valueText} is negative; the engine reads counts`);
    const prev = rows[rows.length - 1];
    const first = rows[0];
    if (prev && at <= prev.at) throw new SeriesInputError(line, `timestamp ${timestamp} does not come after ${prev.timestamp}`);
    if (prev && first && rows.length >= 2) {
      const step = (rows[1] as SeriesRow).at - first.at;
      if (at - prev.at !== step) throw new SeriesInputError(line, `the step changes from ${step / 1000} s to ${(at - prev.at) / 1000} s; the series needs one fixed step`);
    }
    rows.push({ timestamp, at, valueText, value });
  });
  if (rows.length === 0) throw new SeriesInputError(lines.length, 'no data rows');
  return rows;
}

export interface ScoredRow extends SeriesRow {
  score: number;
}

const WARMUP_ROWS = 10;
const WARMUP_WINDOW = 240;

function addToBlock(s: BlockSummary, value: number, troubled: boolean): void {
  s.minutes++;
  s.failing += value;
  s.failingSq += value * value;
  if (troubled) s.troubled = true;
}

/** Scores every row from the rows before it; 0.5 is where the engine itself calls trouble. */
export function scoreSeries(rows: readonly SeriesRow[], t: DetectionThresholds = DEFAULT_THRESHOLDS): ScoredRow[] {
  const step = rows.length >= 2 ? (rows[1] as SeriesRow).at - (rows[0] as SeriesRow).at : BLOCK_MS;
  const blockMs = Math.max(BLOCK_MS, step);
  const stepsPerBlock = Math.max(1, Math.round(blockMs / step));
  const options: BaselineOptions = { ...DEFAULT_BASELINE, blockMs, minBlockSteps: Math.max(1, Math.ceil((stepsPerBlock * 2) / 3)) };
  const blocks = new Map<number, BlockSummary>();
  const out: ScoredRow[] = [];
  let current: { start: number; summary: BlockSummary } | null = null;
  const w = Math.max(1, t.windowMinutes);
  /** What each row was expected to be, so a stretch is compared with its own expected sum. */
  const expectedAt: number[] = [];
  rows.forEach((row, i) => {
    const start = Math.floor(row.at / blockMs) * blockMs;
    if (current && current.start !== start) {
      blocks.set(current.start, current.summary);
      current = null;
    }
    current ??= { start, summary: { minutes: 0, failing: 0, failingSq: 0, active: 0, troubled: false } };
    const exp = expectationAt(row.at, (b) => blocks.get(b), options);
    if (exp.source === 'prior') {
      // Nothing summarised yet: the level so far is the median of the rows before this one; with
      // fewer than WARMUP_ROWS of them there is nothing to compare with, and nothing is called.
      if (i < WARMUP_ROWS) {
        expectedAt[i] = Math.max(t.minExpectedPerMinute, row.value);
        out.push({ ...row, score: 0 });
        addToBlock(current.summary, row.value, false);
        return;
      }
      exp.perMinute = median(rows.slice(Math.max(0, i - WARMUP_WINDOW), i).map((r) => r.value));
    }
    expectedAt[i] = Math.max(t.minExpectedPerMinute, exp.perMinute);
    const counted: number[] = [];
    const expected: number[] = [];
    let sum = 0;
    let expectedSum = 0;
    for (let k = 0; k < w && i - k >= 0; k++) {
      sum += (rows[i - k] as SeriesRow).value;
      expectedSum += expectedAt[i - k] as number;
      counted.push(sum);
      expected.push(expectedSum);
    }
    const evidence = strongestEvidenceOf(counted, expected, exp.dispersion);
    let score = scoreOf(evidence.llr, t.evidenceThreshold);
    // Too small a rise to call, however sure: kept just under the line.
    if (evidence.ratio < t.degradedBaselineFactor) score = Math.min(score, 0.499);
    addToBlock(current.summary, row.value, score >= 0.5);
    out.push({ ...row, score });
  });
  return out;
}

export function formatScoresCsv(rows: readonly ScoredRow[]): string {
  return ['timestamp,value,anomaly_score', ...rows.map((r) => `${r.timestamp},${r.valueText},${r.score.toFixed(4)}`)].join('\n') + '\n';
}
