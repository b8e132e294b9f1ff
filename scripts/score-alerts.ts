/**
 * Counts the engine's alerts on count series, with or without labelled anomaly windows.
 *
 *   npx tsx scripts/score-alerts.ts --scores scores.csv [--labels labels.json]
 *   npx tsx scripts/score-alerts.ts --dir DIR        (npm run score:external)
 *
 * --scores reads what `npm run detect` writes (`timestamp,value,anomaly_score[,state]`).
 * --dir runs the engine in-process (as `npm run detect` does) over every *.csv in DIR and takes
 * NAME.labels.json beside NAME.csv as its labels when there is one.
 *
 * An alert is a row with anomaly_score >= 0.5 (the engine marks exactly the rows where it raises
 * one). Labels are a NAB-style JSON list of [start, end] windows (row timestamps, both ends
 * inclusive), or NAB's combined form {"file.csv": [[start, end], ...]}. With labels:
 * - a window is detected when an alert falls on a row inside it; the delay is from the window's
 *   start to that first alert, in minutes; "late" windows only had an alert in the hour after;
 * - a false alert is one outside every window and outside the hour after each window's end;
 * - the NAB-like score uses NAB's standard profile (true positive 1, false positive 0.11, missed
 *   window 1) and its scaled sigmoid for how early in the window the first alert came, with the
 *   window taken as its rows; it is normalised as NAB does: 0 = no alert at all, 100 = every
 *   window caught on its first row and no false alert. Our windows are the anomalies themselves,
 *   much narrower than NAB's, so the number is comparable only in spirit.
 * Without labels only the alerts are counted: on a real series that is an upper bound on false
 * alerts, since some of its bursts (a storm in the delays) are real anomalies.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SERIES_OPTIONS, parseSeriesCsv, scoreSeries, type SeriesOptions } from '../src/server/detection/series-detector.ts';
import { DEFAULT_THRESHOLDS } from '../src/server/detection/thresholds.ts';
import { parseTimestamp } from './lib/external-series.ts';

export const ALERT_SCORE = 0.5;
export const GRACE_MS = 3_600_000;
const WEEK_MS = 7 * 86_400_000;
export const NAB_STANDARD = { tp: 1, fp: 0.11, fn: 1 } as const;

export interface ScoreRow {
  at: number;
  timestamp: string;
  value: number;
  score: number;
  state?: string;
}

export interface Window {
  start: number;
  end: number;
}

export interface WindowResult extends Window {
  detected: boolean;
  late: boolean;
  /** Minutes from the window's start to the first alert in it; null when not detected. */
  delayMinutes: number | null;
  /** The highest anomaly_score on the window's rows (how near a missed window came). */
  maxScore: number;
}

export interface SeriesScore {
  rows: number;
  stepMs: number;
  weeks: number;
  alerts: number;
  alertsPerWeek: number;
  /** Maximal stretches of consecutive alert rows (equal to alerts when each alert is one row). */
  runs: number;
  labelled: boolean;
  windows: WindowResult[];
  falseAlerts: number;
  falsePer4Weeks: number;
  /** Sum of the NAB-like contributions, and the same for no alert and for a perfect detector. */
  nab: { raw: number; none: number; perfect: number };
}

/** Reads `timestamp,value,anomaly_score[,state]` as written by `npm run detect`. */
export function parseScoresCsv(text: string): ScoreRow[] {
  const out: ScoreRow[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const cells = line.split(',').map((c) => c.trim());
    if (out.length === 0 && cells[0]?.toLowerCase() === 'timestamp') {
      if (cells[1] !== 'value' || cells[2] !== 'anomaly_score' || cells.length > 4) throw new Error(`line ${i + 1}: the header must be timestamp,value,anomaly_score[,state]`);
      return;
    }
    if (cells.length < 3 || cells.length > 4) throw new Error(`line ${i + 1}: expected timestamp,value,anomaly_score[,state]`);
    const [timestamp, value, score, state] = cells as [string, string, string, string | undefined];
    const row: ScoreRow = { at: parseTimestamp(timestamp), timestamp, value: Number(value), score: Number(score) };
    if (!Number.isFinite(row.score)) throw new Error(`line ${i + 1}: anomaly_score "${score}" is not a number`);
    if (state !== undefined) row.state = state;
    out.push(row);
  });
  if (out.length === 0) throw new Error('no rows');
  return out;
}

