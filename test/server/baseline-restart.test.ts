/**
 * Restart equivalence: a server restarted after three weeks must judge with the same weekly
 * baseline as one that never stopped. Raw reports cover only the last day of the replay, so the
 * weeks come from the persisted block summaries (real SQLite file, real createServices).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL, DEFAULT_STORE_OPTIONS, MinuteStore, type Cell } from '../../src/server/aggregation/minute-store.ts';
import { BLOCK_MS, DAY_MS, MINUTE_MS, type Expectation } from '../../src/server/detection/baseline.ts';
import { DEFAULT_THRESHOLDS } from '../../src/server/detection/thresholds.ts';
import { loadConfig } from '../../src/server/config.ts';
import { createServices } from '../../src/server/http/server.ts';
import { SqliteStorage } from '../../src/server/storage/sqlite.ts';
import type { StoredReport } from '../../src/server/storage/types.ts';
import { makeRng } from '../../bench/simulate/random.ts';
import { tempDir } from './lib/temp.ts';

/** Saturday 2026-11-21 12:00 UTC: the restart. */
const RESTART = Date.UTC(2026, 10, 21, 12, 0);
const FIRST = RESTART - 22 * DAY_MS;

/** Failing people per minute: about 1 on weekdays, 3 at weekends, never enough to be trouble. */
function failingAt(minute: number, random: () => number): number {
  const weekend = [0, 6].includes(new Date(minute).getUTCDay());
  const mean = weekend ? 3 : 1;
  return Math.floor(mean * 2 * random() + 0.5);
}

function reportsOf(minute: number, random: () => number): StoredReport[] {
  const n = failingAt(minute, random);
  return Array.from({ length: n }, (_, i) => ({
    id: `${minute}-${i}`,
    site: 'x.com',
    feature: 'timeline',
    signal: 'http_5xx',
    at: minute + Math.floor(random() * MINUTE_MS),
    region: 'FR',
    // The same few people of the day (pseudonyms change daily), so the newcomer rule knows them.
    reporter: `p${Math.floor(minute / DAY_MS)}_${i}`,
    networkHash: `n${Math.floor(minute / DAY_MS)}_${i}`,
    clientBrowser: 'chrome',
    clientVersion: '0.1.0',
    status: 503,
    op: null,
    code: null,
    receivedAt: minute + MINUTE_MS,
  }));
}

function expectations(store: MinuteStore, cell: Cell | undefined): Expectation[] {
  if (!cell) throw new Error('cell missing');
  return Array.from({ length: 8 }, (_, k) => store.expectationFor(cell, RESTART + k * BLOCK_MS));
}

describe('baseline history across a restart', { timeout: 60_000 }, () => {
  const tmp = tempDir();
  const withBlocks = new SqliteStorage(join(tmp.dir, 'with-blocks.db'));
  const reportsOnly = new SqliteStorage(join(tmp.dir, 'reports-only.db'));
  const continuous = new MinuteStore({ ...DEFAULT_STORE_OPTIONS, thresholds: DEFAULT_THRESHOLDS, collectNewBlocks: true }, FIRST);

  beforeAll(async () => {
    await withBlocks.migrate();
    await reportsOnly.migrate();
    const random = makeRng(7);
    let batch: StoredReport[] = [];
    // The server's rhythm: reports arrive, the store is compacted every minute, new blocks are
    // written; raw reports older than 2 days would be gone anyway, so only those are stored.
    for (let minute = FIRST; minute < RESTART; minute += MINUTE_MS) {
      const rows = reportsOf(minute, random);
      for (const r of rows) continuous.add(r);
      if (minute >= RESTART - 2 * DAY_MS) batch.push(...rows);
      continuous.compact(minute + MINUTE_MS);
      if (minute % (60 * MINUTE_MS) === 0) {
        await withBlocks.insertBlocks(continuous.takeNewBlocks());
        await withBlocks.insertReports(batch);
        await reportsOnly.insertReports(batch);
        batch = [];
      }
    }
    continuous.compact(RESTART);
    await withBlocks.insertBlocks(continuous.takeNewBlocks());
    await withBlocks.insertReports(batch);
    await reportsOnly.insertReports(batch);
    // Three weeks of minutes take a few seconds, more on a busy machine.
  }, 60_000);

  afterAll(async () => {
    await withBlocks.close();
    await reportsOnly.close();
    tmp.remove();
  });

  const config = loadConfig({ DATABASE_URL: 'sqlite::memory:' });

  it('judges the next two hours with the same weekly baseline as a server that never stopped', async () => {
    const restarted = (await createServices(config, withBlocks, () => RESTART)).store;
    for (const [region, feature] of [
      ['FR', 'timeline'],
      [ALL, ALL],
    ] as const) {
      const before = expectations(continuous, continuous.cell('x.com', region, feature));
      const after = expectations(restarted, restarted.cell('x.com', region, feature));
      expect(after).toEqual(before);
      // Saturday is compared with earlier Saturdays (about 3 a minute), not with the weekdays
      // (a block whose history holds a troubled Saturday may fall back to the days before).
      const weekly = after.filter((e) => e.source === 'week');
      expect(weekly.length).toBeGreaterThanOrEqual(6);
      for (const e of weekly) expect(e.perMinute).toBeGreaterThan(2.4);
    }
    expect(restarted.regions('x.com')).toEqual(['FR']);
  });

  it('without the stored blocks the weekly baseline is lost (what the blocks table prevents)', async () => {
    const restarted = (await createServices(config, reportsOnly, () => RESTART)).store;
    const after = expectations(restarted, restarted.cell('x.com', 'FR', 'timeline'));
    expect(after.map((e) => e.source)).not.toContain('week');
    expect(after).not.toEqual(expectations(continuous, continuous.cell('x.com', 'FR', 'timeline')));
  });

  it('writes the blocks summarised while replaying, keeping the ones stored before', async () => {
    const stored = await withBlocks.blocksSince(0);
    // 22 days of 96 blocks for each of the 4 cells, but the last (its window is not over yet);
    // the replay adds none and changes none.
    expect(stored).toHaveLength((22 * 96 - 1) * 4);
    const services = await createServices(config, withBlocks, () => RESTART);
    expect(await services.persistBlocks()).toBe(0);
    expect(await withBlocks.blocksSince(0)).toEqual(stored);
  });
});
