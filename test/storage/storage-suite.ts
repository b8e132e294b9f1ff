/**
 * The one storage test suite, run against every backend: the SQLite and PostgreSQL files call
 * `describeStorage` with a way to open a fresh, empty database of their kind.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Storage, StoredBlock, StoredMessage, StoredReport } from '../../src/server/storage/types.ts';

export interface Backend {
  /** A migrated storage on a fresh, empty database. */
  storage: Storage;
  /** A second, independent connection to the same database (as a second server instance). */
  openAnother(): Promise<Storage>;
  /** Closes everything and removes the database. */
  cleanup(): Promise<void>;
}

const T0 = Date.UTC(2026, 10, 21, 12, 0);

export function storedReport(overrides: Partial<StoredReport> = {}): StoredReport {
  return {
    id: randomUUID(),
    site: 'x.com',
    feature: 'timeline',
    signal: 'http_5xx',
    at: T0,
    region: 'FR',
    reporter: 'reporter_aaaaaaaaaa',
    networkHash: 'net_hash_1',
    clientBrowser: 'chrome',
    clientVersion: '0.1.0',
    status: 503,
    op: 'HomeTimeline',
    code: null,
    receivedAt: T0 + 1234,
    ...overrides,
  };
}

function block(overrides: Partial<StoredBlock> = {}): StoredBlock {
  return { site: 'x.com', region: 'FR', feature: 'timeline', blockStart: T0, minutes: 15, failing: 37, failingSq: 141.5, active: 2412.75, troubled: false, ...overrides };
}

function message(overrides: Partial<StoredMessage> = {}): StoredMessage {
  return {
    id: `operator:${randomUUID()}`,
    site: 'x.com',
    source: 'operator',
    author: 'Ops',
    text: 'We are looking into timeline errors.',
    url: 'https://status.example/incidents/1',
    publishedAt: T0,
    lang: 'en',
    ...overrides,
  };
}

