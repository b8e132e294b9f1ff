/**
 * The one storage interface both databases implement. Everything the server keeps goes through
 * here, so the SQLite and PostgreSQL backends are checked by the same test suite.
 */
import type { Feature, MessageSource, OfficialMessage, Signal } from '../../shared/protocol.ts';

/** A report as stored: the wire report flattened, plus what the server adds. */
export interface StoredReport {
  id: string;
  site: string;
  feature: Feature;
  signal: Signal;
  at: number;
  region: string;
  reporter: string;
  /** Salted hash of the sender's /24 (IPv4) or /48 (IPv6) network; never the address. */
  networkHash: string;
  clientBrowser: string;
  clientVersion: string;
  status: number | null;
  op: string | null;
  code: string | null;
  receivedAt: number;
}

/**
 * One 15-minute summary of one cell: the baseline's history, kept for weeks so a restart does
 * not lose the weekly baseline (raw reports are kept only a few days).
 */
export interface StoredBlock {
  site: string;
  /** A country code, or '*' for all countries. */
  region: string;
  /** A feature, or '*' for all features. */
  feature: string;
  /** Start of the block (ms since the epoch, a multiple of 15 minutes). */
  blockStart: number;
  minutes: number;
  failing: number;
  failingSq: number;
  active: number;
  troubled: boolean;
  /** The block's peak uncorrected evidence (absent in blocks stored before it was kept). */
  peak?: number;
  /** The seasonal expectation summed over the block (absent likewise). */
  expected?: number;
}

/**
 * One official post as one reporter sent it (POST /v1/sightings). `contentHash` is the server's
 * hash of what would be published (author id, handle, time, text, lang): reporters agree when
 * they sent the same post id with the same hash. Kept 48 hours, like the salts behind `networkHash`.
 */
export interface StoredSightingRow {
  site: string;
  postId: string;
  reporter: string;
  networkHash: string;
  /** UTC day of receipt: agreement is counted within one day (pseudonyms and network hashes change daily). */
  day: string;
  contentHash: string;
  authorId: string;
  handle: string;
  text: string;
  createdAt: number;
  lang: string;
  conversationId: string | null;
  inReplyToId: string | null;
  receivedAt: number;
}

/** Distinct reporters and networks behind one version (content hash) of a post, within a day. */
export interface SightingTally {
  contentHash: string;
  reporters: number;
  networks: number;
}

export interface StoredMessage extends OfficialMessage {
  site: string;
  source: MessageSource;
}

/**
 * The reports table read as a log that several server instances follow, so each one's in-memory
 * aggregates hold every instance's reports. A position is an opaque string; reading from one
 * position to the next returns each committed report exactly once, even when transactions commit
 * in another order than they began.
 */
export interface ReportLog {
  /** A position before which every transaction has finished: nothing can still appear behind it. */
  horizon(): Promise<string>;
  /** Reports with `at` at or after `sinceMs` stored before position `to`, oldest `at` first (start-up replay). */
  replay(sinceMs: number, to: string): Promise<StoredReport[]>;
  /** Reports stored from position `from` (included) to `to` (excluded), in storing order. */
  between(from: string, to: string): Promise<StoredReport[]>;
  /**
   * Calls `wake` whenever another commit may have added reports (any instance); resolves with a
   * function that stops listening. A dropped connection is re-established by the caller polling
   * anyway, so a lost wake-up only delays, never loses, a report.
   */
  listen(wake: () => void, onError: (err: Error) => void): Promise<() => Promise<void>>;
}

export interface Storage {
  readonly kind: 'sqlite' | 'postgres';
  /**
   * Present when several processes may write the same database (PostgreSQL): the in-memory
   * aggregates are then fed from this log, never straight from the local commits.
   */
  readonly log?: ReportLog;
  /** Creates or upgrades the schema. Safe to call from several instances at once. */
  migrate(): Promise<void>;
  /**
   * Stores the rows in ONE transaction, skipping ids already stored (also repeated ids within
   * `rows`). Resolves, after the commit, with the ids that were newly stored.
   */
  insertReports(rows: readonly StoredReport[]): Promise<Set<string>>;
  /** Reports whose `at` is at or after `sinceMs`, oldest first. */
  reportsSince(sinceMs: number): Promise<StoredReport[]>;
  /** Deletes reports whose `at` is before `beforeMs`; resolves with how many went. */
  deleteReportsBefore(beforeMs: number): Promise<number>;
  /**
   * Stores block summaries in one transaction, keeping the first one stored for a cell and block
   * (a summary remade after a restart from partial reports must not replace the whole one).
   * Resolves with how many were new.
   */
  insertBlocks(rows: readonly StoredBlock[]): Promise<number>;
  /** Block summaries starting at or after `sinceMs`, oldest first. */
  blocksSince(sinceMs: number): Promise<StoredBlock[]>;
  /** Deletes block summaries starting before `beforeMs`; resolves with how many went. */
  deleteBlocksBefore(beforeMs: number): Promise<number>;
  /** Stores messages, skipping ids already stored; resolves with how many were new. */
  insertMessages(messages: readonly StoredMessage[]): Promise<number>;
  /** Newest first. */
  listMessages(site: string, limit: number): Promise<StoredMessage[]>;
  /** Stores one sighting unless this reporter already sent this post (then false). */
  insertSighting(row: StoredSightingRow): Promise<boolean>;
  /** Per content hash: distinct reporters and networks that sent this post on `day`. */
  sightingTallies(site: string, postId: string, day: string): Promise<SightingTally[]>;
  /** The content hash a post was published with, or null while it is not published. */
  publishedSightingHash(site: string, postId: string): Promise<string | null>;
  /**
   * Marks the post published with `contentHash` (sent by `seenBy` reporters so far) and stores
   * `message`, in one transaction; false (and nothing stored) when the post was already published.
   */
  publishSighting(site: string, postId: string, contentHash: string, seenBy: number, message: StoredMessage): Promise<boolean>;
  /** One more reporter sent a published post, with its published text. */
  addSightingSeenBy(site: string, postId: string): Promise<void>;
  /** How many reporters sent each of these published posts. */
  sightingsSeenBy(site: string, postIds: readonly string[]): Promise<Map<string, number>>;
  /** Deletes sightings received before `beforeMs` (the published marks stay); resolves with how many went. */
  deleteSightingsBefore(beforeMs: number): Promise<number>;
  /**
   * The salt for one UTC day. The first instance to ask stores `candidate`; every later call,
   * from any instance, gets that same stored salt back.
   */
  saltForDay(day: string, candidate: string, nowMs: number): Promise<string>;
  /** Deletes salts created before `beforeMs`; resolves with how many went. */
  deleteSaltsCreatedBefore(beforeMs: number): Promise<number>;
  /** Rejects when the database does not answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
