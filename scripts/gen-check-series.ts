/**
 * A second corpus of real count series, written outside the repository (30 files, 12 MB) for a
 * check the engine was not shaped on: departures and 60-minute-late departures of ten US airports
 * the committed corpus does not use, eight weeks each (alternately from 19 February and from 16
 * April 2001, dates it does not use either), plus a copy of each departures series with twelve
 * injected rises (seeds 901-910, never used elsewhere). Same source and licence as
 * test/fixtures/series/external/README.md. First used on 2026-12-07 for the long look
 * (docs/detection-benchmarks.md); a check set used to choose between variants stops being held out.
 *
 *   npx tsx scripts/gen-check-series.ts DIR && npx tsx scripts/score-alerts.ts --dir DIR
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { DEFAULT_INJECT, dayMs, readFlights, writeInjected, type Flight } from './gen-external-series.ts';
import { bucketCounts, seriesCsv, STEP_MS } from './lib/external-series.ts';

export const CHECK_AIRPORTS = ['ATL', 'DFW', 'LAX', 'DEN', 'PHX', 'DTW', 'MSP', 'SFO', 'LAS', 'STL'] as const;
const RANGES = [
  ['2001-02-19', '2001-04-16'],
  ['2001-04-16', '2001-06-11'],
] as const;
const FIRST_SEED = 901;

async function generate(dir: string): Promise<void> {
  const flights = await readFlights();
  mkdirSync(dir, { recursive: true });
  CHECK_AIRPORTS.forEach((airport, k) => {
    const [from, to] = RANGES[k % RANGES.length] as readonly [string, string];
    const kinds: [string, (f: Flight) => boolean][] = [
      ['dep', (f) => f.origin === airport],
      ['del60', (f) => f.origin === airport && f.delay >= 60],
    ];
    for (const [kind, keep] of kinds) {
      const start = dayMs(from);
      const values = bucketCounts(flights.filter(keep).map((f) => f.at), start, dayMs(to));
      const name = `${airport.toLowerCase()}-${kind}`;
      writeFileSync(join(dir, `${name}.csv`), seriesCsv(start, values));
      if (kind === 'dep') writeInjected(values, start, STEP_MS, join(dir, `${name}-inj.csv`), { ...DEFAULT_INJECT, seed: FIRST_SEED + k }, `${name}.csv`);
    }
  });
  console.log(`wrote ${CHECK_AIRPORTS.length * 3} series to ${dir}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2];
  const run = dir === undefined || dir.startsWith('--') ? Promise.reject(new Error('usage: npx tsx scripts/gen-check-series.ts DIR')) : generate(resolve(dir));
  run.catch((err: unknown) => {
    console.error(`gen-check-series: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