/** A list of [start, end] pairs, or NAB's {"file.csv": [[start, end], ...]} (then `file` picks). */
export function parseLabels(json: unknown, file?: string): Window[] {
  let list: unknown = json;
  if (json !== null && typeof json === 'object' && !Array.isArray(json)) {
    const entries = Object.entries(json as Record<string, unknown>);
    const hit = entries.find(([k]) => file !== undefined && (k === file || basename(k) === basename(file)));
    if (!hit && entries.length !== 1) throw new Error(`labels have ${entries.length} files; none is ${file ?? '(no file given)'}`);
    list = (hit ?? entries[0])?.[1];
  }
  if (!Array.isArray(list)) throw new Error('labels must be a list of [start, end] windows');
  return list
    .map((w, i) => {
      if (!Array.isArray(w) || w.length !== 2 || typeof w[0] !== 'string' || typeof w[1] !== 'string') throw new Error(`label ${i + 1} is not [start, end]`);
      const win = { start: parseTimestamp(w[0]), end: parseTimestamp(w[1]) };
      if (win.end < win.start) throw new Error(`label ${i + 1} ends before it starts`);
      return win;
    })
    .sort((a, b) => a.start - b.start);
}

/** NAB's scaled sigmoid: about 0.987 at y = -1 (the window's start), 0 at its end, -1 long after. */
export function scaledSigmoid(y: number): number {
  return 2 / (1 + Math.exp(5 * y)) - 1;
}

export function scoreAlerts(rows: readonly ScoreRow[], windows?: readonly Window[]): SeriesScore {
  const first = rows[0] as ScoreRow;
  const stepMs = rows.length >= 2 ? (rows[1] as ScoreRow).at - first.at : 300_000;
  const weeks = (rows.length * stepMs) / WEEK_MS;
  const alertRows = rows.filter((r) => r.score >= ALERT_SCORE);
  let runs = 0;
  rows.forEach((r, i) => {
    if (r.score >= ALERT_SCORE && !((rows[i - 1]?.score ?? 0) >= ALERT_SCORE)) runs++;
  });
  const results: WindowResult[] = [];
  let falseAlerts = 0;
  let nabRaw = 0;
  const ws = windows ?? [];
  for (const w of ws) {
    const inside = alertRows.find((r) => r.at >= w.start && r.at <= w.end);
    const late = !inside && alertRows.some((r) => r.at > w.end && r.at <= w.end + GRACE_MS);
    const maxScore = rows.reduce((m, r) => (r.at >= w.start && r.at <= w.end ? Math.max(m, r.score) : m), 0);
    results.push({ ...w, detected: inside !== undefined, late, delayMinutes: inside ? (inside.at - w.start) / 60_000 : null, maxScore });
    if (inside) {
      // The window as its rows: [start, end + step); y runs from -1 at its first row towards 0.
      const length = w.end + stepMs - w.start;
      nabRaw += NAB_STANDARD.tp * scaledSigmoid((inside.at - (w.end + stepMs)) / length);
    } else {
      nabRaw -= NAB_STANDARD.fn;
    }
  }
  for (const r of alertRows) {
    if (ws.some((w) => r.at >= w.start && r.at <= w.end + GRACE_MS)) continue;
    falseAlerts++;
    nabRaw -= NAB_STANDARD.fp;
  }
  const perfect = ws.length * NAB_STANDARD.tp * scaledSigmoid(-1);
  return {
    rows: rows.length,
    stepMs,
    weeks,
    alerts: alertRows.length,
    alertsPerWeek: alertRows.length / weeks,
    runs,
    labelled: windows !== undefined,
    windows: results,
    falseAlerts,
    falsePer4Weeks: (falseAlerts / weeks) * 4,
    nab: { raw: nabRaw, none: -ws.length * NAB_STANDARD.fn, perfect },
  };
}

/** NAB's normalisation: 100 x (raw - none) / (perfect - none); null without windows. */
export function nabNormalised(n: SeriesScore['nab']): number | null {
  return n.perfect === n.none ? null : (100 * (n.raw - n.none)) / (n.perfect - n.none);
}

