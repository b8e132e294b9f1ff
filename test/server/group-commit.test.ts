import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GroupCommitter } from '../../src/server/ingest/group-commit.ts';
import { SqliteStorage } from '../../src/server/storage/sqlite.ts';
import type { StoredReport } from '../../src/server/storage/types.ts';
import { storedReport } from '../storage/storage-suite.ts';
import { tempDir } from './lib/temp.ts';

describe('GroupCommitter on SQLite', () => {
  let storage: SqliteStorage;
  let remove: () => void;
  let transactions: number;
  let committed: StoredReport[];
  const insert = (rows: readonly StoredReport[]) => {
    transactions++;
    return storage.insertReports(rows);
  };

  beforeEach(async () => {
    const tmp = tempDir();
    remove = tmp.remove;
    storage = new SqliteStorage(join(tmp.dir, 'g.db'));
    await storage.migrate();
    transactions = 0;
    committed = [];
  });
  afterEach(async () => {
    await storage.close();
    remove();
  });

  it('puts concurrent batches in one transaction and tells each which reports were new', async () => {
    const g = new GroupCommitter(insert, (rows) => committed.push(...rows), 20);
    const shared = storedReport();
    const a = [storedReport(), shared];
    const b = [shared, storedReport(), storedReport()];
    const c = [storedReport()];
    const results = await Promise.all([g.submit(a), g.submit(b), g.submit(c)]);
    expect(transactions).toBe(1);
    expect(results).toEqual([
      { accepted: 2, duplicates: 0 },
      { accepted: 2, duplicates: 1 },
      { accepted: 1, duplicates: 0 },
    ]);
    expect(committed.map((r) => r.id)).toEqual([...a, b[1], b[2], ...c].map((r) => r!.id));
    expect(await storage.reportsSince(0)).toHaveLength(5);
  });

  it('commits at once when enough rows wait, and flush commits what is left', async () => {
    const g = new GroupCommitter(insert, (rows) => committed.push(...rows), 60_000, 3);
    const full = g.submit([storedReport(), storedReport(), storedReport()]);
    expect(await full).toEqual({ accepted: 3, duplicates: 0 });
    const waiting = g.submit([storedReport()]);
    await g.flush();
    expect(await waiting).toEqual({ accepted: 1, duplicates: 0 });
    expect(transactions).toBe(2);
  });

  it('rejects every batch of a failed transaction and keeps working afterwards', async () => {
    let fail = true;
    const g = new GroupCommitter(
      (rows) => (fail ? Promise.reject(new Error('disk full')) : insert(rows)),
      (rows) => committed.push(...rows),
      5,
    );
    const r1 = g.submit([storedReport()]);
    const r2 = g.submit([storedReport()]);
    await expect(r1).rejects.toThrow('disk full');
    await expect(r2).rejects.toThrow('disk full');
    expect(committed).toEqual([]);
    fail = false;
    expect(await g.submit([storedReport()])).toEqual({ accepted: 1, duplicates: 0 });
  });
});
