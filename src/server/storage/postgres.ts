/**
 * PostgreSQL backend (pg Pool). Commits use the server's synchronous_commit (on by default), so an
 * acknowledged transaction is on disk. `schema`, when given, is created and put first on every
 * connection's search_path: tests use a fresh schema per run so they never collide.
 */
import pg from 'pg';
import { defaultLogger } from '../log.ts';
import type { ReportLog, SightingTally, Storage, StoredBlock, StoredMessage, StoredReport, StoredSightingRow } from './types.ts';
import { blockFromRow, messageFromRow, reportFromRow } from './sqlite.ts';

const MIGRATIONS: readonly string[] = [
  `CREATE TABLE reports (
     id TEXT PRIMARY KEY,
     site TEXT NOT NULL,
     feature TEXT NOT NULL,
     signal TEXT NOT NULL,
     at BIGINT NOT NULL,
     region TEXT NOT NULL,
     reporter TEXT NOT NULL,
     network_hash TEXT NOT NULL,
     client_browser TEXT NOT NULL,
     client_version TEXT NOT NULL,
     status INTEGER,
     op TEXT,
     code TEXT,
     received_at BIGINT NOT NULL
   );
   CREATE INDEX reports_at ON reports (at);
   CREATE TABLE messages (
     id TEXT PRIMARY KEY,
     site TEXT NOT NULL,
     source TEXT NOT NULL,
     author TEXT NOT NULL,
     text TEXT NOT NULL,
     url TEXT NOT NULL,
     published_at BIGINT NOT NULL,
     lang TEXT NOT NULL
   );
   CREATE INDEX messages_site_published ON messages (site, published_at DESC);
   CREATE TABLE salts (
     day TEXT PRIMARY KEY,
     salt TEXT NOT NULL,
     created_at BIGINT NOT NULL
   );`,
  // The baseline's 15-minute history, so weeks of it survive a restart.
  `CREATE TABLE blocks (
     site TEXT NOT NULL,
     region TEXT NOT NULL,
     feature TEXT NOT NULL,
     block_start BIGINT NOT NULL,
     minutes INTEGER NOT NULL,
     failing DOUBLE PRECISION NOT NULL,
     failing_sq DOUBLE PRECISION NOT NULL,
     active DOUBLE PRECISION NOT NULL,
     troubled BOOLEAN NOT NULL,
     PRIMARY KEY (site, region, feature, block_start)
   );
   CREATE INDEX blocks_start ON blocks (block_start);`,
  // The tail dispersion and the level factor read these; older blocks have neither (NULL).
  `ALTER TABLE blocks ADD COLUMN peak DOUBLE PRECISION;
   ALTER TABLE blocks ADD COLUMN expected DOUBLE PRECISION;`,
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
     created_at BIGINT NOT NULL,
     lang TEXT NOT NULL,
     conversation_id TEXT,
     in_reply_to_id TEXT,
     received_at BIGINT NOT NULL,
     PRIMARY KEY (site, post_id, reporter)
   );
   CREATE INDEX sightings_received ON sightings (received_at);
   CREATE TABLE sightings_published (
     site TEXT NOT NULL,
     post_id TEXT NOT NULL,
     content_hash TEXT NOT NULL,
     published_at BIGINT NOT NULL,
     seen_by INTEGER NOT NULL,
     PRIMARY KEY (site, post_id)
   );`,
  // The reports table as a log that every instance follows (ReportLog below). Each row keeps the
  // id of the transaction that stored it: a serial column would not do, since transactions can
  // commit out of the order their numbers were drawn in and a reader would skip the late one.
  `ALTER TABLE reports ADD COLUMN tx xid8 NOT NULL DEFAULT pg_current_xact_id();
   CREATE INDEX reports_tx ON reports (tx);`,
];

/** Any constant works: it only has to be the same for every instance of this server. */
const MIGRATION_LOCK_KEY = 0x4f52_0001;
const REPORT_COLUMNS = 14;
/** PostgreSQL allows 65535 bind parameters per statement. */
const BLOCK_COLUMNS = 11;
const BLOCKS_PER_INSERT = Math.floor(60_000 / BLOCK_COLUMNS);

export interface PostgresOptions {
  url: string;
  schema?: string;
  maxConnections?: number;
}

/**
 * Positions are transaction ids (xid8, as text). Every transaction below the xmin of a fresh
 * snapshot has finished, so [previous xmin, current xmin) holds each committed report exactly
 * once, whatever order the transactions committed in.
 */
class PostgresReportLog implements ReportLog {
  constructor(
    private readonly pool: pg.Pool,
    private readonly clientConfig: pg.ClientConfig,
    private readonly channel: string,
  ) {}

  async horizon(): Promise<string> {
    const res = await this.pool.query<{ x: string }>('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS x');
    const x = res.rows[0]?.x;
    if (x === undefined) throw new Error('no snapshot horizon');
    return x;
  }

  async replay(sinceMs: number, to: string): Promise<StoredReport[]> {
    const res = await this.pool.query('SELECT * FROM reports WHERE at >= $1 AND tx < $2::xid8 ORDER BY at, received_at', [sinceMs, to]);
    return res.rows.map(reportFromRow);
  }

  async between(from: string, to: string): Promise<StoredReport[]> {
    if (from === to) return [];
    const res = await this.pool.query('SELECT * FROM reports WHERE tx >= $1::xid8 AND tx < $2::xid8 ORDER BY tx, at, received_at, id', [from, to]);
    return res.rows.map(reportFromRow);
  }

  async listen(wake: () => void, onError: (err: Error) => void): Promise<() => Promise<void>> {
    // LISTEN needs a connection of its own for as long as it listens: not one from the pool.
    const client = new pg.Client(this.clientConfig);
    client.on('error', onError);
    client.on('end', () => onError(new Error('the LISTEN connection closed')));
    client.on('notification', () => wake());
    try {
      await client.connect();
      await client.query(`LISTEN "${this.channel}"`);
    } catch (err) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      throw err;
    }
    return async () => {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
    };
  }
}

export class PostgresStorage implements Storage {
  readonly kind = 'postgres';
  readonly log: ReportLog;
  private readonly pool: pg.Pool;
  private readonly schema: string | undefined;
  /** Commits that stored reports notify this channel; one per schema so tests never cross. */
  private readonly channel: string;

  constructor(options: PostgresOptions) {
    if (options.schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(options.schema)) {
      throw new Error(`"${options.schema}" is not a plain lower-case schema name`);
    }
    this.schema = options.schema;
    const clientConfig: pg.ClientConfig = {
      connectionString: options.url,
      connectionTimeoutMillis: 5000,
      ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    };
    this.pool = new pg.Pool({ ...clientConfig, max: options.maxConnections ?? 10 });
    this.channel = `outage_radar_reports_${options.schema ?? 'public'}`;
    this.log = new PostgresReportLog(this.pool, clientConfig, this.channel);
    // An idle client losing its connection must not crash the process; the next query reconnects.
    this.pool.on('error', (err) => defaultLogger().error({ err }, 'postgres pool: idle client failed'));
  }

  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async migrate(): Promise<void> {
    if (this.schema) await this.pool.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
    await this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
      const { rows } = await client.query<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations');
      const done = rows[0]?.v ?? 0;
      for (let i = done; i < MIGRATIONS.length; i++) {
        await client.query(MIGRATIONS[i] as string);
        await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [i + 1, Date.now()]);
      }
    });
  }

  /**
   * One statement, so one round trip and its own transaction: the rows travel as one array per
   * column (unnest), which keeps the statement text and its plan the same whatever the batch size
   * (a prepared statement, parsed once per connection) instead of a VALUES list with thousands of
   * parameters parsed on every commit. The notification goes with it and is delivered at commit,
   * to every instance listening (this one too: it reads its own reports back from the log like
   * anyone else's); PostgreSQL folds repeated identical notifications within one transaction.
   */
  async insertReports(rows: readonly StoredReport[]): Promise<Set<string>> {
    if (rows.length === 0) return new Set();
    const columns: unknown[][] = Array.from({ length: REPORT_COLUMNS }, () => []);
    for (const r of rows) {
      const values = [r.id, r.site, r.feature, r.signal, r.at, r.region, r.reporter, r.networkHash, r.clientBrowser, r.clientVersion, r.status, r.op, r.code, r.receivedAt];
      for (let j = 0; j < REPORT_COLUMNS; j++) (columns[j] as unknown[]).push(values[j]);
    }
    // DO NOTHING (unlike DO UPDATE) accepts the same id twice in one statement: the second is skipped.
    const res = await this.pool.query<{ id: string }>({
      name: 'outage_radar_insert_reports',
      text: `WITH stored AS (
               INSERT INTO reports (id, site, feature, signal, at, region, reporter, network_hash, client_browser,
                 client_version, status, op, code, received_at)
               SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[],
                 $8::text[], $9::text[], $10::text[], $11::integer[], $12::text[], $13::text[], $14::bigint[])
               ON CONFLICT (id) DO NOTHING RETURNING id)
             SELECT id, pg_notify($15, '') IS NULL AS notified FROM stored`,
      values: [...columns, this.channel],
    });
    return new Set(res.rows.map((row) => row.id));
  }

  async reportsSince(sinceMs: number): Promise<StoredReport[]> {
    const res = await this.pool.query('SELECT * FROM reports WHERE at >= $1 ORDER BY at, received_at', [sinceMs]);
    return res.rows.map(reportFromRow);
  }

  async deleteReportsBefore(beforeMs: number): Promise<number> {
    const res = await this.pool.query('DELETE FROM reports WHERE at < $1', [beforeMs]);
    return res.rowCount ?? 0;
  }

  async insertBlocks(rows: readonly StoredBlock[]): Promise<number> {
    if (rows.length === 0) return 0;
    return this.transaction(async (client) => {
      let added = 0;
      for (let start = 0; start < rows.length; start += BLOCKS_PER_INSERT) {
        const chunk = rows.slice(start, start + BLOCKS_PER_INSERT);
        const values: unknown[] = [];
        const tuples = chunk.map((b, i) => {
          values.push(b.site, b.region, b.feature, b.blockStart, b.minutes, b.failing, b.failingSq, b.active, b.troubled, b.peak ?? null, b.expected ?? null);
          const base = i * BLOCK_COLUMNS;
          return `(${Array.from({ length: BLOCK_COLUMNS }, (_, j) => `$${base + j + 1}`).join(', ')})`;
        });
        const res = await client.query(
          `INSERT INTO blocks (site, region, feature, block_start, minutes, failing, failing_sq, active, troubled, peak, expected)
           VALUES ${tuples.join(', ')} ON CONFLICT DO NOTHING`,
          values,
        );
        added += res.rowCount ?? 0;
      }
      return added;
    });
  }

  async blocksSince(sinceMs: number): Promise<StoredBlock[]> {
    const res = await this.pool.query('SELECT * FROM blocks WHERE block_start >= $1 ORDER BY block_start, site, region, feature', [sinceMs]);
    return res.rows.map(blockFromRow);
  }

  async deleteBlocksBefore(beforeMs: number): Promise<number> {
    const res = await this.pool.query('DELETE FROM blocks WHERE block_start < $1', [beforeMs]);
    return res.rowCount ?? 0;
  }

  async insertMessages(messages: readonly StoredMessage[]): Promise<number> {
    if (messages.length === 0) return 0;
    return this.transaction(async (client) => {
      let added = 0;
      for (const m of messages) {
        const res = await client.query(
          `INSERT INTO messages (id, site, source, author, text, url, published_at, lang)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING`,
          [m.id, m.site, m.source, m.author, m.text, m.url, m.publishedAt, m.lang],
        );
        added += res.rowCount ?? 0;
      }
      return added;
    });
  }

  async listMessages(site: string, limit: number): Promise<StoredMessage[]> {
    const res = await this.pool.query('SELECT * FROM messages WHERE site = $1 ORDER BY published_at DESC, id DESC LIMIT $2', [site, limit]);
    return res.rows.map(messageFromRow);
  }

  async insertSighting(r: StoredSightingRow): Promise<boolean> {
    const res = await this.pool.query(
      `INSERT INTO sightings (site, post_id, reporter, network_hash, day, content_hash, author_id, handle, text, created_at, lang,
         conversation_id, in_reply_to_id, received_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT DO NOTHING`,
      [r.site, r.postId, r.reporter, r.networkHash, r.day, r.contentHash, r.authorId, r.handle, r.text, r.createdAt, r.lang, r.conversationId, r.inReplyToId, r.receivedAt],
    );
    return (res.rowCount ?? 0) === 1;
  }

  async sightingTallies(site: string, postId: string, day: string): Promise<SightingTally[]> {
    const res = await this.pool.query<{ content_hash: string; reporters: string; networks: string }>(
      `SELECT content_hash, COUNT(DISTINCT reporter) AS reporters, COUNT(DISTINCT network_hash) AS networks
       FROM sightings WHERE site = $1 AND post_id = $2 AND day = $3 GROUP BY content_hash ORDER BY content_hash`,
      [site, postId, day],
    );
    return res.rows.map((r) => ({ contentHash: r.content_hash, reporters: Number(r.reporters), networks: Number(r.networks) }));
  }

  async publishedSightingHash(site: string, postId: string): Promise<string | null> {
    const res = await this.pool.query<{ content_hash: string }>('SELECT content_hash FROM sightings_published WHERE site = $1 AND post_id = $2', [site, postId]);
    return res.rows[0]?.content_hash ?? null;
  }

  async publishSighting(site: string, postId: string, contentHash: string, seenBy: number, m: StoredMessage): Promise<boolean> {
    return this.transaction(async (client) => {
      const marked = await client.query(
        'INSERT INTO sightings_published (site, post_id, content_hash, published_at, seen_by) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING',
        [site, postId, contentHash, m.publishedAt, seenBy],
      );
      if ((marked.rowCount ?? 0) !== 1) return false;
      await client.query(
        `INSERT INTO messages (id, site, source, author, text, url, published_at, lang)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING`,
        [m.id, m.site, m.source, m.author, m.text, m.url, m.publishedAt, m.lang],
      );
      return true;
    });
  }

  async addSightingSeenBy(site: string, postId: string): Promise<void> {
    await this.pool.query('UPDATE sightings_published SET seen_by = seen_by + 1 WHERE site = $1 AND post_id = $2', [site, postId]);
  }

  async sightingsSeenBy(site: string, postIds: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (postIds.length === 0) return out;
    const res = await this.pool.query<{ post_id: string; seen_by: number }>('SELECT post_id, seen_by FROM sightings_published WHERE site = $1 AND post_id = ANY($2)', [site, [...postIds]]);
    for (const r of res.rows) out.set(r.post_id, Number(r.seen_by));
    return out;
  }

  async deleteSightingsBefore(beforeMs: number): Promise<number> {
    const res = await this.pool.query('DELETE FROM sightings WHERE received_at < $1', [beforeMs]);
    return res.rowCount ?? 0;
  }

  async saltForDay(day: string, candidate: string, nowMs: number): Promise<string> {
    await this.pool.query('INSERT INTO salts (day, salt, created_at) VALUES ($1, $2, $3) ON CONFLICT (day) DO NOTHING', [day, candidate, nowMs]);
    const res = await this.pool.query<{ salt: string }>('SELECT salt FROM salts WHERE day = $1', [day]);
    const salt = res.rows[0]?.salt;
    if (salt === undefined) throw new Error(`salt for ${day} vanished right after it was stored`);
    return salt;
  }

  async deleteSaltsCreatedBefore(beforeMs: number): Promise<number> {
    const res = await this.pool.query('DELETE FROM salts WHERE created_at < $1', [beforeMs]);
    return res.rowCount ?? 0;
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