function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Runs the engine over a `timestamp,value` text as `npm run detect` does. */
export function engineScores(seriesText: string, opts: SeriesOptions = DEFAULT_SERIES_OPTIONS): ScoreRow[] {
  return scoreSeries(parseSeriesCsv(seriesText), DEFAULT_THRESHOLDS, opts).map((r) => {
    const row: ScoreRow = { at: r.at, timestamp: r.timestamp, value: r.value, score: r.score };
    // The engine may or may not say which state a row is in.
    if ('state' in r && r.state !== undefined && r.state !== null) row.state = String(r.state);
    return row;
  });
}

export interface NamedScore {
  name: string;
  score: SeriesScore;
  /** What each window is, by its start (from NAME.injections.json when there is one). */
  notes?: Map<number, string>;
}

const fmt = (x: number | null, digits = 1): string => (x === null ? '-' : x.toFixed(digits));

export function formatTable(results: readonly NamedScore[]): string {
  const head = ['series', 'rows', 'weeks', 'alerts', 'runs', 'alerts/wk', 'windows', 'detected', 'late', 'delay med', 'delay max', 'false', 'false/4wk', 'NAB'];
  const body = results.map(({ name, score: s }) => {
    const delays = s.windows.flatMap((w) => (w.delayMinutes === null ? [] : [w.delayMinutes]));
    const lab = s.labelled;
    return [
      name,
      String(s.rows),
      fmt(s.weeks),
      String(s.alerts),
      String(s.runs),
      fmt(s.alertsPerWeek, 2),
      lab ? String(s.windows.length) : '-',
      lab ? String(s.windows.filter((w) => w.detected).length) : '-',
      lab ? String(s.windows.filter((w) => w.late).length) : '-',
      lab ? fmt(median(delays), 0) : '-',
      lab ? fmt(delays.length ? Math.max(...delays) : null, 0) : '-',
      lab ? String(s.falseAlerts) : '-',
      lab ? fmt(s.falsePer4Weeks, 2) : '-',
      lab ? fmt(nabNormalised(s.nab)) : '-',
    ];
  });
  const unl = results.filter((r) => !r.score.labelled).map((r) => r.score);
  const lab = results.filter((r) => r.score.labelled).map((r) => r.score);
  const sum = (xs: readonly SeriesScore[], f: (s: SeriesScore) => number) => xs.reduce((a, s) => a + f(s), 0);
  const totals: string[][] = [];
  if (unl.length) {
    const wk = sum(unl, (s) => s.weeks);
    const al = sum(unl, (s) => s.alerts);
    totals.push(['unlabelled (real, as is)', String(sum(unl, (s) => s.rows)), fmt(wk), String(al), String(sum(unl, (s) => s.runs)), fmt(al / wk, 2), '-', '-', '-', '-', '-', '-', '-', '-']);
  }
  if (lab.length) {
    const wk = sum(lab, (s) => s.weeks);
    const al = sum(lab, (s) => s.alerts);
    const delays = lab.flatMap((s) => s.windows.flatMap((w) => (w.delayMinutes === null ? [] : [w.delayMinutes])));
    const fa = sum(lab, (s) => s.falseAlerts);
    const nab = { raw: sum(lab, (s) => s.nab.raw), none: sum(lab, (s) => s.nab.none), perfect: sum(lab, (s) => s.nab.perfect) };
    totals.push([
      'labelled (injected)',
      String(sum(lab, (s) => s.rows)),
      fmt(wk),
      String(al),
      String(sum(lab, (s) => s.runs)),
      fmt(al / wk, 2),
      String(sum(lab, (s) => s.windows.length)),
      String(sum(lab, (s) => s.windows.filter((w) => w.detected).length)),
      String(sum(lab, (s) => s.windows.filter((w) => w.late).length)),
      fmt(median(delays), 0),
      fmt(delays.length ? Math.max(...delays) : null, 0),
      String(fa),
      fmt((fa / wk) * 4, 2),
      fmt(nabNormalised(nab)),
    ]);
  }
  const all = [head, ...body, ...totals];
  const widths = head.map((_, c) => Math.max(...all.map((r) => (r[c] as string).length)));
  const line = (r: readonly string[]) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] as number) : cell.padStart(widths[c] as number))).join('  ');
  const sep = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(head), sep, ...body.map(line), ...(totals.length ? [sep, ...totals.map(line)] : [])].join('\n');
}

