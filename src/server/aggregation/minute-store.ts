/**
 * In-memory per-minute aggregates per cell (site x region-or-ALL x feature-or-ALL). Every stored
 * report updates four cells. Recent minutes keep who reported (pseudonym -> network hash) so the
 * detector can count distinct people and networks over a window; older minutes are compacted to
 * plain counts, after their window verdicts have been computed and kept. No I/O here.
 */
import { PER_ACCOUNT_CODE_PREFIX, type Feature, type FailureSignal, type Signal, type State } from '../../shared/protocol.ts';
import { DAY_MS, MINUTE_MS } from '../detection/baseline.ts';
import { judge, windowStats, type MinuteReporters } from '../detection/verdict.ts';
import type { DetectionThresholds } from '../detection/thresholds.ts';

export const ALL = '*';
const PRUNE_EVERY_MS = 3600_000;

/** What the aggregates need from a stored report. */
export interface AggregatableReport {
  site: string;
  feature: Feature;
  signal: Signal;
  at: number;
  region: string;
  reporter: string;
  networkHash: string;
  code: string | null;
}

export interface MinuteCounts {
  /** Distinct reporters with a failure (per-account limits excluded). */
  failingReporters: number;
  /** Failure reports (per-account limits excluded). */
  failureReports: number;
  okReporters: number;
  /** Distinct reporters hitting a per-account limit (`limit:` codes), counted apart. */
  limitedReporters: number;
  /** Distinct failing reporters per failure signal. */
  bySignal: Partial<Record<FailureSignal, number>>;
}

/** Collections are made on first use: most cell-minutes only ever see one or two kinds. */
interface MinuteDetail {
  failing?: Map<string, string>;
  ok?: Map<string, string>;
  limited?: Set<string>;
  bySignal?: Map<FailureSignal, Set<string>>;
}

const NONE: ReadonlyMap<string, string> = new Map();

function reportersOf(d: MinuteDetail): MinuteReporters {
  return { failing: d.failing ?? NONE, ok: d.ok ?? NONE };
}

export class Cell {
  readonly detail = new Map<number, MinuteDetail>();
  readonly counts = new Map<number, MinuteCounts>();
  /** Raw verdict of the window ending at a minute, computed once the window is complete. */
  readonly verdicts = new Map<number, State>();
  /** Baselines per 15-minute block, cached because the trailing median reads hours of counts. */
  readonly baselines = new Map<number, number>();

  countAt(minute: number): MinuteCounts | undefined {
    return this.counts.get(minute);
  }
}

export interface StoreOptions {
  thresholds: DetectionThresholds;
  /** Minutes that keep reporter detail; must cover the 15-minute counts and the window. */
  detailMinutes: number;
  /** How long plain per-minute counts are kept, for the series and the baseline. */
  countsMs: number;
}

export const DEFAULT_STORE_OPTIONS: Omit<StoreOptions, 'thresholds'> = {
  detailMinutes: 60,
  countsMs: 8 * DAY_MS,
};

function cellKey(site: string, region: string, feature: string): string {
  return `${site}|${region}|${feature}`;
}

function emptyCounts(): MinuteCounts {
  return { failingReporters: 0, failureReports: 0, okReporters: 0, limitedReporters: 0, bySignal: {} };
}

export class MinuteStore {
  private readonly cells = new Map<string, Cell>();
  private readonly regionsBySite = new Map<string, Set<string>>();
  /** Earliest minute whose counts are complete (everything since was loaded or received). */
  knownSince: number;
  /** Oldest minute that still holds reporter detail; older ones are compacted. */
  private detailFrom = -Infinity;
  private prunedAt = -Infinity;
  /** Bumped on every change, so callers can cache answers built from the store. */
  version = 0;

  constructor(
    readonly options: StoreOptions,
    knownSince: number,
  ) {
    this.knownSince = knownSince;
  }

  get thresholds(): DetectionThresholds {
    return this.options.thresholds;
  }

  cell(site: string, region: string, feature: string): Cell | undefined {
    return this.cells.get(cellKey(site, region, feature));
  }

  regions(site: string): string[] {
    return [...(this.regionsBySite.get(site) ?? [])].sort();
  }

  add(r: AggregatableReport): void {
    const minute = Math.floor(r.at / MINUTE_MS) * MINUTE_MS;
    let regions = this.regionsBySite.get(r.site);
    if (!regions) this.regionsBySite.set(r.site, (regions = new Set()));
    regions.add(r.region);
    for (const region of [r.region, ALL]) {
      for (const feature of [r.feature, ALL]) {
        const key = cellKey(r.site, region, feature);
        let cell = this.cells.get(key);
        if (!cell) this.cells.set(key, (cell = new Cell()));
        this.addToCell(cell, minute, r);
      }
    }
    this.version++;
  }

