/**
 * In-memory per-minute aggregates per cell (site x region-or-ALL x feature-or-ALL). Every stored
 * report updates four cells, so small regional or per-feature signals also add up in the
 * all-regions and all-features cells.
 *
 * Memory is bounded whatever the crowd: distinct people are counted with HyperLogLog sketches,
 * and the network cap is applied as the reports arrive (each network keeps at most `networkCap`
 * reporter names per minute, all the cap can ever count). Recent minutes keep this detail; older
 * minutes keep plain counts; older still, 15-minute block summaries (the baseline's history).
 * No I/O here.
 */
import { PER_ACCOUNT_CODE_PREFIX, type Feature, type FailureSignal, type Signal, type State } from '../../shared/protocol.ts';
import { blockOf, BLOCK_MS, DAY_MS, DEFAULT_BASELINE, expectationAt, MINUTE_MS, WEEK_MS, type BaselineOptions, type BlockSummary, type Expectation } from '../detection/baseline.ts';
import { HyperLogLog, hash53 } from '../detection/hll.ts';
import type { DetectionThresholds } from '../detection/thresholds.ts';
import { expectedPerMinute, judge, type Judgement } from '../detection/verdict.ts';
import { RANK } from '../detection/hysteresis.ts';

export const ALL = '*';
const PRUNE_EVERY_MS = 3600_000;
/** People count as active for this long after an ok sample (the extension sends one at most
 *  every 10 minutes per feature). */
export const ACTIVE_MINUTES = 10;

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
  /** When the server received it (the report's own `at` when absent): the newcomer rule reads
   *  the server's clock, never the sender's, so a backdated report cannot make a pseudonym old. */
  receivedAt?: number;
}

export interface MinuteCounts {
  /** Distinct reporters with a failure (per-account limits excluded). */
  failingReporters: number;
  /** The same after the per-network cap: what the detector counts. */
  countedFailing: number;
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
  /** network hash -> at most `networkCap` reporters (their 53-bit hashes). */
  byNetwork?: Map<string, Set<number>>;
  failing?: HyperLogLog;
  ok?: HyperLogLog;
  limited?: HyperLogLog;
  bySignal?: Map<FailureSignal, HyperLogLog>;
}

/** What a finished minute's counts call for, hold up, and the uncorrected evidence behind it. */
export interface MinuteVerdict {
  state: State;
  hold: State;
  rawLlr: number;
  /** What the counts called before an all-countries cell was judged without its strongest
   *  country (absent: `state`). The baseline learns from this, as it did before that rule. */
  called?: State;
}

const QUIET: MinuteVerdict = { state: 'operational', hold: 'operational', rawLlr: 0 };

/** `v` raised to at least the states of `floor`; the evidence stays `v`'s own, so a block's peak
 *  (the tail's input) is still what the finished minute's counts showed. */
function atLeast(v: MinuteVerdict, floor: MinuteVerdict): MinuteVerdict {
  const state = RANK[floor.state] > RANK[v.state] ? floor.state : v.state;
  const hold = RANK[floor.hold] > RANK[v.hold] ? floor.hold : v.hold;
  if (state === v.state && hold === v.hold) return v;
  return { state, hold: RANK[hold] > RANK[state] ? hold : state, rawLlr: v.rawLlr };
}

/** `v` lowered to at most the states of `ceiling`, its evidence kept (see `atLeast`). */
function atMost(v: MinuteVerdict, ceiling: { state: State; hold: State }): MinuteVerdict {
  const state = RANK[ceiling.state] < RANK[v.state] ? ceiling.state : v.state;
  const hold = RANK[ceiling.hold] < RANK[v.hold] ? ceiling.hold : v.hold;
  return { state, hold: RANK[hold] > RANK[state] ? hold : state, rawLlr: v.rawLlr, called: v.called ?? v.state };
}

/** A block summary with the cell it belongs to: what storage keeps across restarts. */
export interface CellBlock extends BlockSummary {
  site: string;
  region: string;
  feature: string;
  blockStart: number;
}

