/**
 * Group commit: batches from concurrent requests that arrive within a few milliseconds share one
 * transaction. Every request still learns exactly which of its reports were new, and is answered
 * only after the transaction that holds them has committed.
 */
import type { StoredReport } from '../storage/types.ts';
import { defaultLogger } from '../log.ts';

export interface CommitResult {
  accepted: number;
  duplicates: number;
}

/** The queue of rows waiting for (or in) a transaction is full: shed the request, do not grow. */
export class OverloadedError extends Error {
  constructor(queued: number) {
    super(`ingest queue full (${queued} reports waiting for the database)`);
    this.name = 'OverloadedError';
  }
}

/** Rows that may wait for or be in a transaction at once; more are refused (503 + Retry-After). */
export const DEFAULT_MAX_QUEUED_ROWS = 20_000;

interface Pending {
  rows: readonly StoredReport[];
  resolve: (r: CommitResult) => void;
  reject: (e: unknown) => void;
}

export class GroupCommitter {
  private pending: Pending[] = [];
  private pendingRows = 0;
  /** Rows submitted and not yet answered: waiting, or in a transaction. */
  private queuedRows = 0;
  private timer: NodeJS.Timeout | null = null;
  /** The transaction running now: one at a time, so the first occurrence of an id is the one counted. */
  private active: Promise<void> | null = null;

  constructor(
    private readonly insert: (rows: readonly StoredReport[]) => Promise<Set<string>>,
    /** Called after each commit with the newly stored rows, each id once, in arrival order. */
    private readonly onCommitted: (rows: StoredReport[]) => void,
    private readonly delayMs: number,
    private readonly maxRows = 5000,
    private readonly maxQueuedRows = DEFAULT_MAX_QUEUED_ROWS,
  ) {}

  /** Rows waiting for or in a transaction right now. */
  get queued(): number {
    return this.queuedRows;
  }

  submit(rows: readonly StoredReport[]): Promise<CommitResult> {
    // Refused before queueing: a slow or absent database then costs a quick 503, not memory.
    if (this.queuedRows + rows.length > this.maxQueuedRows) return Promise.reject(new OverloadedError(this.queuedRows));
    this.queuedRows += rows.length;
    return new Promise((resolve, reject) => {
      this.pending.push({ rows, resolve, reject });
      this.pendingRows += rows.length;
      if (this.pendingRows >= this.maxRows || this.delayMs === 0) this.startCommit();
      else this.timer ??= setTimeout(() => this.startCommit(), this.delayMs);
    });
  }

  /**
   * Starts a transaction with what is waiting, unless one is running: then the rows keep
   * gathering and all go in the next transaction as soon as it ends. Under load that makes fewer,
   * larger transactions instead of a line of small ones each waiting for the one before.
   */
  private startCommit(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.active || this.pending.length === 0) return;
    const group: Pending[] = [];
    let rows = 0;
    while (this.pending.length && (group.length === 0 || rows + (this.pending[0] as Pending).rows.length <= this.maxRows)) {
      const p = this.pending.shift() as Pending;
      group.push(p);
      rows += p.rows.length;
    }
    this.pendingRows -= rows;
    this.active = this.commit(group).finally(() => {
      this.active = null;
      this.startCommit();
    });
  }

  private async commit(group: Pending[]): Promise<void> {
    const rows = group.flatMap((p) => p.rows);
    let fresh: Set<string>;
    try {
      fresh = await this.insert(rows);
    } catch (err) {
      this.queuedRows -= rows.length;
      for (const p of group) p.reject(err);
      return;
    }
    this.queuedRows -= rows.length;
    const claimed = new Set<string>();
    const stored: StoredReport[] = [];
    const results = group.map((p) => {
      let accepted = 0;
      for (const r of p.rows) {
        if (fresh.has(r.id) && !claimed.has(r.id)) {
          claimed.add(r.id);
          stored.push(r);
          accepted++;
        }
      }
      return { accepted, duplicates: p.rows.length - accepted };
    });
    try {
      this.onCommitted(stored);
    } catch (err) {
      // The rows are durably stored; a failing in-memory update must not turn that into an error.
      defaultLogger().error({ err }, 'aggregates update failed');
    }
    group.forEach((p, i) => p.resolve(results[i] as CommitResult));
  }

  /** Commits whatever is waiting and resolves when every transaction so far has finished. */
  async flush(): Promise<void> {
    this.startCommit();
    while (this.active) await this.active;
  }
}
