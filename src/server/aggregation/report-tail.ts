/**
 * Follows the shared report log (PostgreSQL) and feeds what it reads into this instance's
 * aggregates, so every instance's verdict is built from every instance's reports. Woken by
 * LISTEN/NOTIFY as commits happen; a timer polls as well, because a notification is lost while
 * the listening connection is down and the log must still be read to the end.
 */
import type { ReportLog, StoredReport } from '../storage/types.ts';
import { defaultLogger } from '../log.ts';

export interface ReportTailOptions {
  /** Safety-net poll interval. */
  pollMs: number;
  /** One line per change of health (failing, recovered), not one per failed round. */
  log: (message: string) => void;
  now: () => number;
}

export const DEFAULT_TAIL_OPTIONS: ReportTailOptions = {
  pollMs: 1000,
  log: (m) => defaultLogger().warn(m),
  now: Date.now,
};

export class ReportTail {
  private position: string;
  private running: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private stopListening: (() => Promise<void>) | null = null;
  private connecting = false;
  private stopped = false;
  private failing: string | null = null;
  private readonly options: ReportTailOptions;
  /** Reports applied since start (also those of this instance). */
  applied = 0;
  /** When the log was last read to its end (ms since the epoch). */
  caughtUpAt: number;

  constructor(
    private readonly log: ReportLog,
    /** Where the start-up replay stopped: the tail starts exactly there. */
    from: string,
    private readonly apply: (rows: StoredReport[]) => void,
    options: Partial<ReportTailOptions> = {},
  ) {
    this.position = from;
    this.options = { ...DEFAULT_TAIL_OPTIONS, ...options };
    this.caughtUpAt = this.options.now();
  }

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => {
      void this.ensureListening();
      void this.catchUp();
    }, this.options.pollMs);
    this.timer.unref();
    void this.ensureListening();
  }

  /**
   * Reads the log to its current end. Calls during a read join it and ask for one more read, so
   * every call resolves only after a read that began after the call.
   */
  catchUp(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.step();
      } while (this.again && !this.stopped);
      this.running = null;
    })();
    return this.running;
  }

  private async step(): Promise<void> {
    try {
      const to = await this.log.horizon();
      const rows = await this.log.between(this.position, to);
      this.position = to;
      if (rows.length) {
        try {
          this.apply(rows);
        } catch (err) {
          // The rows are stored; a failing in-memory update must not stall the tail on them.
          this.options.log(`aggregates update failed: ${message(err)}`);
        }
        this.applied += rows.length;
      }
      this.caughtUpAt = this.options.now();
      if (this.failing) {
        this.options.log('report log readable again');
        this.failing = null;
      }
    } catch (err) {
      const m = message(err);
      if (this.failing !== m) this.options.log(`reading the report log failed: ${m} (retrying)`);
      this.failing = m;
    }
  }

  private async ensureListening(): Promise<void> {
    if (this.stopListening || this.connecting || this.stopped) return;
    this.connecting = true;
    try {
      const stop = await this.log.listen(
        () => void this.catchUp(),
        () => {
          // Drop it; the next poll tick opens a new one and reads whatever was missed meanwhile.
          const s = this.stopListening;
          this.stopListening = null;
          if (s) void s();
        },
      );
      if (this.stopped) await stop();
      else this.stopListening = stop;
    } catch {
      // The poll carries on without it; the read's own failure is what gets reported.
    } finally {
      this.connecting = false;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const s = this.stopListening;
    this.stopListening = null;
    if (s) await s();
    if (this.running) await this.running;
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
