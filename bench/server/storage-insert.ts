/**
 * `npx tsx bench/server/storage-insert.ts [--prefill N]`: the storage call alone, without HTTP or
 * aggregates: rows per second `insertReports` stores in commits of 10, 100 and 500 fresh reports,
 * on SQLite (a file in a temp folder, WAL, synchronous=FULL, as the server runs it) and on
 * PostgreSQL (a throwaway schema), after N rows are already stored (default 200,000: a busy
 * server keeps days of reports, and how the table grows decides what a commit writes).
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { PostgresStorage } from '../../src/server/storage/postgres.ts';
import { SqliteStorage } from '../../src/server/storage/sqlite.ts';
import type { Storage, StoredReport } from '../../src/server/storage/types.ts';
import { adminQuery, PG_URL } from '../../test/storage/pg-admin.ts';
import { tempDir } from '../../test/server/lib/temp.ts';

const at = process.argv.indexOf('--prefill');
const PREFILL = at >= 0 ? Number(process.argv[at + 1]) : 200_000;
const SIZES = [10, 100, 500];
const ROWS_PER_SIZE = 50_000;

function reports(k: number): StoredReport[] {
  const now = Date.now();
  return Array.from({ length: k }, (_, i) => ({
    id: randomUUID(),
    site: 'x.com',
    feature: 'timeline',
    signal: 'http_5xx',
    at: Math.floor(now / 60_000) * 60_000,
    region: 'FR',
    reporter: `bench_reporter_${i % 5000}`,
    networkHash: 'abcdefabcdefabcdefabcd',
    clientBrowser: 'chrome',
    clientVersion: '0.1.0',
    status: 503,
    op: 'HomeTimeline',
    code: null,
    receivedAt: now,
  }));
}

async function measure(label: string, storage: Storage): Promise<void> {
  for (let n = 0; n < PREFILL; n += 1000) await storage.insertReports(reports(1000));
  for (const size of SIZES) {
    const commits = Math.round(ROWS_PER_SIZE / size);
    let ms = 0;
    for (let i = 0; i < commits; i++) {
      const batch = reports(size);
      const t0 = performance.now();
      const fresh = await storage.insertReports(batch);
      ms += performance.now() - t0;
      if (fresh.size !== size) throw new Error(`${label}: ${fresh.size} of ${size} stored`);
    }
    console.log(`${label.padEnd(10)} commits of ${String(size).padStart(3)}: ${(ms / commits).toFixed(2).padStart(6)} ms each, ${Math.round((size * commits) / (ms / 1000))} rows/s`);
  }
}

const tmp = tempDir('outage-radar-storage-bench-');
const sqlite = new SqliteStorage(join(tmp.dir, 'bench.db'));
await sqlite.migrate();
try {
  await measure('SQLite', sqlite);
} finally {
  await sqlite.close();
  tmp.remove();
}

const schema = `storage_bench_${Date.now()}`;
await adminQuery(`CREATE SCHEMA ${schema}`);
const pg = new PostgresStorage({ url: PG_URL, schema });
try {
  await pg.migrate();
  await measure('PostgreSQL', pg);
} finally {
  await pg.close();
  await adminQuery(`DROP SCHEMA ${schema} CASCADE`);
}
console.log(`(${PREFILL} rows stored first; ${ROWS_PER_SIZE} rows per commit size)`);
