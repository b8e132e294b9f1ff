/**
 * SQLite backend (better-sqlite3). WAL journal with synchronous=FULL: a committed transaction
 * survives a process crash and also an OS crash or power cut. better-sqlite3 is synchronous, so
 * every call runs on the thread that makes it: report commits (the hot path, each waiting for
 * fsync) run on a writer thread of their own when the database is a file; everything else runs
 * on the event loop, and the group committer keeps transactions few.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Feature, MessageSource, Signal } from '../../shared/protocol.ts';
import { SqliteReportWriter } from './sqlite-report-writer.ts';
import type { SightingTally, Storage, StoredBlock, StoredMessage, StoredReport, StoredSightingRow } from './types.ts';

const MIGRATIONS: readonly string[] = [
  `CREATE TABLE reports (
     id TEXT PRIMARY KEY,
     site TEXT NOT NULL,
     feature TEXT NOT NULL,
     signal TEXT NOT NULL,
     at INTEGER NOT NULL,
     region TEXT NOT NULL,
     reporter TEXT NOT NULL,
     network_hash TEXT NOT NULL,
     client_browser TEXT NOT NULL,
     client_version TEXT NOT NULL,
     status INTEGER,
     op TEXT,
     code TEXT,
     received_at INTEGER NOT NULL
   ) WITHOUT ROWID;
   CREATE INDEX reports_at ON reports (at);
   CREATE TABLE messages (
     id TEXT PRIMARY KEY,
     site TEXT NOT NULL,
     source TEXT NOT NULL,
     author TEXT NOT NULL,
     text TEXT NOT NULL,
     url TEXT NOT NULL,
     published_at INTEGER NOT NULL,
     lang TEXT NOT NULL
   );
   CREATE INDEX messages_site_published ON messages (site, published_at DESC);
   CREATE TABLE salts (
     day TEXT PRIMARY KEY,
     salt TEXT NOT NULL,
     created_at INTEGER NOT NULL
   );`,
  // The baseline's 15-minute history, so weeks of it survive a restart.
  `CREATE TABLE blocks (
     site TEXT NOT NULL,
     region TEXT NOT NULL,
     feature TEXT NOT NULL,
     block_start INTEGER NOT NULL,
     minutes INTEGER NOT NULL,
     failing REAL NOT NULL,
     failing_sq REAL NOT NULL,
     active REAL NOT NULL,
     troubled INTEGER NOT NULL,
     PRIMARY KEY (site, region, feature, block_start)
   ) WITHOUT ROWID;
   CREATE INDEX blocks_start ON blocks (block_start);`,
  // The tail dispersion and the level factor read these; older blocks have neither (NULL).
  `ALTER TABLE blocks ADD COLUMN peak REAL;
   ALTER TABLE blocks ADD COLUMN expected REAL;`,
  // Official posts sent by reporters (POST /v1/sightings), and which version of each was published.
  `CREATE TABLE sightings (
     site TEXT NOT NULL,
     post_id TEXT NOT NULL,
     reporter TEXT NOT NULL,
     network_hash TEXT NOT NULL,
     day TEXT NOT NULL,
     content_hash TEXT NOT NULL,
     author_id TEXT NOT NULL,
     handle TEXT NOT NULL,
     text TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     lang TEXT NOT NULL,
     conversation_id TEXT,
     in_reply_to_id TEXT,
     received_at INTEGER NOT NULL,
     PRIMARY KEY (site, post_id, reporter)
   ) WITHOUT ROWID;
   CREATE INDEX sightings_received ON sightings (received_at);
   CREATE TABLE sightings_published (
     site TEXT NOT NULL,
     post_id TEXT NOT NULL,
     content_hash TEXT NOT NULL,
     published_at INTEGER NOT NULL,
     seen_by INTEGER NOT NULL,
     PRIMARY KEY (site, post_id)
   ) WITHOUT ROWID;`,
  // Reports as a rowid table (rows appended in arrival order) with a unique index on the id,
  // instead of a table clustered on the id: random UUIDs put every row on a different page of
  // the whole table, and the WAL writes each page a commit touches. With 200,000 rows stored,
  // 44,800 against 20,200 rows/s in commits of 100 (bench/server/storage-insert.ts).
  `CREATE TABLE reports_by_arrival (
     id TEXT NOT NULL UNIQUE,
     site TEXT NOT NULL,
     feature TEXT NOT NULL,
     signal TEXT NOT NULL,
     at INTEGER NOT NULL,
     region TEXT NOT NULL,
     reporter TEXT NOT NULL,
     network_hash TEXT NOT NULL,
     client_browser TEXT NOT NULL,
     client_version TEXT NOT NULL,
     status INTEGER,
     op TEXT,
     code TEXT,
     received_at INTEGER NOT NULL
   );
   INSERT INTO reports_by_arrival (id, site, feature, signal, at, region, reporter, network_hash, client_browser,
     client_version, status, op, code, received_at)
   SELECT id, site, feature, signal, at, region, reporter, network_hash, client_browser, client_version, status, op,
     code, received_at FROM reports ORDER BY received_at, at, id;
   DROP TABLE reports;
   ALTER TABLE reports_by_arrival RENAME TO reports;
   CREATE INDEX reports_at ON reports (at);`,
];

/** One row per statement: measured faster here than multi-row VALUES ... RETURNING. */
export const INSERT_REPORT_SQL = `INSERT INTO reports (id, site, feature, signal, at, region, reporter, network_hash, client_browser,
    client_version, status, op, code, received_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`;

