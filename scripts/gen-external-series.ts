/**
 * Builds the external check corpus in test/fixtures/series/external/: real 5-minute count series
 * derived from the US DOT BTS on-time records of January-June 2001 shipped in the npm package
 * vega-datasets (flights-3m.parquet: one row per flight that was not cancelled, with its actual
 * departure local date-time, arrival delay in minutes, origin and destination), plus copies of
 * some of them with seeded, labelled upward anomalies. See the README in that folder.
 *
 *   npx tsx scripts/gen-external-series.ts                  (re-writes the whole corpus)
 *   npx tsx scripts/gen-external-series.ts --inject series.csv --seed 7 [--factors 3,5,10]
 *       [--durations 10,30,60,180] [--warmup-days 7] [--out copy.csv]
 *
 * --inject adds one anomaly per factor x duration to a copy of any `timestamp,value` series and
 * writes the copy (default: NAME-injected-sSEED.csv beside it), COPY.labels.json (a NAB-style
 * list of [start, end] windows, both ends inclusive row timestamps) and COPY.injections.json
 * (each window's size, duration, local level and counts added).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { decompress } from 'fzstd';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { bucketCounts, injectAnomalies, parseTimestamp, seriesCsv, STEP_MS, type InjectOptions } from './lib/external-series.ts';

const repo = resolve(fileURLToPath(import.meta.url), '..', '..');
export const OUT_DIR = join(repo, 'test', 'fixtures', 'series', 'external');
const PARQUET = join(repo, 'node_modules', 'vega-datasets', 'data', 'flights-3m.parquet');

export interface Flight {
  /** Actual departure, local clock time of the origin airport, stored as if UTC. */
  at: number;
  /** Arrival delay in minutes. */
  delay: number;
  origin: string;
}

interface SeriesSpec {
  name: string;
  description: string;
  /** First day (inclusive) and the day after the last, local dates. */
  from: string;
  to: string;
  keep: (f: Flight) => boolean;
}

/** Seven weeks each: long enough for the weekly baseline (3 weeks) with 4 weeks after it. */
export const SERIES: readonly SeriesSpec[] = [
  {
    name: 'flights-departures-us',
    description: 'all departures in the US, per 5 minutes (New Year, MLK day; strong daily and weekly rhythm)',
    from: '2001-01-01',
    to: '2001-02-19',
    keep: () => true,
  },
  {
    name: 'flights-delayed60-us',
    description: 'departures that arrived 60+ minutes late, all US airports (bursty: June thunderstorms)',
    from: '2001-05-13',
    to: '2001-07-01',
    keep: (f) => f.delay >= 60,
  },
  {
    name: 'flights-delayed15-us',
    description: 'departures that arrived 15+ minutes late, all US airports, same weeks as departures-us (winter storms mid and late February)',
    from: '2001-01-01',
    to: '2001-02-19',
    keep: (f) => f.delay >= 15,
  },
  {
    name: 'flights-departures-ord',
    description: "departures from Chicago O'Hare (small counts, daily rhythm)",
    from: '2001-03-05',
    to: '2001-04-23',
    keep: (f) => f.origin === 'ORD',
  },
  {
    name: 'flights-delayed60-ord',
    description: "departures from Chicago O'Hare that arrived 60+ minutes late (sparse, storm bursts in April)",
    from: '2001-03-05',
    to: '2001-04-23',
    keep: (f) => f.origin === 'ORD' && f.delay >= 60,
  },
  {
    name: 'flights-departures-iah',
    description: 'departures from Houston Intercontinental (tropical storm Allison closed it around 9 June: a fall, not a rise)',
    from: '2001-05-13',
    to: '2001-07-01',
    keep: (f) => f.origin === 'IAH',
  },
];

/** Copies with injected anomalies: 3 sizes x 4 durations = 12 labelled windows each. */
export const INJECTED: readonly { base: string; seed: number }[] = [
  { base: 'flights-departures-us', seed: 101 },
  { base: 'flights-departures-ord', seed: 202 },
  { base: 'flights-departures-iah', seed: 303 },
];

export const DEFAULT_INJECT: Omit<InjectOptions, 'seed'> = { factors: [3, 5, 10], durations: [10, 30, 60, 180], warmupDays: 7, gapHours: 12 };

export async function readFlights(): Promise<Flight[]> {
  const file = await asyncBufferFromFile(PARQUET);
  const rows = await parquetReadObjects({
    file,
    columns: ['date', 'delay', 'origin'],
    // The file is ZSTD-compressed; hyparquet takes the decompressor from outside.
    compressors: { ZSTD: (input: Uint8Array, outputLength: number) => decompress(input, new Uint8Array(outputLength)) },
  });
  return rows.map((r) => ({ at: (r.date as Date).getTime(), delay: Number(r.delay), origin: String(r.origin) }));
}

export function dayMs(date: string): number {
  return parseTimestamp(`${date} 00:00:00`);
}

interface Written {
  name: string;
  rows: number;
  weeks: number;
  mean: number;
  max: number;
  zeros: number;
  bytes: number;
}

