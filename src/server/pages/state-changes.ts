/**
 * Verdict changes over the last 24 hours, for the Atom feed. The server stores no history of
 * verdicts; it keeps per-minute aggregates for a day, from which the status is computed by
 * replaying the hysteresis minute by minute. Replaying the same minutes with the same stepper,
 * and noting each minute where the shown state changed, yields the changes the status went
 * through, and the last one agrees with what /v1/status says now. A change older than the
 * aggregates (or from before the server's start) is not known and not invented.
 */
import { FEATURES, type Feature, type State } from '../../shared/protocol.ts';
import { ALL, type Cell, type MinuteStore } from '../aggregation/minute-store.ts';
import { DAY_MS, MINUTE_MS } from '../detection/baseline.ts';
import { HysteresisStepper, RANK } from '../detection/hysteresis.ts';

export interface StateChange {
  /** null: every country. */
  region: string | null;
  /** null: every feature. */
  feature: Feature | null;
  from: State;
  to: State;
  /** The minute the change took effect. */
  at: number;
}

/** The window /v1/status counts distinct reporters over. */
const RECENT_MINUTES = 15;

/**
 * The shown state's changes in one cell. Privacy: a rise is published only if some minute of
 * the 15 before it had at least k distinct failing reporters (each minute's distinct count is a
 * lower bound of the window's), so no change reveals fewer than k people; a rise that is not
 * published leaves the published state where it was, and its fall is then not published either.
 */
export function cellChanges(store: MinuteStore, cell: Cell, nowMs: number, privacyK: number): { at: number; from: State; to: State }[] {
  const nowMinute = Math.floor(nowMs / MINUTE_MS) * MINUTE_MS;
  const first = Math.max(Math.ceil(store.knownSince / MINUTE_MS) * MINUTE_MS, nowMinute - DAY_MS);
  const stepper = new HysteresisStepper(store.thresholds.quietMinutes);
  const out: { at: number; from: State; to: State }[] = [];
  let computed: State = 'operational';
  let shown: State = 'operational';
  for (let m = first; m <= nowMinute; m += MINUTE_MS) {
    const v = store.minuteVerdict(cell, m, nowMinute, nowMs);
    const state = stepper.step(v.state, m, v.hold).state;
    if (state === computed) continue;
    computed = state;
    if (state === shown) continue;
    // Any move above the published state is a rise as readers see it, so it needs k people too.
    if (RANK[state] > RANK[shown] && !enoughPeople(cell, m, privacyK)) continue;
    out.push({ at: m, from: shown, to: state });
    shown = state;
  }
  return out;
}

function enoughPeople(cell: Cell, minute: number, k: number): boolean {
  for (let m = minute - (RECENT_MINUTES - 1) * MINUTE_MS; m <= minute; m += MINUTE_MS) {
    if ((cell.countAt(m)?.failingReporters ?? 0) >= k) return true;
  }
  return false;
}

/** Changes of the whole site, of each country and of each feature worldwide, newest first. */
export function stateChanges(store: MinuteStore, site: string, nowMs: number, privacyK: number): StateChange[] {
  const cells: { region: string | null; feature: Feature | null; cell: Cell | undefined }[] = [
    { region: null, feature: null, cell: store.cell(site, ALL, ALL) },
    ...store.regions(site).map((region) => ({ region, feature: null, cell: store.cell(site, region, ALL) })),
    ...FEATURES.map((feature) => ({ region: null, feature, cell: store.cell(site, ALL, feature) })),
  ];
  const changes: StateChange[] = [];
  for (const { region, feature, cell } of cells) {
    if (!cell) continue;
    for (const c of cellChanges(store, cell, nowMs, privacyK)) changes.push({ region, feature, ...c });
  }
  return changes.sort((a, b) => b.at - a.at);
}