export function describeStorage(name: string, open: () => Promise<Backend>): void {
  describe(`storage: ${name}`, { timeout: 20_000 }, () => {
    let backend: Backend;
    let storage: Storage;

    beforeEach(async () => {
      backend = await open();
      storage = backend.storage;
    });
    afterEach(async () => {
      await backend?.cleanup();
    });

    it('migrates idempotently: a second migrate keeps the data', async () => {
      const r = storedReport();
      await storage.insertReports([r]);
      await storage.migrate();
      expect((await storage.reportsSince(0)).map((x) => x.id)).toEqual([r.id]);
    });

    it('stores a batch and reads every field back unchanged, nulls included', async () => {
      const a = storedReport({ at: T0 - 60_000, code: 'x:131', status: 200, op: null });
      const b = storedReport({ signal: 'network', status: null, op: null, code: 'net::ERR_CONNECTION_RESET', receivedAt: T0 + 99 });
      const fresh = await storage.insertReports([a, b]);
      expect([...fresh].sort()).toEqual([a.id, b.id].sort());
      expect(await storage.reportsSince(0)).toEqual([a, b]);
    });

    it('counts a repeated id once, across calls and within one call', async () => {
      const a = storedReport();
      const b = storedReport();
      expect((await storage.insertReports([a])).size).toBe(1);
      const fresh = await storage.insertReports([a, b, { ...b, reporter: 'someone_else_xxxxx' }]);
      expect([...fresh]).toEqual([b.id]);
      const stored = await storage.reportsSince(0);
      expect(stored).toHaveLength(2);
      // The first copy of b wins; the second is not stored over it.
      expect(stored.find((r) => r.id === b.id)?.reporter).toBe(b.reporter);
    });

    it('stores nothing of a batch when one row cannot be stored', async () => {
      const good = storedReport();
      const bad = { ...storedReport(), site: null } as unknown as StoredReport;
      await expect(storage.insertReports([good, bad])).rejects.toThrow();
      expect(await storage.reportsSince(0)).toEqual([]);
      // ... and the connection is still usable afterwards.
      expect((await storage.insertReports([good])).size).toBe(1);
    });

    it('keeps concurrent inserts of the same ids consistent: each id is new exactly once', async () => {
      const rows = Array.from({ length: 40 }, () => storedReport());
      const results = await Promise.all([storage.insertReports(rows), storage.insertReports([...rows].reverse()), storage.insertReports(rows.slice(0, 10))]);
      const total = results.reduce((n, s) => n + s.size, 0);
      expect(total).toBe(40);
      expect(await storage.reportsSince(0)).toHaveLength(40);
    });

    it('reads reports since a time, oldest first, and deletes reports before a time', async () => {
      const old = storedReport({ at: T0 - 3 * 86_400_000 });
      const mid = storedReport({ at: T0 - 60_000 });
      const recent = storedReport({ at: T0 });
      await storage.insertReports([recent, old, mid]);
      expect((await storage.reportsSince(T0 - 60_000)).map((r) => r.id)).toEqual([mid.id, recent.id]);
      expect(await storage.deleteReportsBefore(T0 - 86_400_000)).toBe(1);
      expect((await storage.reportsSince(0)).map((r) => r.id)).toEqual([mid.id, recent.id]);
    });

    it('stores messages once per id and lists them newest first, per site, up to a limit', async () => {
      const older = message({ publishedAt: T0 - 1000 });
      const newer = message({ publishedAt: T0 + 1000, source: 'statuspage', id: 'statuspage:page.example:abc' });
      const elsewhere = message({ site: 'example.org' });
      expect(await storage.insertMessages([older, newer, elsewhere])).toBe(3);
      expect(await storage.insertMessages([{ ...newer, text: 'changed' }])).toBe(0);
      expect(await storage.listMessages('x.com', 10)).toEqual([newer, older]);
      expect(await storage.listMessages('x.com', 1)).toEqual([newer]);
      expect(await storage.listMessages('nothing.example', 10)).toEqual([]);
    });

    it('keeps the first salt stored for a day, for every instance, and deletes salts by age', async () => {
      const other = await backend.openAnother();
      try {
        const first = await storage.saltForDay('2026-11-21', 'salt-one', T0);
        const second = await other.saltForDay('2026-11-21', 'salt-two', T0 + 10);
        expect(first).toBe('salt-one');
        expect(second).toBe('salt-one');
        expect(await other.saltForDay('2026-11-22', 'salt-three', T0 + 86_400_000)).toBe('salt-three');
        expect(await storage.deleteSaltsCreatedBefore(T0 + 1)).toBe(1);
        // The day's salt is gone: a new candidate is taken, the old one can never come back.
        expect(await storage.saltForDay('2026-11-21', 'salt-four', T0 + 2 * 86_400_000)).toBe('salt-four');
      } finally {
        await other.close();
      }
    });

    it('keeps baseline blocks across connections: first summary of a cell-block wins, read since a time, pruned before one', async () => {
      const BLOCK = 15 * 60_000;
      const weekAgo = block({ blockStart: T0 - 7 * 86_400_000, troubled: true });
      const fr = block();
      // The tail dispersion's peak and the level factor's expectation travel with the block; a
      // block stored before they were kept (no peak, no expectation) comes back without them.
      const all = block({ region: '*', feature: '*', failing: 120, failingSq: 1600, active: 9000, peak: 12.625, expected: 97.5 });
      const next = block({ blockStart: T0 + BLOCK, failing: 0, failingSq: 0, active: 0 });
      expect(await storage.insertBlocks([next, fr, all, weekAgo])).toBe(4);
      // A summary remade later (say from a partial replay) does not replace the stored one.
      expect(await storage.insertBlocks([{ ...fr, failing: 1, failingSq: 1 }, block({ feature: 'dm' })])).toBe(1);
      expect(await storage.insertBlocks([])).toBe(0);
      const other = await backend.openAnother();
      try {
        const since = await other.blocksSince(T0);
        expect(since.map((b) => b.blockStart)).toEqual([T0, T0, T0, T0 + BLOCK]);
        expect(since).toContainEqual(fr);
        expect(since).toContainEqual(all);
        expect(since).toContainEqual(block({ feature: 'dm' }));
        expect(since.at(-1)).toEqual(next);
        expect((await other.blocksSince(0))[0]).toEqual(weekAgo);
        expect(await other.deleteBlocksBefore(T0)).toBe(1);
        expect(await storage.blocksSince(0)).toHaveLength(4);
      } finally {
        await other.close();
      }
    });

    it('stores no block of a batch when one cannot be stored', async () => {
      const bad = { ...block(), feature: null } as unknown as StoredBlock;
      await expect(storage.insertBlocks([block(), bad])).rejects.toThrow();
      expect(await storage.blocksSince(0)).toEqual([]);
      expect(await storage.insertBlocks([block()])).toBe(1);
    });

    it('stores a sighting once per reporter and post, tallies distinct reporters and networks per content, publishes once', async () => {
      const row = (reporter: string, networkHash: string, contentHash = 'hash_a', day = '2026-11-21') => ({
        site: 'x.com',
        postId: '1866000000000000001',
        reporter,
        networkHash,
        day,
        contentHash,
        authorId: '17874544',
        handle: 'Support',
        text: 'We are looking into it.',
        createdAt: T0 - 60_000,
        lang: 'en',
        conversationId: null,
        inReplyToId: '1866000000000000000',
        receivedAt: T0,
      });
      expect(await storage.insertSighting(row('rep_1', 'net_1'))).toBe(true);
      expect(await storage.insertSighting(row('rep_1', 'net_2'))).toBe(false);
      expect(await storage.insertSighting(row('rep_2', 'net_1'))).toBe(true);
      expect(await storage.insertSighting(row('rep_3', 'net_3', 'hash_b'))).toBe(true);
      expect(await storage.insertSighting(row('rep_4', 'net_4', 'hash_a', '2026-11-22'))).toBe(true);
      expect(await storage.sightingTallies('x.com', '1866000000000000001', '2026-11-21')).toEqual([
        { contentHash: 'hash_a', reporters: 2, networks: 1 },
        { contentHash: 'hash_b', reporters: 1, networks: 1 },
      ]);
      expect(await storage.publishedSightingHash('x.com', '1866000000000000001')).toBeNull();
      const m: StoredMessage = { id: 'x-sighting:1866000000000000001', site: 'x.com', source: 'x-sighting', author: '@Support', text: 'We are looking into it.', url: 'https://x.com/Support/status/1866000000000000001', publishedAt: T0 - 60_000, lang: 'en' };
      expect(await storage.publishSighting('x.com', '1866000000000000001', 'hash_a', 3, m)).toBe(true);
      expect(await storage.publishSighting('x.com', '1866000000000000001', 'hash_b', 3, { ...m, text: 'forged' })).toBe(false);
      expect(await storage.publishedSightingHash('x.com', '1866000000000000001')).toBe('hash_a');
      expect(await storage.listMessages('x.com', 10)).toEqual([m]);
      await storage.addSightingSeenBy('x.com', '1866000000000000001');
      expect(await storage.sightingsSeenBy('x.com', ['1866000000000000001', '9'])).toEqual(new Map([['1866000000000000001', 4]]));
      expect(await storage.deleteSightingsBefore(T0 + 1)).toBe(4);
      expect(await storage.sightingTallies('x.com', '1866000000000000001', '2026-11-21')).toEqual([]);
      expect(await storage.publishedSightingHash('x.com', '1866000000000000001')).toBe('hash_a');
    });

    it('answers ping while open and refuses after close', async () => {
      await expect(storage.ping()).resolves.toBeUndefined();
      await storage.close();
      await expect(storage.ping()).rejects.toThrow();
    });
  });
}
