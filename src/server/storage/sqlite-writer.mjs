// @ts-check
/**
 * The SQLite report writer, run in a worker thread (see SqliteReportWriter in sqlite.ts).
 *
 * Why a thread: with synchronous=FULL every commit waits for fsync, and better-sqlite3 waits on the
 * thread that calls it. On the event loop that stalled every request for the length of each
 * commit, the largest single item in the ingest profile. Here the loop parses and answers the next
 * requests while this thread commits; the group committer still sends one transaction at a time,
 * so the first stored occurrence of an id stays the one counted.
 *
 * Plain JavaScript because the server runs under tsx but its tests run under vitest, and a worker
 * thread has neither loader; it needs nothing but better-sqlite3.
 *
 * workerData: { path, insertSql } (sqlite.ts owns the statement). Messages in: { seq, rows } with
 * each row the statement's parameters, its id first; out: { seq, fresh: string[] } (ids newly
 * stored, after the commit) or { seq, error: string }. { close: true } closes the database.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const port = parentPort;
if (!port) throw new Error('sqlite-writer.mjs runs only as a worker thread');

const db = new Database(workerData.path);
// The same settings as the main connection: a commit answered here survives a power cut.
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.pragma('busy_timeout = 5000');

/** @type {import('better-sqlite3').Transaction<(rows: unknown[][]) => string[]> | null} */
let insertTx = null;

/** Prepared on the first batch: the schema is migrated by the main connection before any insert. */
function prepare() {
  const insert = db.prepare(workerData.insertSql);
  return db.transaction((/** @type {unknown[][]} */ rows) => {
    /** @type {string[]} */
    const fresh = [];
    for (const params of rows) if (insert.run(...params).changes === 1) fresh.push(/** @type {string} */ (params[0]));
    return fresh;
  });
}

port.on('message', (/** @type {{ seq: number, rows: unknown[][] } | { close: true }} */ msg) => {
  if ('close' in msg) {
    db.close();
    port.close();
    return;
  }
  try {
    insertTx ??= prepare();
    port.postMessage({ seq: msg.seq, fresh: insertTx.immediate(msg.rows) });
  } catch (err) {
    port.postMessage({ seq: msg.seq, error: err instanceof Error ? err.message : String(err) });
  }
});