/** INSERT_REPORT_SQL's parameters; the id comes first (the writer thread reads it there). */
export function reportParams(r: StoredReport): [string, ...(string | number | null)[]] {
  return [r.id, r.site, r.feature, r.signal, r.at, r.region, r.reporter, r.networkHash, r.clientBrowser, r.clientVersion, r.status, r.op, r.code, r.receivedAt];
}

interface ReportRow {
  id: string;
  site: string;
  feature: string;
  signal: string;
  at: number;
  region: string;
  reporter: string;
  network_hash: string;
  client_browser: string;
  client_version: string;
  status: number | null;
  op: string | null;
  code: string | null;
  received_at: number;
}

interface MessageRow {
  id: string;
  site: string;
  source: string;
  author: string;
  text: string;
  url: string;
  published_at: number;
  lang: string;
}

interface BlockRow {
  site: string;
  region: string;
  feature: string;
  block_start: number | string;
  minutes: number;
  failing: number | string;
  failing_sq: number | string;
  active: number | string;
  troubled: number | boolean;
  peak?: number | string | null;
  expected?: number | string | null;
}

export function blockFromRow(r: BlockRow): StoredBlock {
  return {
    site: r.site,
    region: r.region,
    feature: r.feature,
    blockStart: Number(r.block_start),
    minutes: Number(r.minutes),
    failing: Number(r.failing),
    failingSq: Number(r.failing_sq),
    active: Number(r.active),
    troubled: r.troubled === true || r.troubled === 1,
    ...(r.peak === null || r.peak === undefined ? {} : { peak: Number(r.peak) }),
    ...(r.expected === null || r.expected === undefined ? {} : { expected: Number(r.expected) }),
  };
}

export function reportFromRow(r: ReportRow): StoredReport {
  return {
    id: r.id,
    site: r.site,
    feature: r.feature as Feature,
    signal: r.signal as Signal,
    at: Number(r.at),
    region: r.region,
    reporter: r.reporter,
    networkHash: r.network_hash,
    clientBrowser: r.client_browser,
    clientVersion: r.client_version,
    status: r.status === null ? null : Number(r.status),
    op: r.op,
    code: r.code,
    receivedAt: Number(r.received_at),
  };
}

export function messageFromRow(r: MessageRow): StoredMessage {
  return {
    id: r.id,
    site: r.site,
    source: r.source as MessageSource,
    author: r.author,
    text: r.text,
    url: r.url,
    publishedAt: Number(r.published_at),
    lang: r.lang,
  };
}