export class Cell {
  readonly detail = new Map<number, MinuteDetail>();
  readonly counts = new Map<number, MinuteCounts>();
  /** Raw verdict of a finished minute, once judged (only minutes with enough failures). */
  readonly verdicts = new Map<number, MinuteVerdict>();
  /** The highest verdict a read of a minute still filling up has shown (only minutes whose
   *  reads called more than operational). What is shown of the minute, then and once finished, is
   *  at least this, so the hysteresis holds it like any other; the baseline never reads it. */
  readonly previews = new Map<number, MinuteVerdict>();
  /** 15-minute summaries: the baseline's history. */
  readonly blocks = new Map<number, BlockSummary>();
  /** Expectation per 15-minute block, cached: it reads weeks of block summaries. */
  readonly expectations = new Map<number, Expectation>();
  /** Next block start to summarise. */
  nextBlock: number;
  /** Everyone ok or failing in the `ACTIVE_MINUTES` ending with `minute`, kept up to date as
   *  reports for those minutes arrive (the status reads every cell every few seconds). */
  active: { minute: number; union: HyperLogLog } | null = null;

  constructor(
    firstMinute: number,
    readonly key = '',
  ) {
    this.nextBlock = blockOf(firstMinute);
  }

  /** The cell's site, region and feature, from its key. */
  get parts(): { site: string; region: string; feature: string } {
    const [site = '', region = '', feature = ''] = this.key.split('|');
    return { site, region, feature };
  }

  /** Per-minute counts; distinct counts of minutes with detail are read from their sketches
   *  here rather than on every report. */
  countAt(minute: number): MinuteCounts | undefined {
    const c = this.counts.get(minute);
    const d = this.detail.get(minute);
    if (c && d) {
      if (d.failing) c.failingReporters = d.failing.count();
      if (d.ok) c.okReporters = d.ok.count();
      if (d.limited) c.limitedReporters = d.limited.count();
      if (d.bySignal) for (const [signal, sketch] of d.bySignal) c.bySignal[signal] = sketch.count();
    }
    return c;
  }
}

export interface StoreOptions {
  thresholds: DetectionThresholds;
  /** Minutes that keep reporter detail; must cover the 15-minute counts, the window and a block. */
  detailMinutes: number;
  /** How long plain per-minute counts are kept (the published series covers 24 hours). */
  countsMs: number;
  /** How long 15-minute block summaries are kept, for the seasonal baseline. */
  blocksMs: number;
  /** Keep every block summarised from reports until `takeNewBlocks` collects it (the server
   *  persists them); off where nothing collects them, so they cannot pile up. */
  collectNewBlocks?: boolean;
  /** How the usual level is learned (DEFAULT_BASELINE unless a benchmark tries another). */
  baseline?: BaselineOptions;
}

export const DEFAULT_STORE_OPTIONS: Omit<StoreOptions, 'thresholds'> = {
  detailMinutes: 60,
  countsMs: 2 * DAY_MS,
  blocksMs: DEFAULT_BASELINE.weeks * WEEK_MS + DAY_MS,
};

/** Sum of the `n` largest network contributions. */
function largest(contributions: Iterable<number>, n: number): number {
  if (n <= 0) return 0;
  const top: number[] = [];
  for (const size of contributions) {
    if (top.length < n) {
      top.push(size);
      top.sort((a, b) => b - a);
    } else if (size > (top[n - 1] as number)) {
      top[n - 1] = size;
      top.sort((a, b) => b - a);
    }
  }
  return top.reduce((a, b) => a + b, 0);
}

/** Known reporters per network of a window's union (networks with none left out). */
function* knownCounts(union: Map<string, { known: number }>): Generator<number> {
  for (const u of union.values()) if (u.known > 0) yield u.known;
}

function cellKey(site: string, region: string, feature: string): string {
  return `${site}|${region}|${feature}`;
}

function emptyCounts(): MinuteCounts {
  return { failingReporters: 0, countedFailing: 0, failureReports: 0, okReporters: 0, limitedReporters: 0, bySignal: {} };
}

const EMPTY_SUMMARY_MINUTES = 15;

