import type { State } from '../../shared/protocol.ts';
/** The numbers the detector judges by. docs/method.md explains each one in plain words. */
export interface DetectionThresholds {
  /** Longest stretch of recent minutes the sequential test looks back over (it tries 1..this). */
  windowMinutes: number;
  /** At most this many reporters from one network count toward a verdict. */
  networkCap: number;
  outageMinReporters: number;
  outageMinNetworks: number;
  /** Outage: share of active people failing (when activity is known). */
  outageMinShare: number;
  /** Outage: failing reporters must be at least this multiple of the expected level. */
  outageBaselineFactor: number;
  degradedMinReporters: number;
  degradedMinNetworks: number;
  degradedMinShare: number;
  degradedBaselineFactor: number;
  /** Fewer active people than this (distinct ok + failing in the last 10 minutes): the failing
   *  share is not trusted and the usual count is used instead. */
  minOkSamples: number;
  /** A cell leaves outage (or degraded) only after this many minutes below that state's hold bars. */
  quietMinutes: number;
  /** The hold bars are the entry bars relaxed by this fraction (evidence, people, networks and
   *  share times it; the rise over the usual level 1 + (factor - 1) times it); 1: no hold bars. */
  holdFraction: number;
  /** Evidence (log-likelihood ratio, in nats, over-dispersion corrected) needed to call trouble. */
  evidenceThreshold: number;
  /** Evidence from the newest minute alone is divided by this: a one-minute burst of a
   *  heavy-tailed crowd looks like the first minute of an outage, a second minute tells them
   *  apart (a large outage still passes in its first minute). */
  singleMinuteFactor: number;
  /** The newest minute alone calls trouble only when a minute next to the window's peak minute
   *  rises too (its own count at least `confirmRatio` times its usual and `confirmEvidence` nats
   *  over it, the spread corrected), or when it stands this many times above its usual count:
   *  a burst of one minute is not an outage, an outage fails into the next minute as well.
   *  A huge value (1e9): never alone. */
  loneMinuteRatio: number;
  confirmRatio: number;
  confirmEvidence: number;
  /** The expected failing reporters per minute never go below this (a quiet cell is not "0"). */
  minExpectedPerMinute: number;
  /** The evidence is counted without this many of the networks that gave the most reporters. */
  leaveOutNetworks: number;
  /** A reporter the server first heard from less than this many minutes before the judged minute
   *  is a newcomer (pseudonyms are new every UTC day, so this is "new today"). */
  newcomerMinutes: number;
  /** Newcomers count at most this many per known failing reporter: a burst of fresh pseudonyms
   *  adds nothing on its own, real outages keep their usual trickle of new arrivals. */
  newcomerAllowance: number;
  /** Reporters remembered for the newcomer rule (size it above the daily reporters); those not
   *  remembered stay newcomers. */
  maxTrackedReporters: number;
  /** New reporters one network may add to that memory per UTC day, so no network can fill it. */
  maxNewReportersPerNetwork: number;
}

export const DEFAULT_THRESHOLDS: DetectionThresholds = {
  windowMinutes: 5,
  networkCap: 5,
  outageMinReporters: 20,
  outageMinNetworks: 5,
  outageMinShare: 0.1,
  outageBaselineFactor: 4,
  degradedMinReporters: 8,
  degradedMinNetworks: 3,
  degradedMinShare: 0.01,
  degradedBaselineFactor: 1.5,
  minOkSamples: 100,
  quietMinutes: 5,
  holdFraction: 0.5,
  evidenceThreshold: 18,
  singleMinuteFactor: 2.5,
  loneMinuteRatio: 40,
  confirmRatio: 2,
  confirmEvidence: 2,
  minExpectedPerMinute: 0.5,
  leaveOutNetworks: 1,
  newcomerMinutes: 10,
  newcomerAllowance: 0.25,
  maxTrackedReporters: 4_000_000,
  maxNewReportersPerNetwork: 1000,
};

/**
 * The state a test calls, and the highest one its lower (hold) bars still keep. `meets(kind,
 * f, relax)` says whether the evidence clears the bars of that state at fraction f of their
 * height: f = 1 the bars to enter it, f = `holdFraction` the bars that keep it; `relax` lowers a
 * rise factor the same way (1 + (factor - 1) x f). Outage is tried before degraded.
 */
export function stateAndHold(t: DetectionThresholds, meets: (kind: 'outage' | 'degraded', f: number, relax: (factor: number) => number) => boolean): { state: State; hold: State } {
  const level = (f: number): State => {
    const relax = (factor: number) => 1 + (factor - 1) * f;
    if (meets('outage', f, relax)) return 'outage';
    if (meets('degraded', f, relax)) return 'degraded';
    return 'operational';
  };
  const state = level(1);
  return { state, hold: t.holdFraction >= 1 ? state : level(t.holdFraction) };
}