function describe(name: string, values: readonly number[], text: string): Written {
  const sum = values.reduce((a, b) => a + b, 0);
  return {
    name,
    rows: values.length,
    weeks: (values.length * STEP_MS) / (7 * 86_400_000),
    mean: sum / values.length,
    max: Math.max(...values),
    zeros: values.filter((v) => v === 0).length / values.length,
    bytes: Buffer.byteLength(text),
  };
}

/** Reads a `timestamp,value` series with a fixed step. */
export function readSeries(text: string): { from: number; step: number; values: number[] } {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '' && !/^timestamp\s*,/i.test(l));
  const times = lines.map((l) => parseTimestamp(l.split(',')[0] ?? ''));
  const values = lines.map((l) => Number(l.split(',')[1]));
  if (times.length < 2) throw new Error('a series needs at least 2 rows');
  const from = times[0] as number;
  const step = (times[1] as number) - from;
  times.forEach((t, i) => {
    if (t !== from + i * step) throw new Error(`row ${i + 1}: the step is not fixed`);
  });
  return { from, step, values };
}

/** Writes COPY.csv, COPY.labels.json and COPY.injections.json; returns the stats of the copy. */
export function writeInjected(values: readonly number[], from: number, step: number, out: string, opts: InjectOptions, source: string): Written {
  const { values: changed, injections } = injectAnomalies(values, from, { ...opts, step });
  const text = seriesCsv(from, changed, step);
  writeFileSync(out, text);
  const stem = out.replace(/\.csv$/, '');
  writeFileSync(`${stem}.labels.json`, JSON.stringify(injections.map((w) => [w.start, w.end])) + '\n');
  const detail = { source, seed: opts.seed, factors: opts.factors, durations: opts.durations, note: 'each window adds factor x the local level per step (ramp over its first quarter); start and end are the first and last rows changed', windows: injections };
  writeFileSync(`${stem}.injections.json`, JSON.stringify(detail, null, 1) + '\n');
  return describe(basename(stem), changed, text);
}

function table(rows: readonly Written[]): string {
  const lines = ['| series | step | rows | weeks | mean count | max | zero rows | size |', '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |'];
  for (const r of rows) lines.push(`| ${r.name} | 5 min | ${r.rows} | ${r.weeks.toFixed(1)} | ${r.mean.toFixed(2)} | ${r.max} | ${(r.zeros * 100).toFixed(0)} % | ${(r.bytes / 1024).toFixed(0)} KB |`);
  return lines.join('\n');
}

async function generateAll(): Promise<void> {
  const flights = await readFlights();
  mkdirSync(OUT_DIR, { recursive: true });
  const written: Written[] = [];
  const real = new Map<string, { from: number; values: number[] }>();
  for (const spec of SERIES) {
    const from = dayMs(spec.from);
    const values = bucketCounts(
      flights.filter(spec.keep).map((f) => f.at),
      from,
      dayMs(spec.to),
    );
    const text = seriesCsv(from, values);
    writeFileSync(join(OUT_DIR, `${spec.name}.csv`), text);
    real.set(spec.name, { from, values });
    written.push(describe(spec.name, values, text));
  }
  for (const { base, seed } of INJECTED) {
    const r = real.get(base);
    if (!r) throw new Error(`unknown base series ${base}`);
    written.push(writeInjected(r.values, r.from, STEP_MS, join(OUT_DIR, `${base}-injected.csv`), { ...DEFAULT_INJECT, seed }, `${base}.csv`));
  }
  console.log(table(written));
  console.log(`\ntotal ${(written.reduce((a, w) => a + w.bytes, 0) / 1024 / 1024).toFixed(2)} MB in ${OUT_DIR}`);
}

function injectOne(argv: readonly string[]): void {
  const opt = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    if (i < 0) return undefined;
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${name} needs a value`);
    return v;
  };
  const input = opt('--inject') as string;
  const seedText = opt('--seed');
  if (seedText === undefined || !Number.isInteger(Number(seedText))) throw new Error('--inject needs --seed N (an integer)');
  const list = (s: string | undefined, d: readonly number[]) => (s === undefined ? d : s.split(',').map(Number));
  const opts: InjectOptions = {
    seed: Number(seedText),
    factors: list(opt('--factors'), DEFAULT_INJECT.factors),
    durations: list(opt('--durations'), DEFAULT_INJECT.durations),
    warmupDays: Number(opt('--warmup-days') ?? DEFAULT_INJECT.warmupDays),
    gapHours: Number(opt('--gap-hours') ?? DEFAULT_INJECT.gapHours),
  };
  if ([...opts.factors, ...opts.durations].some((x) => !(x > 0))) throw new Error('--factors and --durations are positive numbers, comma-separated');
  const out = opt('--out') ?? join(dirname(input), `${basename(input, '.csv')}-injected-s${opts.seed}.csv`);
  const { from, step, values } = readSeries(readFileSync(input, 'utf8'));
  const w = writeInjected(values, from, step, out, opts, basename(input));
  console.log(`wrote ${out} (${w.rows} rows) with ${opts.factors.length * opts.durations.length} windows in ${out.replace(/\.csv$/, '.labels.json')}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const run = argv.includes('--inject') ? Promise.resolve().then(() => injectOne(argv)) : argv.length === 0 ? generateAll() : Promise.reject(new Error(`unknown arguments: ${argv.join(' ')}`));
  run.catch((err: unknown) => {
    console.error(`gen-external-series: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
