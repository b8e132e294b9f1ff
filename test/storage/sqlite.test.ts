import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { SqliteStorage } from '../../src/server/storage/sqlite.ts';
import { tempDir } from '../server/lib/temp.ts';
import { describeStorage } from './storage-suite.ts';

describeStorage('SQLite', async () => {
  const tmp = tempDir();
  const path = join(tmp.dir, 'nested', 'reports.db');
  const storage = new SqliteStorage(path);
  await storage.migrate();
  return {
    storage,
    openAnother: async () => {
      const other = new SqliteStorage(path);
      await other.migrate();
      return other;
    },
    cleanup: async () => {
      await storage.close();
      tmp.remove();
    },
  };
});

describe('SQLite migration 5: reports stored in arrival order', () => {
  it('keeps every report of a database made before it, and still refuses a known id', async () => {
    const tmp = tempDir();
    const path = join(tmp.dir, 'old.db');
    // A database as migration 4 left it: reports clustered on the id (only the tables this test reads).
    const db = new Database(path);
    db.exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL);
      INSERT INTO schema_migrations VALUES (1, 0), (2, 0), (3, 0), (4, 0);
      CREATE TABLE reports (id TEXT PRIMARY KEY, site TEXT NOT NULL, feature TEXT NOT NULL, signal TEXT NOT NULL,
        at INTEGER NOT NULL, region TEXT NOT NULL, reporter TEXT NOT NULL, network_hash TEXT NOT NULL,
        client_browser TEXT NOT NULL, client_version TEXT NOT NULL, status INTEGER, op TEXT, code TEXT,
        received_at INTEGER NOT NULL) WITHOUT ROWID;
      CREATE INDEX reports_at ON reports (at);`);
    const insert = db.prepare('INSERT INTO reports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    insert.run('ffffffff-0000-4000-8000-000000000001', 'x.com', 'timeline', 'http_5xx', 60_000, 'FR', 'r1', 'n1', 'chrome', '0.1.0', 503, 'HomeTimeline', null, 61_000);
    insert.run('00000000-0000-4000-8000-000000000002', 'x.com', 'login', 'banner', 120_000, 'DE', 'r2', 'n2', 'firefox', '0.1.0', null, null, null, 121_000);
    db.close();

    const storage = new SqliteStorage(path);
    try {
      await storage.migrate();
      const kept = await storage.reportsSince(0);
      expect(kept.map((r) => [r.id, r.feature, r.status, r.op, r.region])).toEqual([
        ['ffffffff-0000-4000-8000-000000000001', 'timeline', 503, 'HomeTimeline', 'FR'],
        ['00000000-0000-4000-8000-000000000002', 'login', null, null, 'DE'],
      ]);
      const base = kept[1]!;
      const fresh = await storage.insertReports([base, { ...base, id: '00000000-0000-4000-8000-000000000003', at: 180_000 }]);
      expect([...fresh]).toEqual(['00000000-0000-4000-8000-000000000003']);
      expect((await storage.reportsSince(0)).length).toBe(3);
    } finally {
      await storage.close();
    }
    const check = new Database(path, { readonly: true });
    const ddl = (check.prepare("SELECT sql FROM sqlite_master WHERE name = 'reports'").get() as { sql: string }).sql;
    const indexes = (check.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'reports'").all() as { name: string }[]).map((r) => r.name);
    const version = (check.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number }).v;
    check.close();
    tmp.remove();
    expect(ddl).not.toMatch(/WITHOUT ROWID/i);
    expect(indexes).toContain('reports_at');
    expect(version).toBe(5);
  });
});

// The same contract with report commits on the event loop (the path an in-memory database takes).
describeStorage('SQLite, reports committed on the event loop', async () => {
  const tmp = tempDir();
  const path = join(tmp.dir, 'inline.db');
  const storage = new SqliteStorage(path, { writerThread: false });
  await storage.migrate();
  return {
    storage,
    openAnother: async () => {
      const other = new SqliteStorage(path, { writerThread: false });
      await other.migrate();
      return other;
    },
    cleanup: async () => {
      await storage.close();
      tmp.remove();
    },
  };
});
