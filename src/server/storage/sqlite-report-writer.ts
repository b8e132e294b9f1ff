/**
 * Commits report batches to a SQLite file from a worker thread (sqlite-writer.mjs), so the
 * event loop goes on parsing and answering requests while a commit waits for fsync. Batches are
 * answered in order, one transaction each, exactly as the inline path would answer them.
 */
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';

interface Waiting {
  resolve: (fresh: Set<string>) => void;
  reject: (err: Error) => void;
}

type WriterAnswer = { seq: number; fresh: string[] } | { seq: number; error: string };

export class SqliteReportWriter {
  private worker: Worker | null = null;
  private readonly waiting = new Map<number, Waiting>();
  private seq = 0;
  private closed = false;

  /** `insertSql` takes one row's parameters, the row's id first, and does nothing for a stored id. */
  constructor(
    private readonly path: string,
    private readonly insertSql: string,
  ) {}

  /** Stores the rows (each the statement's parameters) in one transaction; resolves after the
   *  commit with the ids newly stored. */
  insert(rows: readonly (readonly unknown[])[]): Promise<Set<string>> {
    // After close() a batch must fail like one sent to a closed database, not start a new thread
    // that would acknowledge reports the owner no longer serves.
    if (this.closed) return Promise.reject(new Error('report writer is closed'));
    const worker = (this.worker ??= this.spawn());
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      this.waiting.set(seq, { resolve, reject });
      worker.postMessage({ seq, rows });
    });
  }

  /** Lets the batches already sent commit, then stops the thread. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    if (!worker) return;
    const exited = once(worker, 'exit');
    worker.postMessage({ close: true });
    await exited;
  }

  private spawn(): Worker {
    const worker = new Worker(new URL('./sqlite-writer.mjs', import.meta.url), { workerData: { path: this.path, insertSql: this.insertSql } });
    worker.on('message', (m: WriterAnswer) => {
      const w = this.waiting.get(m.seq);
      if (!w) return;
      this.waiting.delete(m.seq);
      if ('error' in m) w.reject(new Error(`report commit failed: ${m.error}`));
      else w.resolve(new Set(m.fresh));
    });
    // A thread that died (out of memory, a native fault) fails what it held; the next batch starts
    // a new one. Those batches were never acknowledged, so their senders retry them.
    worker.on('error', (err) => this.lost(worker, err));
    worker.on('exit', (code) => this.lost(worker, new Error(`report writer thread exited (code ${code})`)));
    return worker;
  }

  private lost(worker: Worker, err: Error): void {
    if (this.worker === worker) this.worker = null;
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }
}