function windowLines({ name, score: s, notes }: NamedScore): string[] {
  return s.windows.map((w) => {
    const note = notes?.get(w.start);
    const what = w.detected ? `detected after ${w.delayMinutes} min` : w.late ? 'late (alert only in the hour after)' : 'missed';
    return `  ${name}: ${new Date(w.start).toISOString().slice(0, 16).replace('T', ' ')} .. ${new Date(w.end).toISOString().slice(11, 16)} (${(w.end - w.start) / 60_000 + s.stepMs / 60_000} min${note ? `, ${note}` : ''}): ${what}, max score ${w.maxScore.toFixed(3)}`;
  });
}

function injectionNotes(file: string): Map<number, string> | undefined {
  let parsed: { windows?: { start: string; factor: number; level: number }[] };
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as typeof parsed;
  } catch {
    return undefined;
  }
  return new Map((parsed.windows ?? []).map((w) => [parseTimestamp(w.start), `+${w.factor}x of level ${w.level}`]));
}

export function scoreDir(dir: string, opts: SeriesOptions = DEFAULT_SERIES_OPTIONS): NamedScore[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.csv'))
    .sort();
  if (files.length === 0) throw new Error(`no .csv files in ${dir}`);
  return files.map((f) => {
    const stem = f.replace(/\.csv$/, '');
    let labels: Window[] | undefined;
    try {
      labels = parseLabels(JSON.parse(readFileSync(join(dir, `${stem}.labels.json`), 'utf8')), f);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${stem}.labels.json: ${err instanceof Error ? err.message : String(err)}`);
    }
    const result: NamedScore = { name: stem, score: scoreAlerts(engineScores(readFileSync(join(dir, f), 'utf8'), opts), labels) };
    const notes = injectionNotes(join(dir, `${stem}.injections.json`));
    if (notes) result.notes = notes;
    return result;
  });
}

const USAGE = 'usage: score-alerts.ts --scores scores.csv [--labels labels.json] [--windows] | --dir DIR [--windows] [--record RANK,DAYS | --record off]';

/** `--record RANK,DAYS` (or `off`): the engine with another daily-record rule, to compare. */
function recordOption(text: string): SeriesOptions {
  if (text === 'off') return { ...DEFAULT_SERIES_OPTIONS, record: null };
  const m = /^(\d+),(\d+)$/.exec(text);
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) throw new Error(`--record takes RANK,DAYS (two whole numbers from 1) or off, not "${text}"\n${USAGE}`);
  return { ...DEFAULT_SERIES_OPTIONS, record: { rank: Number(m[1]), days: Number(m[2]) } };
}

export function main(argv: readonly string[]): string {
  const opt = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    if (i < 0) return undefined;
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${name} needs a value\n${USAGE}`);
    return v;
  };
  for (const a of argv) if (a.startsWith('--') && !['--dir', '--scores', '--labels', '--windows', '--record'].includes(a)) throw new Error(`unknown option ${a}\n${USAGE}`);
  const dir = opt('--dir');
  const scores = opt('--scores');
  const labelsFile = opt('--labels');
  let results: NamedScore[];
  const record = opt('--record');
  if (record !== undefined && dir === undefined) throw new Error(`--record needs --dir (it reruns the engine)\n${USAGE}`);
  if (dir !== undefined) results = scoreDir(dir, record === undefined ? DEFAULT_SERIES_OPTIONS : recordOption(record));
  else if (scores !== undefined) {
    const labels = labelsFile === undefined ? undefined : parseLabels(JSON.parse(readFileSync(labelsFile, 'utf8')), scores);
    results = [{ name: basename(scores).replace(/\.csv$/, ''), score: scoreAlerts(parseScoresCsv(readFileSync(scores, 'utf8')), labels) }];
  } else throw new Error(USAGE);
  const out = [formatTable(results)];
  if (argv.includes('--windows')) out.push('', ...results.flatMap(windowLines));
  out.push(
    '',
    `alerts: rows with anomaly_score >= ${ALERT_SCORE}; runs: stretches of consecutive such rows. On unlabelled real series every alert is counted, so alerts/wk is an upper bound on false alerts.`,
    `windows: detected = an alert on a row inside; late = only in the hour after; delay in minutes from the window's start; false = outside every window and its following hour; NAB: standard profile, 0 = silent, 100 = perfect.`,
  );
  return out.join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    console.log(main(process.argv.slice(2)));
  } catch (err) {
    console.error(`score-alerts: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
