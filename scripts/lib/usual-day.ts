/**
 * A day of ordinary traffic for the store screenshots, written straight into a SQLite database
 * the screenshot server then opens: without it the 24-hour chart is a flat line with the crowd's
 * spike at its end, nothing like what a user of a busy server sees. Not a test fixture and not
 * the detection benchmark's world (bench/simulate/): only a plausible picture.
 *
 * Three countries on a daily curve in Paris time (busiest at 21:00, quietest at 04:00); each active
 * person sends an `ok` sample every 10 minutes, as the extension does, and 0.5 % of them see a
 * failure in an average minute, spread over features the way ordinary failures are.
 */
import { randomUUID } from 'node:crypto';
import { floorToMinute, type Feature, type Signal } from '../../src/shared/protocol.ts';
import { SqliteStorage } from '../../src/server/storage/sqlite.ts';
import type { StoredReport } from '../../src/server/storage/types.ts';
import { makeRng, poisson } from '../../bench/simulate/random.ts';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
/** Active people at the quietest and the busiest hour. */
const COUNTRIES: ReadonlyArray<{ region: string; quiet: number; busy: number }> = [
  { region: 'FR', quiet: 800, busy: 3000 },
  { region: 'GB', quiet: 500, busy: 1800 },
  { region: 'DE', quiet: 400, busy: 1200 },
];
const FAILING_SHARE_PER_MINUTE = 0.005;
const FAILURE_FEATURES: ReadonlyArray<[Feature, number]> = [
  ['timeline', 0.4],
  ['media', 0.2],
  ['post', 0.15],
  ['search', 0.1],
  ['notifications', 0.1],
  ['dm', 0.05],
];
const FAILURE_SIGNALS: ReadonlyArray<[Signal, number]> = [
  ['http_5xx', 0.5],
  ['banner', 0.3],
  ['network', 0.2],
];

/** A value drawn by the weights of `table`. */
function pick<T>(rand: () => number, table: ReadonlyArray<[T, number]>): T {
  let r = rand();
  for (const [value, p] of table) {
    r -= p;
    if (r < 0) return value;
  }
  return table[table.length - 1]![0];
}

/** Hour of the day in Paris (winter or summer time alike: the picture only needs the shape). */
function parisHour(ms: number): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hour: 'numeric', minute: 'numeric', hourCycle: 'h23' }).formatToParts(new Date(ms));
  const h = Number(parts.find((p) => p.type === 'hour')?.value ?? 0);
  const m = Number(parts.find((p) => p.type === 'minute')?.value ?? 0);
  return h + m / 60;
}

/** 0 at 04:00, 1 at 21:00, smooth in between. */
function dailyCurve(hour: number): number {
  const rising = hour >= 4 && hour < 21;
  const t = rising ? (hour - 4) / 17 : ((hour - 21 + 24) % 24) / 7;
  const s = (1 - Math.cos(Math.PI * t)) / 2;
  return rising ? s : 1 - s;
}

/**
 * Writes the `hours` before `endMs` (minute-aligned, excluded) of ordinary traffic into the
 * SQLite database at `path` (created and migrated if new). Resolves with how many reports.
 */
export async function writeUsualDay(path: string, endMs: number, hours = 24, seed = 20261205): Promise<number> {
  // Seeded: the picture is the same on every run with the same seed.
  const rand = makeRng(seed);
  const storage = new SqliteStorage(path);
  await storage.migrate();
  const end = floorToMinute(endMs);
  let written = 0;
  try {
    for (let minute = end - hours * HOUR_MS; minute < end; minute += MINUTE_MS) {
      const curve = dailyCurve(parisHour(minute));
      const day = Math.floor(minute / (24 * HOUR_MS));
      const batch: StoredReport[] = [];
      for (const c of COUNTRIES) {
        const active = Math.round(c.quiet + (c.busy - c.quiet) * curve);
        const report = (person: number, feature: Feature, signal: Signal): StoredReport => ({
          id: randomUUID(),
          site: 'x.com',
          feature,
          signal,
          at: minute,
          region: c.region,
          // Pseudonyms change every UTC day, as the extension's do.
          reporter: `usual_${c.region}_${day}_${person}`,
          // Home networks of one or two people; the server never sees more than this hash.
          networkHash: `usual-${c.region}-${Math.floor(person / 2)}`,
          clientBrowser: person % 3 === 0 ? 'firefox' : 'chrome',
          clientVersion: '0.1.0',
          status: signal === 'http_5xx' ? 503 : null,
          op: null,
          code: null,
          receivedAt: minute + 1000,
        });
        // Everyone active sends an ok sample once in each 10 minutes: a tenth of them this minute.
        const slot = (minute / MINUTE_MS) % 10;
        for (let person = slot; person < active; person += 10) batch.push(report(person, 'timeline', 'ok'));
        const failing = poisson(rand, active * FAILING_SHARE_PER_MINUTE);
        for (let i = 0; i < failing; i++) {
          const person = Math.floor(rand() * active);
          batch.push(report(person, pick(rand, FAILURE_FEATURES), pick(rand, FAILURE_SIGNALS)));
        }
      }
      await storage.insertReports(batch);
      written += batch.length;
    }
  } finally {
    await storage.close();
  }
  return written;
}
