/**
 * The SQLite report writer thread: answers each batch after its commit, in order; a failed commit
 * is that batch's error only; close() lets batches already sent commit.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INSERT_REPORT_SQL, reportParams, SqliteStorage } from '../../src/server/storage/sqlite.ts';
import { SqliteReportWriter } from '../../src/server/storage/sqlite-report-writer.ts';
import { tempDir } from '../server/lib/temp.ts';
import { storedReport } from './storage-suite.ts';

describe('SQLite report writer thread', () => {
  it('fails a batch whose commit fails with the database error, and stores the next one', async () => {
    const tmp = tempDir();
    const path = join(tmp.dir, 'w.db');
    // No schema yet: the first batch cannot be stored.
    const writer = new SqliteReportWriter(path, INSERT_REPORT_SQL);
    try {
      const a = storedReport();
      await expect(writer.insert([reportParams(a)])).rejects.toThrow(/report commit failed: .*no such table: reports/);
      const storage = new SqliteStorage(path, { writerThread: false });
      await storage.migrate();
      const b = storedReport();
      expect(await writer.insert([reportParams(b), reportParams(a), reportParams(b)])).toEqual(new Set([b.id, a.id]));
      expect(await writer.insert([reportParams(a)])).toEqual(new Set());
      expect((await storage.reportsSince(0)).map((r) => r.id).sort()).toEqual([a.id, b.id].sort());
      await storage.close();
    } finally {
      await writer.close();
      tmp.remove();
    }
  });

  it('commits every batch sent before close(), each answered with its own new ids', async () => {
    const tmp = tempDir();
    const path = join(tmp.dir, 'c.db');
    const storage = new SqliteStorage(path);
    await storage.migrate();
    const batches = Array.from({ length: 20 }, (_, i) => Array.from({ length: 50 }, (_, k) => storedReport({ at: 1_000 * i + k })));
    // Sent without waiting, then closed at once: close() must not cut them off.
    const answers = batches.map((rows) => storage.insertReports(rows));
    const closed = storage.close();
    const fresh = await Promise.all(answers);
    await closed;
    fresh.forEach((ids, i) => expect([...ids]).toEqual(batches[i]?.map((r) => r.id)));
    // A closed storage refuses later batches (the server answers 503) instead of reopening.
    await expect(storage.insertReports([storedReport()])).rejects.toThrow(/closed/);
    const db = new Database(path, { readonly: true });
    expect((db.prepare('SELECT COUNT(*) AS n FROM reports').get() as { n: number }).n).toBe(1000);
    db.close();
    tmp.remove();
  });
});
