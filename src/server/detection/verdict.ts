/**
 * One verdict for one cell (site x region x feature) over one sliding window. Pure: the caller
 * hands in the per-minute reporter maps, this only counts and compares.
 */
import type { State } from '../../shared/protocol.ts';
import type { DetectionThresholds } from './thresholds.ts';

/** What one minute of one cell holds: reporter pseudonym -> hash of the network it came from. */
export interface MinuteReporters {
  failing: ReadonlyMap<string, string>;
  ok: ReadonlyMap<string, string>;
}

export interface WindowStats {
  /** Distinct reporters with a failure, before any cap. */
  failingReporters: number;
  /** Distinct failing reporters after the per-network cap: what the bars are compared with. */
  countedReporters: number;
  /** Distinct networks among the failing reporters. */
  networks: number;
  /** Distinct reporters with only ok samples in the window, capped per network the same way. */
  okReporters: number;
}

function capByNetwork(reporters: ReadonlyMap<string, string>, cap: number): { counted: number; networks: number } {
  const perNetwork = new Map<string, number>();
  for (const network of reporters.values()) perNetwork.set(network, (perNetwork.get(network) ?? 0) + 1);
  let counted = 0;
  for (const n of perNetwork.values()) counted += Math.min(n, cap);
  return { counted, networks: perNetwork.size };
}

export function windowStats(minutes: Iterable<MinuteReporters>, networkCap: number): WindowStats {
  const failing = new Map<string, string>();
  const ok = new Map<string, string>();
  for (const m of minutes) {
    // The first network a reporter was seen from is the one it counts for.
    for (const [reporter, network] of m.failing) if (!failing.has(reporter)) failing.set(reporter, network);
    for (const [reporter, network] of m.ok) if (!ok.has(reporter)) ok.set(reporter, network);
  }
  // Someone who saw both failures and successes in the window is a failing reporter, not an ok one.
  for (const reporter of failing.keys()) ok.delete(reporter);
  const f = capByNetwork(failing, networkCap);
  const o = capByNetwork(ok, networkCap);
  return { failingReporters: failing.size, countedReporters: f.counted, networks: f.networks, okReporters: o.counted };
}

/**
 * `usualPerWindow` is how many failing reporters a window of this cell normally holds (from the
 * baseline); it only matters when ok samples are too scarce to compute a failing share.
 */
export function judge(stats: WindowStats, usualPerWindow: number, t: DetectionThresholds): State {
  const counted = stats.countedReporters;
  const active = counted + stats.okReporters;
  const okScarce = stats.okReporters < t.minOkSamples;
  const share = active === 0 ? 0 : counted / active;
  const meets = (minReporters: number, minNetworks: number, minShare: number, factor: number) =>
    counted >= minReporters && stats.networks >= minNetworks && (okScarce ? counted >= factor * usualPerWindow : share >= minShare);
  if (meets(t.outageMinReporters, t.outageMinNetworks, t.outageMinShare, t.outageBaselineFactor)) return 'outage';
  if (meets(t.degradedMinReporters, t.degradedMinNetworks, t.degradedMinShare, t.degradedBaselineFactor)) return 'degraded';
  return 'operational';
}
