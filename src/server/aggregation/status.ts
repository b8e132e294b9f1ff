/**
 * Builds GET /v1/status answers from the in-memory aggregates (never from raw reports), applying
 * the privacy threshold: no cell with fewer than k distinct failing reporters shows a count.
 */
import { gzipSync } from 'node:zlib';
import { FEATURES, type FeatureStatus, type RegionStatus, type State, type StateSince, type StatusResponse } from '../../shared/protocol.ts';
import { DAY_MS, MINUTE_MS } from '../detection/baseline.ts';
import { applyHysteresis } from '../detection/hysteresis.ts';
import { ALL, type Cell, type MinuteStore } from './minute-store.ts';

export const SERIES_MINUTES = 24 * 60;
const RECENT_MINUTES = 15;

/** gzip of a text as a plain byte view (what a response body takes), without a copy. */
function gzipBytes(text: string): Uint8Array<ArrayBuffer> {
  const b = gzipSync(text);
  return new Uint8Array(b.buffer as ArrayBuffer, b.byteOffset, b.byteLength);
}

function cacheKey(site: string, region: string | null): string {
  return `${site}|${region ?? ''}`;
}

export class StatusBuilder {
  private readonly cache = new Map<string, { version: number; minute: number; response: StatusResponse; json?: string; gzip?: { second: number; bytes: Uint8Array<ArrayBuffer> } }>();

  constructor(
    /** What the status is built from; the feed's history replays it (pages/state-changes.ts). */
    readonly store: MinuteStore,
    readonly privacyK: number,
  ) {}

  private cellState(cell: Cell | undefined, nowMinute: number, nowMs: number): StateSince {
    if (!cell) return { state: 'operational', since: null };
    const first = Math.max(Math.ceil(this.store.knownSince / MINUTE_MS) * MINUTE_MS, nowMinute - DAY_MS);
    const raw: State[] = [];
    const hold: State[] = [];
    for (let m = first; m <= nowMinute; m += MINUTE_MS) {
      const v = this.store.minuteVerdict(cell, m, nowMinute, nowMs);
      raw.push(v.state);
      hold.push(v.hold);
    }
    return applyHysteresis(raw, first, MINUTE_MS, this.store.thresholds.quietMinutes, hold);
  }

  private recent(cell: Cell | undefined, nowMinute: number) {
    if (!cell) return { reporters: 0, reports: 0 };
    return this.store.recent(cell, nowMinute - (RECENT_MINUTES - 1) * MINUTE_MS, nowMinute);
  }

  /** A small count is reported as 0, never exactly. */
  private gate(n: number): number {
    return n < this.privacyK ? 0 : n;
  }

  build(site: string, region: string | null, nowMs: number): StatusResponse {
    const nowMinute = Math.floor(nowMs / MINUTE_MS) * MINUTE_MS;
    const key = cacheKey(site, region);
    const hit = this.cache.get(key);
    if (hit && hit.version === this.store.version && hit.minute === nowMinute) return { ...hit.response, generatedAt: nowMs };

    const where = region ?? ALL;
    const overallCell = this.store.cell(site, where, ALL);
    const overallRecent = this.recent(overallCell, nowMinute);
    const computed = this.cellState(overallCell, nowMinute, nowMs);
    // Fewer than k people right now: never show a non-operational state built on so few. An
    // operational "since" (the end of an earlier, larger event) reveals nothing and is kept.
    const overall: StateSince =
      overallRecent.reporters < this.privacyK && computed.state !== 'operational' ? { state: 'operational', since: null } : computed;

    const features: FeatureStatus[] = FEATURES.map((feature) => {
      const cell = this.store.cell(site, where, feature);
      const recent = this.recent(cell, nowMinute);
      if (recent.reporters < this.privacyK) return { feature, state: 'operational', reports15m: 0, reporters15m: 0 };
      return { feature, state: this.cellState(cell, nowMinute, nowMs).state, reports15m: recent.reports, reporters15m: recent.reporters };
    });

    const regions: RegionStatus[] = [];
    for (const r of this.store.regions(site)) {
      const cell = this.store.cell(site, r, ALL);
      const recent = this.recent(cell, nowMinute);
      if (recent.reporters < this.privacyK) continue;
      regions.push({ region: r, state: this.cellState(cell, nowMinute, nowMs).state, reports15m: recent.reports, reporters15m: recent.reporters });
    }

    const from = nowMinute - (SERIES_MINUTES - 1) * MINUTE_MS;
    const reports: number[] = [];
    const baseline: number[] = [];
    for (let m = from; m <= nowMinute; m += MINUTE_MS) {
      reports.push(this.gate(overallCell?.countAt(m)?.failingReporters ?? 0));
      baseline.push(overallCell ? this.gate(Math.round(this.store.expectationFor(overallCell, m).perMinute)) : 0);
    }

    const response: StatusResponse = {
      site,
      generatedAt: nowMs,
      overall,
      features,
      regions,
      series: { stepMs: MINUTE_MS, from, reports, baseline },
      ...(region ? { region } : {}),
    };
    if (this.cache.size >= 1000) this.cache.clear();
    this.cache.set(key, { version: this.store.version, minute: nowMinute, response });
    return response;
  }

  /**
   * build() as JSON text. Serialising the answer (the 24-hour series most of all) is most of what
   * a cached read costs, so the text of everything but the time is kept with the cached answer.
   */
  buildJson(site: string, region: string | null, nowMs: number): string {
    const response = this.build(site, region, nowMs);
    const entry = this.cache.get(cacheKey(site, region));
    if (!entry) return JSON.stringify(response);
    if (entry.json === undefined) {
      const { generatedAt: _, ...rest } = entry.response;
      entry.json = JSON.stringify(rest);
    }
    // rest always has keys (site, overall, ...), so its text opens with '{' and a key.
    return `{"generatedAt":${JSON.stringify(response.generatedAt)},${entry.json.slice(1)}`;
  }

  /**
   * The same answer gzipped, for clients that accept it (browsers, CDNs): about a fifth of the
   * bytes, which is most of what a read costs to send. Compressed at most once a second per
   * answer, so its `generatedAt` is the second it was compressed in (never later than now, at
   * most a second earlier: less than the 5 s a CDN may hold it anyway).
   */
  buildGzip(site: string, region: string | null, nowMs: number): Uint8Array<ArrayBuffer> {
    const second = Math.floor(nowMs / 1000) * 1000;
    const key = cacheKey(site, region);
    // Most reads land in a second already compressed, on an answer still current (the same tests
    // as build()'s): the bytes as they are, without a copy of the answer made to be thrown away.
    const current = this.cache.get(key);
    if (current?.gzip?.second === second && current.version === this.store.version && current.minute === Math.floor(second / MINUTE_MS) * MINUTE_MS) return current.gzip.bytes;
    const response = this.build(site, region, second);
    const entry = this.cache.get(key);
    if (!entry) return gzipBytes(JSON.stringify(response));
    // A new answer (new reports, a new minute) is a new entry: its copy is made afresh.
    if (entry.gzip?.second !== second) entry.gzip = { second, bytes: gzipBytes(this.buildJson(site, region, second)) };
    return entry.gzip.bytes;
  }
}