export class MinuteStore {
  private readonly cells = new Map<string, Cell>();
  private readonly regionsBySite = new Map<string, Set<string>>();
  /** Earliest minute whose counts are complete (everything since was loaded or received). */
  knownSince: number;
  /** Oldest minute that still holds reporter detail; older ones are compacted. */
  private detailFrom = -Infinity;
  private prunedAt = -Infinity;
  /** Latest minute seen (a report, a judgement or a compaction): blocks before it are finished. */
  private newestMinute = -Infinity;
  /** Bumped on every change, so callers can cache answers built from the store. */
  version = 0;
  private newBlocks: CellBlock[] = [];
  /** Reporter hash -> when the server first heard from it (any report): the newcomer rule. */
  private readonly firstSeen = new Map<number, number>();
  /** New reporters remembered per network hash in the current UTC day (network hashes change daily). */
  private newByNetwork = new Map<string, number>();
  private newByNetworkDay = -1;
  /** Reports whose reporter was not remembered (its network's daily share or the table was full). */
  untrackedReports = 0;

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

  /** Every cell, with its key parts. */
  *allCells(): Generator<{ site: string; region: string; feature: string; cell: Cell }> {
    for (const cell of this.cells.values()) yield { ...cell.parts, cell };
  }

  regions(site: string): string[] {
    return [...(this.regionsBySite.get(site) ?? [])].sort();
  }

  add(r: AggregatableReport): void {
    const minute = Math.floor(r.at / MINUTE_MS) * MINUTE_MS;
    if (minute > this.newestMinute) this.newestMinute = minute;
    let regions = this.regionsBySite.get(r.site);
    if (!regions) this.regionsBySite.set(r.site, (regions = new Set()));
    regions.add(r.region);
    const h = hash53(r.reporter);
    this.noteSeen(h, r.networkHash, r.receivedAt ?? r.at);
    for (const region of [r.region, ALL]) {
      for (const feature of [r.feature, ALL]) {
        const key = cellKey(r.site, region, feature);
        let cell = this.cells.get(key);
        if (!cell) this.cells.set(key, (cell = new Cell(Math.max(minute, this.knownSince), key)));
        this.addToCell(cell, minute, r, h);
      }
    }
    this.version++;
  }

  /**
   * Remembers when a reporter was first heard from. Each network may add only
   * `maxNewReportersPerNetwork` names a day, so one network inventing pseudonyms cannot fill the
   * table; names not remembered stay newcomers (one network counts at most `networkCap` anyway).
   */
  private noteSeen(h: number, network: string, at: number): void {
    const had = this.firstSeen.get(h);
    if (had !== undefined) {
      if (at < had) this.firstSeen.set(h, at);
      return;
    }
    const day = Math.floor(at / DAY_MS);
    if (day > this.newByNetworkDay) {
      this.newByNetwork = new Map();
      this.newByNetworkDay = day;
    }
    const added = this.newByNetwork.get(network) ?? 0;
    if (added >= this.thresholds.maxNewReportersPerNetwork || this.firstSeen.size >= this.thresholds.maxTrackedReporters) {
      this.untrackedReports++;
      return;
    }
    this.newByNetwork.set(network, added + 1);
    this.firstSeen.set(h, at);
  }

  /**
   * Whether a reporter counts as known when judging `minute`: first heard from at least
   * `newcomerMinutes` before it. Pseudonyms are all new at 00:00 UTC, so the rule waits twice
   * that long into each UTC day (everyone seen in the first minutes is known by then). A reporter
   * the store did not remember is a newcomer: a flood of names must not turn the rule off.
   */
  isKnown(h: number, minute: number): boolean {
    const bar = this.knownBar(minute);
    if (bar === null) return true;
    const seen = this.firstSeen.get(h);
    return seen !== undefined && seen <= bar;
  }

  /** For `isKnown` when judging `minute`: the latest first-heard time that counts as known, or
   *  null when everyone does (the rule is off, or the UTC day is too young). */
  private knownBar(minute: number): number | null {
    const wait = this.thresholds.newcomerMinutes * MINUTE_MS;
    if (wait === 0 || minute - Math.floor(minute / DAY_MS) * DAY_MS < 2 * wait) return null;
    return minute - wait;
  }

  /** Reporters remembered for the newcomer rule. */
  get trackedReporters(): number {
    return this.firstSeen.size;
  }