  private addToCell(cell: Cell, minute: number, r: AggregatableReport): void {
    const counts = cell.counts.get(minute) ?? emptyCounts();
    cell.counts.set(minute, counts);
    const perAccount = r.code !== null && r.code.startsWith(PER_ACCOUNT_CODE_PREFIX);
    const failure = r.signal !== 'ok' && !perAccount;
    if (failure) counts.failureReports++;
    if (minute < this.detailFrom) {
      // A late report for a compacted minute: its reporter may already be counted there, so the
      // distinct counts can only be approximated (counted once more); verdicts stay as computed.
      if (failure) {
        counts.failingReporters++;
        const signal = r.signal as FailureSignal;
        counts.bySignal[signal] = (counts.bySignal[signal] ?? 0) + 1;
      } else if (perAccount) counts.limitedReporters++;
      else counts.okReporters++;
      return;
    }
    let d = cell.detail.get(minute);
    if (!d) cell.detail.set(minute, (d = {}));
    if (failure) {
      const failing = (d.failing ??= new Map());
      if (!failing.has(r.reporter)) failing.set(r.reporter, r.networkHash);
      const signal = r.signal as FailureSignal;
      const bySignal = (d.bySignal ??= new Map());
      let set = bySignal.get(signal);
      if (!set) bySignal.set(signal, (set = new Set()));
      set.add(r.reporter);
      counts.failingReporters = failing.size;
      counts.bySignal[signal] = set.size;
    } else if (perAccount) {
      const limited = (d.limited ??= new Set());
      limited.add(r.reporter);
      counts.limitedReporters = limited.size;
    } else {
      const ok = (d.ok ??= new Map());
      if (!ok.has(r.reporter)) ok.set(r.reporter, r.networkHash);
      counts.okReporters = ok.size;
    }
    // Windows that include this minute must be judged again.
    const w = this.thresholds.windowMinutes;
    for (let end = minute; end < minute + w * MINUTE_MS; end += MINUTE_MS) {
      if (end - (w - 1) * MINUTE_MS >= this.detailFrom) cell.verdicts.delete(end);
    }
  }

  /**
   * Raw verdict of the window ending with `minute`. `usualPerMinute` (the baseline) is only asked
   * for when the window has enough failures to be judged: it reads hours of counts.
   */
  rawVerdict(cell: Cell, minute: number, usualPerMinute: () => number, nowMinute: number): State {
    const cached = cell.verdicts.get(minute);
    if (cached !== undefined) return cached;
    const w = this.thresholds.windowMinutes;
    const minutes: MinuteReporters[] = [];
    let failingUpperBound = 0;
    for (let m = minute - (w - 1) * MINUTE_MS; m <= minute; m += MINUTE_MS) {
      const d = cell.detail.get(m);
      if (d) {
        minutes.push(reportersOf(d));
        failingUpperBound += d.failing?.size ?? 0;
      }
    }
    // Too few failures to reach even the lower bar (the sum over minutes can only over-count
    // distinct people): operational, and cheap to see again, so not remembered. Memory then
    // follows the minutes that had many failures, not the clock.
    const t = this.thresholds;
    if (failingUpperBound < Math.min(t.degradedMinReporters, t.outageMinReporters)) return 'operational';
    const verdict = judge(windowStats(minutes, this.thresholds.networkCap), usualPerMinute() * w, this.thresholds);
    // The current minute is still filling up: only finished minutes are remembered.
    if (minute < nowMinute) cell.verdicts.set(minute, verdict);
    return verdict;
  }

  /** Distinct failing reporters and failure reports over [fromMinute, toMinute]. */
  recent(cell: Cell, fromMinute: number, toMinute: number): { reporters: number; reports: number } {
    const reporters = new Set<string>();
    let reports = 0;
    for (let m = fromMinute; m <= toMinute; m += MINUTE_MS) {
      const d = cell.detail.get(m);
      if (d?.failing) for (const reporter of d.failing.keys()) reporters.add(reporter);
      reports += cell.counts.get(m)?.failureReports ?? 0;
    }
    return { reporters: reporters.size, reports };
  }

  /**
   * Drops reporter detail older than `detailMinutes` (after fixing the verdicts of every window
   * that needs it) and counts older than `countsMs`. Call about once a minute.
   */
  compact(nowMs: number, baselineFor: (cell: Cell, minute: number) => number): void {
    const nowMinute = Math.floor(nowMs / MINUTE_MS) * MINUTE_MS;
    const newDetailFrom = nowMinute - this.options.detailMinutes * MINUTE_MS;
    const countsFrom = nowMinute - this.options.countsMs;
    const verdictsFrom = nowMinute - DAY_MS - this.options.detailMinutes * MINUTE_MS;
    const w = this.thresholds.windowMinutes;
    // Old counts and verdicts only need dropping now and then; walking them every minute is waste.
    const prune = nowMinute - this.prunedAt >= PRUNE_EVERY_MS;
    for (const [key, cell] of this.cells) {
      for (const minute of [...cell.detail.keys()]) {
        if (minute >= newDetailFrom) continue;
        for (let end = minute; end < minute + w * MINUTE_MS; end += MINUTE_MS) {
          if (!cell.verdicts.has(end) && end < nowMinute) this.rawVerdict(cell, end, () => baselineFor(cell, end), nowMinute);
        }
      }
      for (const minute of [...cell.detail.keys()]) if (minute < newDetailFrom) cell.detail.delete(minute);
      if (prune) {
        for (const minute of [...cell.counts.keys()]) if (minute < countsFrom) cell.counts.delete(minute);
        for (const minute of [...cell.verdicts.keys()]) if (minute < verdictsFrom) cell.verdicts.delete(minute);
        for (const block of [...cell.baselines.keys()]) if (block < verdictsFrom) cell.baselines.delete(block);
        if (cell.counts.size === 0 && cell.detail.size === 0) this.cells.delete(key);
      }
    }
    if (prune) this.prunedAt = nowMinute;
    this.detailFrom = Math.max(this.detailFrom, newDetailFrom);
    this.version++;
  }
}
