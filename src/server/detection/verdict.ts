/**
 * One verdict for one cell (site x region x feature) at one minute. Pure: the caller hands in
 * what was counted; this compares it with the expectation and the bars.
 */
import type { State } from '../../shared/protocol.ts';
import type { Expectation } from './baseline.ts';
import { scoreOf, strongestEvidenceOf, type Evidence } from './sequential.ts';
import type { DetectionThresholds } from './thresholds.ts';

/** What the counting found for the minutes ending with the one judged. */
export interface WindowCounts {
  /** `counted[k - 1]`: distinct failing reporters over the last k minutes, after the network cap. */
  counted: number[];
  /** The same without the `leaveOutNetworks` networks that gave the most: the evidence is read
   *  from these, so no single network (an attacker's, a broken office) can make the call. */
  robust?: number[];
  /** Distinct networks among the failing reporters of the whole window. */
  networks: number;
  /** How much of the newest minute has passed (0..1]; it is still filling up while it is now. */
  newestFraction?: number;
  /** Distinct people active (ok or failing) over the last 10 minutes. */
  active: number;
}

export interface Judgement {
  state: State;
  /** In [0, 1); 0.5 is the evidence threshold. */
  score: number;
  evidence: Evidence;
  expectedPerMinute: number;
}

/** Usual failing reporters per minute, scaled to how many people are active now when that is known. */
export function expectedPerMinute(exp: Expectation, active: number, t: DetectionThresholds): number {
  const useShare = exp.share !== null && active >= t.minOkSamples;
  return Math.max(t.minExpectedPerMinute, useShare ? (exp.share as number) * active : exp.perMinute);
}

export function judge(c: WindowCounts, exp: Expectation, t: DetectionThresholds): Judgement {
  const expected = expectedPerMinute(exp, c.active, t);
  // The minute still filling up is compared with what that part of a minute usually holds.
  const fraction = Math.min(1, Math.max(0.25, c.newestFraction ?? 1));
  const expectedOver = c.counted.map((_, i) => expected * (i + fraction));
  const evidence = strongestEvidenceOf(c.robust ?? c.counted, expectedOver, exp.dispersion);
  const score = scoreOf(evidence.llr, t.evidenceThreshold);
  const counted = Math.max(0, ...c.counted);
  const activeKnown = c.active >= t.minOkSamples;
  // Share of active people failing in a typical minute of the stretch that gave the evidence.
  const countedOver = c.counted[evidence.minutes - 1] ?? 0;
  const share = activeKnown ? countedOver / (evidence.minutes - 1 + fraction) / c.active : 1;
  const meets = (minReporters: number, minNetworks: number, minShare: number, factor: number) =>
    evidence.llr >= t.evidenceThreshold && counted >= minReporters && c.networks >= minNetworks && evidence.ratio >= factor && share >= minShare;
  let state: State = 'operational';
  if (meets(t.outageMinReporters, t.outageMinNetworks, t.outageMinShare, t.outageBaselineFactor)) state = 'outage';
  else if (meets(t.degradedMinReporters, t.degradedMinNetworks, t.degradedMinShare, t.degradedBaselineFactor)) state = 'degraded';
  return { state, score, evidence, expectedPerMinute: expected };
}
