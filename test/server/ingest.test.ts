import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_AGE_MS, MAX_FUTURE_MS, timeProblems, toStoredReport } from '../../src/server/ingest/ingest.ts';
import { RateLimiter } from '../../src/server/ingest/rate-limit.ts';
import { SALT_LIFETIME_MS, SaltKeeper, utcDay } from '../../src/server/ingest/salts.ts';
import { SqliteStorage } from '../../src/server/storage/sqlite.ts';
import { makeReport } from './lib/reports.ts';
import { tempDir } from './lib/temp.ts';

const DAY1 = Date.UTC(2026, 10, 21, 23, 59);
const DAY2 = Date.UTC(2026, 10, 22, 0, 1);

describe('SaltKeeper', () => {
  let storage: SqliteStorage;
  let remove: () => void;
  beforeEach(async () => {
    const tmp = tempDir();
    remove = tmp.remove;
    storage = new SqliteStorage(join(tmp.dir, 's.db'));
    await storage.migrate();
  });
  afterEach(async () => {
    await storage.close();
    remove();
  });

  it('hashes a network the same all day and on every instance, differently the next day', async () => {
    const a = new SaltKeeper(storage);
    const b = new SaltKeeper(storage);
    const h1 = await a.hash('4:192.0.2.0/24', DAY1);
    expect(h1).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(await a.hash('4:192.0.2.0/24', DAY1 - 3600_000)).toBe(h1);
    expect(await b.hash('4:192.0.2.0/24', DAY1)).toBe(h1);
    expect(await a.hash('4:198.51.100.0/24', DAY1)).not.toBe(h1);
    expect(await a.hash('4:192.0.2.0/24', DAY2)).not.toBe(h1);
  });

  it('uses random salts, never one derived from the date', async () => {
    const other = tempDir();
    const elsewhere = new SqliteStorage(join(other.dir, 'o.db'));
    await elsewhere.migrate();
    try {
      // Same day, same network, different databases: unrelated hashes.
      expect(await new SaltKeeper(storage).hash('6:20010db8000100000000000000000000/48', DAY1)).not.toBe(
        await new SaltKeeper(elsewhere).hash('6:20010db8000100000000000000000000/48', DAY1),
      );
    } finally {
      await elsewhere.close();
      other.remove();
    }
  });

  it('deletes salts 48 hours after they were made', async () => {
    const keeper = new SaltKeeper(storage);
    await keeper.hash('x', DAY1);
    await keeper.hash('x', DAY2);
    expect(await keeper.expire(DAY1 + SALT_LIFETIME_MS - 1)).toBe(0);
    expect(await keeper.expire(DAY1 + SALT_LIFETIME_MS + 1)).toBe(1);
    expect(await storage.saltForDay(utcDay(DAY2), 'fresh-candidate', DAY2 + 1)).not.toBe('fresh-candidate');
  });
});

describe('RateLimiter', () => {
  it('allows a burst, then refills at its rate, per key', () => {
    const limiter = new RateLimiter(2, 60);
    expect(limiter.take('a', 0)).toEqual({ ok: true });
    expect(limiter.take('a', 0)).toEqual({ ok: true });
    expect(limiter.take('a', 0)).toEqual({ ok: false, retryAfterS: 1 });
    expect(limiter.take('b', 0)).toEqual({ ok: true });
    expect(limiter.take('a', 1000)).toEqual({ ok: true });
  });

  it('forgets full buckets when pruned and when too many keys are held', () => {
    const limiter = new RateLimiter(5, 60, 3);
    for (const key of ['a', 'b', 'c']) limiter.take(key, 0);
    expect(limiter.size).toBe(3);
    limiter.take('d', 10_000);
    expect(limiter.size).toBe(1);
    limiter.take('e', 10_000);
    limiter.prune(20_000);
    expect(limiter.size).toBe(0);
  });
});

describe('report times and stored rows', () => {
  const now = Date.UTC(2026, 10, 21, 12, 0, 30);
  it('accepts the edges and refuses beyond them', () => {
    const reports = [
      makeReport({ at: now + MAX_FUTURE_MS - 30_000 }),
      makeReport({ at: now - MAX_AGE_MS + 30_000 }),
      makeReport({ at: now + MAX_FUTURE_MS + 30_000 }),
      makeReport({ at: now - MAX_AGE_MS - 30_000 }),
    ];
    expect(timeProblems(reports, now).map((p) => p.index)).toEqual([2, 3]);
  });

  it('keeps exactly the protocol fields plus the network hash and receive time', () => {
    const r = makeReport({ id: '6F1C2A7E-3B4D-4E5F-8A9B-0C1D2E3F4A5B', detail: { status: 503, op: 'HomeTimeline', code: 'x:131' } });
    expect(toStoredReport(r, 'hash', now)).toEqual({
      id: '6f1c2a7e-3b4d-4e5f-8a9b-0c1d2e3f4a5b',
      site: r.site,
      feature: r.feature,
      signal: r.signal,
      at: r.at,
      region: r.region,
      reporter: r.reporter,
      networkHash: 'hash',
      clientBrowser: 'chrome',
      clientVersion: '0.1.0',
      status: 503,
      op: 'HomeTimeline',
      code: 'x:131',
      receivedAt: now,
    });
  });
});
