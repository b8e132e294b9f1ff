/**
 * Rewrites a 5-minute `timestamp,value` series kept in local clock time (as the flight corpora
 * are) into UTC, as many real series are kept: each row moves by its UTC offset, one offset before
 * a change to summer time and one after. The night the clocks go forward has an hour that never
 * existed (its rows, if any, join the next hour's); the grid is filled with zeros where no row
 * lands. For checking the engine across a clock change (docs/detection-benchmarks.md).
 *
 *   npx tsx scripts/series-to-utc.ts IN.csv OUT.csv --offset -6 --summer-from "2001-04-01 02:00:00"
 *
 * --offset: hours to add to UTC to get local standard time (-6 for US Central); summer time is
 * one hour more, from the local time given.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { readSeries } from './gen-external-series.ts';
import { parseTimestamp, seriesCsv, STEP_MS } from './lib/external-series.ts';

const HOUR = 3600_000;

/** Values on the UTC grid: row i of local time `from + i * step` lands at that time minus its offset. */
export function toUtc(from: number, step: number, values: readonly number[], offsetHours: number, summerFromLocal: number): { from: number; values: number[] } {
  const moved = new Map<number, number>();
  values.forEach((v, i) => {
    const local = from + i * step;
    const offset = offsetHours + (local >= summerFromLocal ? 1 : 0);
    const at = local - offset * HOUR;
    moved.set(at, (moved.get(at) ?? 0) + v);
  });
  const times = [...moved.keys()].sort((a, b) => a - b);
  const first = times[0] as number;
  const last = times[times.length - 1] as number;
  const out: number[] = [];
  for (let at = first; at <= last; at += step) out.push(moved.get(at) ?? 0);
  return { from: first, values: out };
}

function main(argv: readonly string[]): void {
  const [input, output] = argv;
  const opt = (name: string) => {
    const i = argv.indexOf(name);
    return i < 0 ? undefined : argv[i + 1];
  };
  const offset = Number(opt('--offset'));
  const summer = opt('--summer-from');
  if (!input || !output || input.startsWith('--') || output.startsWith('--') || !Number.isFinite(offset) || summer === undefined) {
    throw new Error('usage: npx tsx scripts/series-to-utc.ts IN.csv OUT.csv --offset HOURS --summer-from "YYYY-MM-DD HH:MM:SS"');
  }
  const { from, step, values } = readSeries(readFileSync(input, 'utf8'));
  if (step !== STEP_MS) throw new Error(`${input}: a 5-minute series is expected, its step is ${step / 60_000} minutes`);
  const utc = toUtc(from, step, values, offset, parseTimestamp(summer));
  writeFileSync(output, seriesCsv(utc.from, utc.values, step));
  console.log(`wrote ${output} (${utc.values.length} rows, UTC)`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    console.error(`series-to-utc: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