export class SqliteStorage implements Storage {
  readonly kind = 'sqlite';
  private readonly db: Database.Database;
  /** Null for an in-memory database, which another thread cannot open. */
  private readonly writer: SqliteReportWriter | null;

  constructor(path: string, options: { writerThread?: boolean } = {}) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.writer = path !== ':memory:' && options.writerThread !== false ? new SqliteReportWriter(path, INSERT_REPORT_SQL) : null;
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
  }

  async migrate(): Promise<void> {
    this.db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
    // IMMEDIATE takes the write lock first, so two processes starting together cannot both migrate.
    const apply = this.db.transaction(() => {
      const row = this.db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
      const done = row.v ?? 0;
      MIGRATIONS.forEach((sql, i) => {
        const version = i + 1;
        if (version <= done) return;
        this.db.exec(sql);
        this.db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(version, Date.now());
      });
    });
    apply.immediate();
  }

  /** Prepared once, on first use (after migrate): every commit of reports runs it. */
  private insertReportsTx: Database.Transaction<(list: readonly StoredReport[]) => Set<string>> | null = null;

  async insertReports(rows: readonly StoredReport[]): Promise<Set<string>> {
    if (this.writer) return this.writer.insert(rows.map(reportParams));
    if (!this.insertReportsTx) {
      const insert = this.db.prepare(INSERT_REPORT_SQL);
      this.insertReportsTx = this.db.transaction((list: readonly StoredReport[]) => {
        const fresh = new Set<string>();
        for (const r of list) if (insert.run(...reportParams(r)).changes === 1) fresh.add(r.id);
        return fresh;
      });
    }
    return this.insertReportsTx.immediate(rows);
  }

  async reportsSince(sinceMs: number): Promise<StoredReport[]> {
    const rows = this.db.prepare('SELECT * FROM reports WHERE at >= ? ORDER BY at, received_at').all(sinceMs) as ReportRow[];
    return rows.map(reportFromRow);
  }

  async deleteReportsBefore(beforeMs: number): Promise<number> {
    return this.db.prepare('DELETE FROM reports WHERE at < ?').run(beforeMs).changes;
  }

  async insertBlocks(rows: readonly StoredBlock[]): Promise<number> {
    const insert = this.db.prepare(
      `INSERT INTO blocks (site, region, feature, block_start, minutes, failing, failing_sq, active, troubled, peak, expected)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    );
    const run = this.db.transaction((list: readonly StoredBlock[]) => {
      let added = 0;
      for (const b of list) added += insert.run(b.site, b.region, b.feature, b.blockStart, b.minutes, b.failing, b.failingSq, b.active, b.troubled ? 1 : 0, b.peak ?? null, b.expected ?? null).changes;
      return added;
    });
    return run.immediate(rows);
  }

  async blocksSince(sinceMs: number): Promise<StoredBlock[]> {
    const rows = this.db.prepare('SELECT * FROM blocks WHERE block_start >= ? ORDER BY block_start, site, region, feature').all(sinceMs) as BlockRow[];
    return rows.map(blockFromRow);
  }

  async deleteBlocksBefore(beforeMs: number): Promise<number> {
    return this.db.prepare('DELETE FROM blocks WHERE block_start < ?').run(beforeMs).changes;
  }

  async insertMessages(messages: readonly StoredMessage[]): Promise<number> {
    const insert = this.db.prepare(
      `INSERT INTO messages (id, site, source, author, text, url, published_at, lang)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
    );
    const run = this.db.transaction((list: readonly StoredMessage[]) => {
      let added = 0;
      for (const m of list) added += insert.run(m.id, m.site, m.source, m.author, m.text, m.url, m.publishedAt, m.lang).changes;
      return added;
    });
    return run.immediate(messages);
  }

  async listMessages(site: string, limit: number): Promise<StoredMessage[]> {
    const rows = this.db
      .prepare('SELECT * FROM messages WHERE site = ? ORDER BY published_at DESC, id DESC LIMIT ?')
      .all(site, limit) as MessageRow[];
    return rows.map(messageFromRow);
  }

  async insertSighting(r: StoredSightingRow): Promise<boolean> {
    const res = this.db
      .prepare(
        `INSERT INTO sightings (site, post_id, reporter, network_hash, day, content_hash, author_id, handle, text, created_at, lang,
           conversation_id, in_reply_to_id, received_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      )
      .run(r.site, r.postId, r.reporter, r.networkHash, r.day, r.contentHash, r.authorId, r.handle, r.text, r.createdAt, r.lang, r.conversationId, r.inReplyToId, r.receivedAt);
    return res.changes === 1;
  }

  async sightingTallies(site: string, postId: string, day: string): Promise<SightingTally[]> {
    const rows = this.db
      .prepare(
        `SELECT content_hash, COUNT(DISTINCT reporter) AS reporters, COUNT(DISTINCT network_hash) AS networks
         FROM sightings WHERE site = ? AND post_id = ? AND day = ? GROUP BY content_hash ORDER BY content_hash`,
      )
      .all(site, postId, day) as { content_hash: string; reporters: number; networks: number }[];
    return rows.map((r) => ({ contentHash: r.content_hash, reporters: Number(r.reporters), networks: Number(r.networks) }));
  }

  async publishedSightingHash(site: string, postId: string): Promise<string | null> {
    const row = this.db.prepare('SELECT content_hash FROM sightings_published WHERE site = ? AND post_id = ?').get(site, postId) as { content_hash: string } | undefined;
    return row?.content_hash ?? null;
  }

  async publishSighting(site: string, postId: string, contentHash: string, seenBy: number, m: StoredMessage): Promise<boolean> {
    const run = this.db.transaction(() => {
      const marked = this.db
        .prepare('INSERT INTO sightings_published (site, post_id, content_hash, published_at, seen_by) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING')
        .run(site, postId, contentHash, m.publishedAt, seenBy).changes;
      if (marked !== 1) return false;
      this.db
        .prepare(
          `INSERT INTO messages (id, site, source, author, text, url, published_at, lang)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
        )
        .run(m.id, m.site, m.source, m.author, m.text, m.url, m.publishedAt, m.lang);
      return true;
    });
    return run.immediate();
  }

  async addSightingSeenBy(site: string, postId: string): Promise<void> {
    this.db.prepare('UPDATE sightings_published SET seen_by = seen_by + 1 WHERE site = ? AND post_id = ?').run(site, postId);
  }

  async sightingsSeenBy(site: string, postIds: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (postIds.length === 0) return out;
    const rows = this.db
      .prepare(`SELECT post_id, seen_by FROM sightings_published WHERE site = ? AND post_id IN (${postIds.map(() => '?').join(', ')})`)
      .all(site, ...postIds) as { post_id: string; seen_by: number }[];
    for (const r of rows) out.set(r.post_id, Number(r.seen_by));
    return out;
  }

  async deleteSightingsBefore(beforeMs: number): Promise<number> {
    return this.db.prepare('DELETE FROM sightings WHERE received_at < ?').run(beforeMs).changes;
  }

  async saltForDay(day: string, candidate: string, nowMs: number): Promise<string> {
    this.db.prepare('INSERT INTO salts (day, salt, created_at) VALUES (?, ?, ?) ON CONFLICT (day) DO NOTHING').run(day, candidate, nowMs);
    const row = this.db.prepare('SELECT salt FROM salts WHERE day = ?').get(day) as { salt: string } | undefined;
    if (!row) throw new Error(`salt for ${day} vanished right after it was stored`);
    return row.salt;
  }

  async deleteSaltsCreatedBefore(beforeMs: number): Promise<number> {
    return this.db.prepare('DELETE FROM salts WHERE created_at < ?').run(beforeMs).changes;
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    await this.writer?.close();
    if (this.db.open) this.db.close();
  }
}