  private addToCell(cell: Cell, minute: number, r: AggregatableReport, h: number): void {
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
      const failing = (d.failing ??= new HyperLogLog());
      failing.addHash(h);
      const byNetwork = (d.byNetwork ??= new Map());
      let names = byNetwork.get(r.networkHash);
      if (!names) byNetwork.set(r.networkHash, (names = new Set()));
      // Beyond the cap a network's reporters can never count, so they are not even kept.
      if (names.size < this.thresholds.networkCap && !names.has(h)) {
        names.add(h);
        counts.countedFailing++;
      }
      const signal = r.signal as FailureSignal;
      const bySignal = (d.bySignal ??= new Map());
      let sketch = bySignal.get(signal);
      if (!sketch) bySignal.set(signal, (sketch = new HyperLogLog()));
      sketch.addHash(h);
    } else if (perAccount) {
      const limited = (d.limited ??= new HyperLogLog());
      limited.addHash(h);
    } else {
      const ok = (d.ok ??= new HyperLogLog());
      ok.addHash(h);
    }
    // Sketches merge by register max (or set union), so adding the name now is what merging its
    // minute again would give.
    const active = cell.active;
    if (!perAccount && active && minute <= active.minute && minute > active.minute - ACTIVE_MINUTES * MINUTE_MS) active.union.addHash(h);
    // Minutes judged with this one in view must be judged again.
    if (cell.verdicts.size === 0) return;
    const reach = Math.max(this.thresholds.windowMinutes, ACTIVE_MINUTES);
    for (let end = minute; end < minute + reach * MINUTE_MS; end += MINUTE_MS) {
      if (end - (reach - 1) * MINUTE_MS >= this.detailFrom) cell.verdicts.delete(end);
    }
  }

  /**
   * Restores block summaries kept from before a restart (call before replaying reports): a block
   * already known is kept as it was summarised then, from all its minutes.
   */
  loadBlocks(blocks: Iterable<CellBlock>): number {
    let loaded = 0;
    for (const b of blocks) {
      const key = cellKey(b.site, b.region, b.feature);
      let cell = this.cells.get(key);
      if (!cell) {
        this.cells.set(key, (cell = new Cell(this.knownSince, key)));
        if (b.region !== ALL) {
          let regions = this.regionsBySite.get(b.site);
          if (!regions) this.regionsBySite.set(b.site, (regions = new Set()));
          regions.add(b.region);
        }
      }
      if (cell.blocks.has(b.blockStart)) continue;
      const summary: BlockSummary = { minutes: b.minutes, failing: b.failing, failingSq: b.failingSq, active: b.active, troubled: b.troubled };
      if (b.peak !== undefined) summary.peak = b.peak;
      if (b.expected !== undefined) summary.expected = b.expected;
      cell.blocks.set(b.blockStart, summary);
      cell.expectations.clear();
      loaded++;
    }
    this.version++;
    return loaded;
  }

  /** Block summaries made since the last call (only with `collectNewBlocks`). */
  takeNewBlocks(): CellBlock[] {
    const taken = this.newBlocks;
    this.newBlocks = [];
    return taken;
  }

  /** Gives back blocks that could not be stored, to be taken again next time. */
  requeueBlocks(blocks: readonly CellBlock[]): void {
    this.newBlocks = blocks.concat(this.newBlocks);
  }

  /** Distinct people active (ok or failing) in the `ACTIVE_MINUTES` ending with `minute`. */
  activeAt(cell: Cell, minute: number): number {
    let active = cell.active;
    if (!active || active.minute !== minute) {
      const union = new HyperLogLog();
      for (let m = minute - (ACTIVE_MINUTES - 1) * MINUTE_MS; m <= minute; m += MINUTE_MS) {
        const d = cell.detail.get(m);
        if (d?.ok) union.merge(d.ok);
        if (d?.failing) union.merge(d.failing);
      }
      active = cell.active = { minute, union };
    }
    return active.union.count();
  }

  /** The baseline's expectation for a minute, per 15-minute block. */
  expectationFor(cell: Cell, minute: number): Expectation {
    const block = blockOf(minute);
    let e = cell.expectations.get(block);
    if (!e) {
      e = expectationAt(minute, (b) => this.blockSummary(cell, b), this.options.baseline ?? DEFAULT_BASELINE);
      cell.expectations.set(block, e);
    }
    return e;
  }

  /** Summary of a finished block (made on first use, while its detail is still here). */
  private blockSummary(cell: Cell, block: number): BlockSummary | undefined {
    const have = cell.blocks.get(block);
    if (have) return have;
    if (block < cell.nextBlock || block + BLOCK_MS + this.thresholds.windowMinutes * MINUTE_MS > this.newestMinute + MINUTE_MS) return undefined;
    if (block < this.detailFrom) return undefined;
    return this.summarise(cell, block);
  }

  private summarise(cell: Cell, block: number): BlockSummary {
    let failing = 0;
    let failingSq = 0;
    let troubled = false;
    let peak = 0;
    for (let m = block; m < block + BLOCK_MS; m += MINUTE_MS) {
      // What the detector counts (after the cap and the newcomer rule), so a burst of fresh names
      // the rule kept out of the verdicts does not teach the baseline either.
      const x = cell.detail.has(m) ? (this.windowCounts(cell, m, 1).counted[0] as number) : (cell.counts.get(m)?.countedFailing ?? 0);
      failing += x;
      failingSq += x * x;
      const v = this.countedVerdict(cell, m, m + MINUTE_MS);
      if ((v.called ?? v.state) !== 'operational') troubled = true;
      if (v.rawLlr > peak) peak = v.rawLlr;
    }
    const exp = this.expectationFor(cell, block);
    const s: BlockSummary = {
      minutes: EMPTY_SUMMARY_MINUTES,
      failing,
      failingSq,
      active: this.activeAt(cell, block + BLOCK_MS - MINUTE_MS),
      troubled,
      peak,
      expected: exp.source === 'prior' ? 0 : exp.seasonal * EMPTY_SUMMARY_MINUTES,
    };
    cell.blocks.set(block, s);
    if (this.options.collectNewBlocks) {
      this.newBlocks.push({ ...cell.parts, blockStart: block, ...s });
    }
    return s;
  }

  /**
   * Counted failing reporters over the last k minutes (k = 1..`minutes`), with and without the
   * biggest networks, and their networks. Newcomers (see `isKnown`) count only up to
   * `newcomerAllowance` per known reporter in the same stretch; the networks counted and the
   * network left out are read from the known reporters the same way, so uncounted newcomers
   * neither meet the network bar nor shrink the evidence of a real outage.
   */
  windowCounts(cell: Cell, minute: number, minutes = this.thresholds.windowMinutes, skip = -1): { counted: number[]; robust: number[]; networks: number; upperBound: number; newcomers: number } {
    const t = this.thresholds;
    // The status judges every cell every few seconds: the newcomer rule's bar (`isKnown`) is
    // worked out once here rather than per name, and each network's union is a short array (at
    // most `networkCap`).
    const knownBy = this.knownBar(minute);
    const firstSeen = this.firstSeen;
    const cap = t.networkCap;
    const union = new Map<string, { names: number[]; known: number }>();
    const counted: number[] = [];
    const robust: number[] = [];
    let known = 0;
    let knownNetworks = 0;
    let newcomers = 0;
    let upperBound = 0;
    // The biggest networks by known reporters: kept as it grows when only the biggest one is left
    // out (the default), summed afresh otherwise.
    const leaveOut = t.leaveOutNetworks;
    let biggest = 0;
    for (let k = 0; k < minutes; k++) {
      const d = k === skip ? undefined : cell.detail.get(minute - k * MINUTE_MS);
      if (d?.byNetwork) {
        for (const [network, names] of d.byNetwork) {
          upperBound += names.size;
          let u = union.get(network);
          if (!u) union.set(network, (u = { names: [], known: 0 }));
          for (const name of names) {
            if (u.names.length >= cap) break;
            if (u.names.includes(name)) continue;
            u.names.push(name);
            let isKnown = knownBy === null;
            if (!isKnown) {
              const seen = firstSeen.get(name);
              isKnown = seen !== undefined && seen <= (knownBy as number);
            }
            if (isKnown) {
              known++;
              if (u.known++ === 0) knownNetworks++;
              if (u.known > biggest) biggest = u.known;
            } else newcomers++;
          }
        }
      }
      const total = known + Math.min(newcomers, Math.floor(known * t.newcomerAllowance));
      counted.push(total);
      const left = leaveOut === 1 ? biggest : largest(knownCounts(union), leaveOut);
      robust.push(Math.max(0, total - left));
    }
    const newcomerOnly = union.size - knownNetworks;
    const networks = knownNetworks + Math.min(newcomerOnly, Math.floor(knownNetworks * t.newcomerAllowance));
    return { counted, robust, networks, upperBound, newcomers };
  }

  /**
   * The window's peak minute, by its own count (capped per network, the biggest network left out)
   * over the part of a minute it covers, and the window's counts once more without it; and each
   * minute's own count (a lone minute is called only when a minute next to the peak rises too).
   */
  withoutPeak(cell: Cell, minute: number, newestFraction: number): { index: number; counts: number[]; own: number[] } | undefined {
    const t = this.thresholds;
    let index = -1;
    let best = 0;
    const ownCounts: number[] = [];
    for (let k = 0; k < t.windowMinutes; k++) {
      ownCounts.push(0);
      const byNetwork = cell.detail.get(minute - k * MINUTE_MS)?.byNetwork;
      if (!byNetwork) continue;
      let own = 0;
      const sizes: number[] = [];
      for (const names of byNetwork.values()) {
        const n = Math.min(names.size, t.networkCap);
        own += n;
        sizes.push(n);
      }
      own -= largest(sizes, t.leaveOutNetworks);
      ownCounts[k] = own;
      const rate = own / (k === 0 ? Math.min(1, Math.max(0.25, newestFraction)) : 1);
      if (rate > best) {
        best = rate;
        index = k;
      }
    }
    if (index < 0) return undefined;
    return { index, counts: this.windowCounts(cell, minute, t.windowMinutes, index).robust, own: ownCounts };
  }

  /** Full judgement of the minute (not cached): for tools and the simulator. */
  judgeAt(cell: Cell, minute: number, nowMs = minute + MINUTE_MS): Judgement {
    const { counted, robust, networks } = this.windowCounts(cell, minute);
    const newestFraction = (nowMs - minute) / MINUTE_MS;
    const withoutPeak = this.withoutPeak(cell, minute, newestFraction);
    return judge({ counted, robust, networks, active: this.activeAt(cell, minute), newestFraction, withoutPeak }, this.expectationFor(cell, minute), this.thresholds);
  }

  /** The minute's verdict as shown: the state called for, the state held up, the uncorrected
   *  evidence. A read of an unfinished minute that called trouble was shown (the badge, a
   *  notification): a later read of the same minute, or the minute once finished, never calls
   *  less. Otherwise a burst early in a minute is shown, withdrawn 20 s later as the minute fills,
   *  and shown again at the next minute's start: one episode, two or three alerts (5 of the 17
   *  false alerts on the held-out weeks were such second alerts). */
  minuteVerdict(cell: Cell, minute: number, nowMinute: number, nowMs = nowMinute): MinuteVerdict {
    const counted = this.countedVerdict(cell, minute, nowMinute, nowMs);
    const preview = cell.previews.get(minute);
    const shown = preview ? atLeast(counted, preview) : counted;
    if (minute >= nowMinute && shown.state !== 'operational') cell.previews.set(minute, shown);
    return shown;
  }

  /** The minute's verdict from its counts alone, whatever earlier reads showed: what the
   *  baseline learns from (a block's troubled mark and peak), so it never depends on when the
   *  status happened to be read. */
  countedVerdict(cell: Cell, minute: number, nowMinute: number, nowMs = nowMinute): MinuteVerdict {
    if (nowMinute > this.newestMinute) this.newestMinute = nowMinute;
    const cached = cell.verdicts.get(minute);
    if (cached !== undefined) return cached;
    const t = this.thresholds;
    const { counted, robust, networks, upperBound } = this.windowCounts(cell, minute);
    // Too few failures or networks to reach even the lowest (hold) bar: operational, and cheap
    // to see again, so not remembered. Memory then follows the minutes that had many failures.
    // Such a minute's evidence is left out of the block's peak too: it could never be called.
    const f = Math.min(1, t.holdFraction);
    if (upperBound < Math.ceil(Math.min(t.degradedMinReporters, t.outageMinReporters) * f) || networks < Math.ceil(Math.min(t.degradedMinNetworks, t.outageMinNetworks) * f)) return QUIET;
    // A finished minute is judged whole; the current one for the part of it that has passed.
    const newestFraction = minute < nowMinute ? 1 : (nowMs - minute) / MINUTE_MS;
    const withoutPeak = this.withoutPeak(cell, minute, newestFraction);
    const active = this.activeAt(cell, minute);
    const exp = this.expectationFor(cell, minute);
    const j = judge({ counted, robust, networks, active, newestFraction, withoutPeak }, exp, t);
    let verdict: MinuteVerdict = { state: j.state, hold: j.hold, rawLlr: j.rawLlr };
    if (j.hold !== 'operational' && cell.parts.region === ALL) {
      const rest = this.judgeWithoutStrongestRegion(cell, minute, { counted, robust, networks, active, newestFraction }, exp, j.evidence.minutes);
      if (rest) verdict = atMost(verdict, rest);
    }
    // The current minute is still filling up: only finished minutes are remembered.
    if (minute < nowMinute) cell.verdicts.set(minute, verdict);
    return verdict;
  }

  /**
   * An all-countries cell's minute judged once more without the country whose failures rose most
   * over what it usually holds: its counts leave, and so does what it usually holds. A burst or an
   * attack in one country is that country's cell's to call (the badge of someone there reads it);
   * the all-countries cell says the trouble is wider, so it keeps a state only if the other
   * countries still call it. Before, one country's burst was announced twice, in its cell and a
   * minute later in the all-countries one (docs/detection-benchmarks.md, "The all-countries cells
   * without their strongest country"). Judged whole (null) when that country usually holds half
   * of the cell or more (it is most of it, as with one country alone) or holds at most half of the
   * rise (the rise is not one country's).
   */
  private judgeWithoutStrongestRegion(
    cell: Cell,
    minute: number,
    all: { counted: number[]; robust: number[]; networks: number; active: number; newestFraction: number },
    exp: Expectation,
    /** The stretch (minutes) the whole cell's evidence came from: whose rise it is is read there. */
    stretch: number,
  ): Judgement | null {
    const t = this.thresholds;
    const { site, feature } = cell.parts;
    const fraction = Math.min(1, Math.max(0.25, all.newestFraction));
    const allExpected = expectedPerMinute(exp, all.active, t);
    const k = Math.min(Math.max(1, stretch), all.counted.length);
    // Distinct people over the stretch over what it usually holds.
    const excessOf = (counted: readonly number[], perMinute: number) => (counted[k - 1] ?? 0) - perMinute * (k - 1 + fraction);
    let strongest: { counted: number[]; networks: number; active: number; expected: number; excess: number } | null = null;
    for (const region of this.regionsBySite.get(site) ?? []) {
      const rc = this.cells.get(cellKey(site, region, feature));
      if (!rc) continue;
      const { counted, networks } = this.windowCounts(rc, minute);
      const active = this.activeAt(rc, minute);
      const expected = expectedPerMinute(this.expectationFor(rc, minute), active, t);
      const excess = excessOf(counted, expected);
      if (!strongest || excess > strongest.excess) strongest = { counted, networks, active, expected, excess };
    }
    if (!strongest || strongest.expected * 2 >= allExpected) return null;
    const r = strongest;
    // A rise spread over the countries (an outage everywhere, or many small ones that add up) is
    // judged whole: no country holds most of it. Left out there too, a country with a third of
    // the users took a third of the evidence, and small outages everywhere were called minutes
    // later (held-out seeds: 130 s -> 970 s, 567 s -> 727 s).
    if (r.excess * 2 <= excessOf(all.counted, allExpected)) return null;
    const rest = allExpected - r.expected;
    return judge(
      {
        counted: all.counted.map((c, i) => Math.max(0, c - (r.counted[i] ?? 0))),
        robust: all.robust.map((c, i) => Math.max(0, c - (r.counted[i] ?? 0))),
        networks: Math.max(0, all.networks - r.networks),
        active: Math.max(0, all.active - r.active),
        newestFraction: all.newestFraction,
        expectedOver: all.counted.map((_, i) => Math.max(t.minExpectedPerMinute, rest) * (i + fraction)),
      },
      exp,
      t,
    );
  }

  /** Distinct failing reporters and failure reports over [fromMinute, toMinute]. */
  recent(cell: Cell, fromMinute: number, toMinute: number): { reporters: number; reports: number } {
    const union = new HyperLogLog();
    let reports = 0;
    for (let m = fromMinute; m <= toMinute; m += MINUTE_MS) {
      const d = cell.detail.get(m);
      if (d?.failing) union.merge(d.failing);
      reports += cell.counts.get(m)?.failureReports ?? 0;
    }
    return { reporters: union.count(), reports };
  }

  /**
   * Summarises finished blocks and judges every minute whose detail is about to go, then drops
   * reporter detail older than `detailMinutes`, counts older than `countsMs` and blocks older
   * than `blocksMs`. Call about once a minute (and as a replay moves on).
   */
  compact(nowMs: number): void {
    const nowMinute = Math.floor(nowMs / MINUTE_MS) * MINUTE_MS;
    this.newestMinute = Math.max(this.newestMinute, nowMinute);
    const newDetailFrom = nowMinute - this.options.detailMinutes * MINUTE_MS;
    const countsFrom = nowMinute - this.options.countsMs;
    const blocksFrom = nowMinute - this.options.blocksMs;
    const verdictsFrom = nowMinute - DAY_MS - this.options.detailMinutes * MINUTE_MS;
    const prune = nowMinute - this.prunedAt >= PRUNE_EVERY_MS;
    const summariseUpTo = nowMinute - this.thresholds.windowMinutes * MINUTE_MS;
    for (const [key, cell] of this.cells) {
      cell.nextBlock = Math.max(cell.nextBlock, blockOf(Math.max(this.detailFrom, this.knownSince)));
      while (cell.nextBlock + BLOCK_MS <= summariseUpTo) {
        if (!cell.blocks.has(cell.nextBlock)) this.summarise(cell, cell.nextBlock);
        cell.nextBlock += BLOCK_MS;
      }
      for (const minute of [...cell.detail.keys()]) {
        if (minute >= newDetailFrom) continue;
        for (let end = minute; end < minute + this.thresholds.windowMinutes * MINUTE_MS; end += MINUTE_MS) {
          if (!cell.verdicts.has(end) && end < nowMinute) this.countedVerdict(cell, end, nowMinute);
        }
      }
      for (const minute of [...cell.detail.keys()]) {
        if (minute >= newDetailFrom) continue;
        cell.countAt(minute); // fixes the distinct counts before the sketches go
        cell.detail.delete(minute);
        if (cell.active && minute > cell.active.minute - ACTIVE_MINUTES * MINUTE_MS) cell.active = null;
      }
      if (prune) {
        for (const minute of [...cell.counts.keys()]) if (minute < countsFrom) cell.counts.delete(minute);
        for (const minute of [...cell.verdicts.keys()]) if (minute < verdictsFrom) cell.verdicts.delete(minute);
        for (const minute of [...cell.previews.keys()]) if (minute < verdictsFrom) cell.previews.delete(minute);
        for (const block of [...cell.blocks.keys()]) if (block < blocksFrom) cell.blocks.delete(block);
        for (const block of [...cell.expectations.keys()]) if (block < verdictsFrom) cell.expectations.delete(block);
        if (cell.counts.size === 0 && cell.detail.size === 0 && cell.blocks.size === 0) this.cells.delete(key);
      }
    }
    if (prune) {
      this.prunedAt = nowMinute;
      // A pseudonym lives one UTC day; late reports may follow it a little.
      const seenFrom = nowMinute - DAY_MS - 2 * 3600_000;
      for (const [h, at] of this.firstSeen) if (at < seenFrom) this.firstSeen.delete(h);
    }
    this.detailFrom = Math.max(this.detailFrom, newDetailFrom);
    this.version++;
  }
}
