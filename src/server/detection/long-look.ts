/**
 * The long look: the same Poisson likelihood-ratio test over stretches of hours, beside the
 * short test's stretches of minutes. A rise of 3-10x that lasts hours in a quiet series (a storm's
 * delays, a failure that keeps a small crowd failing all evening) never gathers in 25 minutes the
 * evidence the short test needs once the tail of a bursty series has widened its bar; over three
 * hours it does. Its evidence is divided by a tail of its own (`longTailAt`, weeks of the same
 * stretches' peaks), so a series whose level wanders from day to day is held to that wander.
 * Pure arithmetic on running sums.
 */
import type { State } from '../../shared/protocol.ts';
import { poissonLlr } from './sequential.ts';
import { stateAndHold, type DetectionThresholds } from './thresholds.ts';

/** Stretches looked at, in minutes: an hour and three. */
export const LONG_LOOK_MINUTES: readonly number[] = [60, 180];

export interface LongLook {
  state: State;
  /** The highest state the lower bars still hold. Only for a state the long look itself called:
   *  a stretch of hours still holds a 20-minute burst's last quarter-hour after the short test
   *  has let it go, and would keep that burst's state for an hour more. */
  hold: State;
  /** Strongest evidence at dispersion 1 over the stretches (what a block keeps as its long peak). */
  rawLlr: number;
  /** The same divided by the long tail (0 while that tail is not known). */
  llr: number;
  /** Observed over expected on the stretch that gave `llr`. */
  ratio: number;
  /** Steps of that stretch. */
  steps: number;
}

/** The stretches, in steps of `stepMs`, that are longer than the short test's `window` steps. */
export function longLookSteps(stepMs: number, window: number): number[] {
  return LONG_LOOK_MINUTES.map((m) => Math.round((m * 60_000) / stepMs)).filter((n) => n > window);
}

/** Share of a stretch's steps, those most above their usual count, left out of it: a rise must
 *  hold over the rest, so a short burst (which the short test judges already) is not counted
 *  again for hours after it ended. */
export const LONG_LOOK_TRIM = 0.25;

/** Hours at one and a half times the usual level are an ordinary busy day in most series (news,
 *  a holiday, growth); over hours the long look calls degraded only from twice the usual. */
export const LONG_LOOK_DEGRADED_FACTOR = 2;

/**
 * The count and the usual count over the n steps that end before `end`, with the `LONG_LOOK_TRIM`
 * share of them that stood highest over their usual count left out.
 */
export function trimmedStretch(observed: readonly number[], expected: readonly number[], end: number, n: number): { x: number; e: number } {
  const excess: { x: number; e: number; d: number }[] = [];
  for (let k = end - n; k < end; k++) {
    const x = observed[k] as number;
    const e = expected[k] as number;
    excess.push({ x, e, d: x - e });
  }
  excess.sort((a, b) => a.d - b.d);
  const keep = excess.length - Math.floor(excess.length * LONG_LOOK_TRIM);
  let x = 0;
  let e = 0;
  for (let k = 0; k < keep; k++) {
    x += (excess[k] as { x: number }).x;
    e += (excess[k] as { e: number }).e;
  }
  return { x, e };
}

/**
 * `observed` / `expected`: every step's count and usual count; the stretches end before `end`
 * (now) and reach back at most `available` steps; `tail`: the long tail width, or null while
 * unknown (then nothing is called, but the raw evidence is still returned for the history).
 */
export function longLook(steps: readonly number[], observed: readonly number[], expected: readonly number[], end: number, available: number, tail: number | null, t: DetectionThresholds): LongLook {
  let rawLlr = 0;
  let best = { llr: 0, ratio: 0, steps: 0 };
  for (const n of steps) {
    if (n > available) continue;
    const { x, e } = trimmedStretch(observed, expected, end, n);
    if (!(e > 0)) continue;
    const raw = poissonLlr(x, e);
    rawLlr = Math.max(rawLlr, raw);
    const llr = tail === null ? 0 : raw / Math.max(1, tail);
    if (llr > best.llr) best = { llr, ratio: x / e, steps: n };
  }
  // Evidence at the bar (relaxed by f for the hold bars), then the rise decides which state:
  // the outage factor, or LONG_LOOK_DEGRADED_FACTOR for degraded.
  const { state, hold } = stateAndHold(t, (kind, f, relax) => best.llr >= t.evidenceThreshold * f && best.ratio >= relax(kind === 'outage' ? t.outageBaselineFactor : LONG_LOOK_DEGRADED_FACTOR));
  return { state, hold, rawLlr, llr: best.llr, ratio: best.ratio, steps: best.steps };
}
