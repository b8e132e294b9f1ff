/**
 * One verdict for one cell (site x region x feature) at one minute. Pure: the caller hands in
 * what was counted; this compares it with the expectation and the bars.
 */
import type { State } from '../../shared/protocol.ts';
import { dispersionAt, type Expectation } from './baseline.ts';
import { poissonLlr, scoreOf, strongestEvidenceOf, type Evidence } from './sequential.ts';
import { RANK } from './hysteresis.ts';
import { stateAndHold, type DetectionThresholds } from './thresholds.ts';

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
  /** `expectedOver[k - 1]`: the usual count over the last k steps, when the caller knows it
   *  step by step (a long-step series whose daily rhythm moves within the window); otherwise
   *  the expectation per step times k. */
  expectedOver?: number[];
  /** Minutes one step of the counts covers (1 for the server; a series' step). */
  stepMinutes?: number;
  /** The window once more without its peak minute (the one whose own count stood highest over
   *  what it usually holds): `index` is that minute (0 the newest), `counts[k - 1]` the count over
   *  the last k minutes without it (robust, when `robust` is given). A stretch of two or more
   *  minutes is judged on these, so one heavy-tailed minute cannot carry a longer stretch.
   *  `own[k]`: minute k's own count (0 the newest, robust), which tells whether the minutes next
   *  to the peak rise too. */
  withoutPeak?: { index: number; counts: number[]; own?: number[] };
}

export interface Judgement {
  /** The state these counts call for (a rise to it is an alert). */
  state: State;
  /** The highest state these counts still hold up (lower bars): a state already shown stays
   *  while its hold bars are met, so an outage whose counts wobble around the bar does not flap. */
  hold: State;
  /** The evidence before the dispersion correction, a single minute still divided by its factor (what a block keeps
   *  as its peak). */
  rawLlr: number;
  /** In [0, 1); 0.5 is the evidence threshold. */
  score: number;
  evidence: Evidence;
  expectedPerMinute: number;
  /** What the evidence was divided by (the expectation's dispersion, grown with the level). */
  dispersion: number;
}

/** Usual failing reporters per minute, scaled to how many people are active now when that is known. */
export function expectedPerMinute(exp: Expectation, active: number, t: DetectionThresholds): number {
  const useShare = exp.share !== null && active >= t.minOkSamples;
  return Math.max(t.minExpectedPerMinute, useShare ? (exp.share as number) * active : exp.perMinute);
}

/**
 * The counts the evidence is read from: a stretch of k >= 2 minutes that holds the peak minute is
 * read without it (its count and its expectation both leave), so it passes only if the other
 * minutes still rise; the newest minute alone keeps its own count (and the single-minute factor).
 * An outage keeps failing into its next minute, a heavy-tailed burst does not.
 */
function leavePeakOut(observed: readonly number[], expectedOver: readonly number[], withoutPeak: WindowCounts['withoutPeak'], perMinute: number, fraction: number): { observed: number[]; expectedFor: number[] } {
  if (!withoutPeak) return { observed: [...observed], expectedFor: [...expectedOver] };
  const p = withoutPeak.index;
  const peakExpected = perMinute * (p === 0 ? fraction : 1);
  const held = (k: number) => k >= 2 && p < k;
  return {
    observed: observed.map((x, i) => (held(i + 1) ? Math.min(x, withoutPeak.counts[i] ?? x) : x)),
    expectedFor: expectedOver.map((e, i) => (held(i + 1) ? Math.max(e - peakExpected, perMinute * 0.25) : e)),
  };
}

/**
 * Whether the newest minute's own evidence may count: when a minute next to the window's peak
 * minute rises too (an outage fails into its next minute; a heavy-tailed burst of one minute, a
 * deploy blip, is over), or when the minute stands so far above its usual count
 * (`loneMinuteRatio`) that no burst of a crowd reaches it. Otherwise a minute alone, however
 * strong its evidence, waits for the next one.
 */
function loneMinuteStands(newest: number, newestExpected: number, peakIndex: number, own: readonly number[], perMinute: number, fraction: number, dispersion: number, t: DetectionThresholds): boolean {
  if (newest >= t.loneMinuteRatio * newestExpected) return true;
  return [peakIndex - 1, peakIndex + 1].some((j) => {
    if (j < 0 || j >= own.length) return false;
    const e = perMinute * (j === 0 ? fraction : 1);
    const x = own[j] as number;
    return x >= t.confirmRatio * e && poissonLlr(x, e) / Math.max(1, dispersion) >= t.confirmEvidence;
  });
}

export function judge(c: WindowCounts, exp: Expectation, t: DetectionThresholds): Judgement {
  const expected = expectedPerMinute(exp, c.active, t);
  // The minute still filling up is compared with what that part of a minute usually holds.
  const fraction = Math.min(1, Math.max(0.25, c.newestFraction ?? 1));
  const expectedOver = c.expectedOver ?? c.counted.map((_, i) => expected * (i + fraction));
  // The newest minute alone is the stretch a heavy-tailed burst fools most often: it must be
  // `singleMinuteFactor` times stronger (a step of 2 minutes or more is not a single minute).
  const single = (c.stepMinutes ?? 1) < 2 ? t.singleMinuteFactor : 1;
  const { observed, expectedFor } = leavePeakOut(c.robust ?? c.counted, expectedOver, single > 1 ? c.withoutPeak : undefined, expected, fraction);
  // A cell far above the level its tail was measured at (a trending day) meets its usual
  // multiplicative bursts with evidence grown in proportion: the dispersion grows with it.
  const dispersion = dispersionAt(exp, expected);
  // What the counts show before the lone-minute rule: the block keeps this as its peak, so the
  // tail still learns how bursty the cell's single minutes are.
  const shown = strongestEvidenceOf(observed, expectedFor, dispersion, single);
  let evidence = shown;
  // Only the one-minute stretch is held back, so only evidence that came from it is read again.
  const own = c.withoutPeak?.own;
  if (single > 1 && shown.minutes === 1 && own && !loneMinuteStands(observed[0] ?? 0, expectedFor[0] ?? expected, c.withoutPeak?.index ?? 0, own, expected, fraction, dispersion, t)) {
    evidence = strongestEvidenceOf([0, ...observed.slice(1)], expectedFor, dispersion, single);
  }
  const score = scoreOf(evidence.llr, t.evidenceThreshold);
  const counted = Math.max(0, ...c.counted);
  const activeKnown = c.active >= t.minOkSamples;
  // Share of active people failing in a typical minute of the stretch that gave the evidence.
  const countedOver = c.counted[evidence.minutes - 1] ?? 0;
  const share = activeKnown ? countedOver / (evidence.minutes - 1 + fraction) / c.active : 1;
  const meets = (bar: number, minReporters: number, minNetworks: number, minShare: number, factor: number) =>
    evidence.llr >= bar && counted >= minReporters && c.networks >= minNetworks && evidence.ratio >= factor && share >= minShare;
  // f = 1: the bars to enter a state; f < 1: the lower bars that keep it (evidence, people,
  // networks, share and the rise over the usual level all relaxed by f).
  const { state, hold } = stateAndHold(t, (kind, f, relax) =>
    kind === 'outage'
      ? meets(t.evidenceThreshold * f, Math.ceil(t.outageMinReporters * f), Math.ceil(t.outageMinNetworks * f), t.outageMinShare * f, relax(t.outageBaselineFactor))
      : meets(t.evidenceThreshold * f, Math.ceil(t.degradedMinReporters * f), Math.ceil(t.degradedMinNetworks * f), t.degradedMinShare * f, relax(t.degradedBaselineFactor)),
  );
  // The block's peak is kept in the units the bar reads (a single minute already divided by its
  // factor, longer stretches without their peak minute): the tail dispersion then measures how
  // often the decision would have fired by chance, not how wild single minutes are, which the
  // single-minute factor answers already. A lone minute the rule above held back still counts
  // here (as the bar would read it), so a cell whose minutes burst keeps the wider tail it had:
  // left out, its tail narrowed and five-minute stretches of drift passed more often (tuning
  // seed 1: 2 -> 4 growth alerts).
  const rawLlr = shown.llr * Math.max(1, dispersion);
  return { state, hold: RANK[hold] > RANK[state] ? hold : state, rawLlr, score, evidence, expectedPerMinute: expected, dispersion };
}
