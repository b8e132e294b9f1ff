/**
 * The sequential test: is the recent failure count more than chance around the expected level?
 * A windowed generalised likelihood-ratio test for a Poisson rate increase (Lai 1995), corrected
 * for over-dispersion (quasi-Poisson): for each stretch of the last k minutes (k = 1..window) it
 * compares "rate as usual" with "rate as observed" and keeps the strongest evidence. A short sharp
 * rise wins at k = 1; a slow, modest one builds up over longer k. Pure arithmetic.
 */

/** Log-likelihood ratio (nats) of Poisson(observed) against Poisson(expected); 0 when not above. */
export function poissonLlr(observed: number, expected: number): number {
  if (!(expected > 0)) throw new RangeError(`expected must be positive, got ${expected}`);
  if (observed <= expected) return 0;
  return observed * Math.log(observed / expected) - (observed - expected);
}

export interface Evidence {
  /** Strongest over-dispersion corrected log-likelihood ratio over the stretches tried. */
  llr: number;
  /** Length (minutes) of the stretch that gave it. */
  minutes: number;
  /** Observed / expected over that stretch. */
  ratio: number;
  /** Observed over that stretch. */
  observed: number;
}

/**
 * `observed[k - 1]` is the count over the last k minutes; `expectedPerMinute` the usual count in
 * one minute; `dispersion` the variance / mean of the counts (1 for Poisson).
 */
export function strongestEvidence(observed: readonly number[], expectedPerMinute: number, dispersion: number): Evidence {
  return strongestEvidenceOf(
    observed,
    observed.map((_, i) => expectedPerMinute * (i + 1)),
    dispersion,
  );
}

/** The same with `expected[k - 1]`, the expected count over the last k minutes, given in full
 *  (when the usual level changes within the stretch, as over hours of a daily rhythm); the
 *  shortest stretch's evidence is divided by `firstStretchFactor` (a single minute alone must be
 *  that much stronger: see DetectionThresholds.singleMinuteFactor). */
export function strongestEvidenceOf(observed: readonly number[], expectedOver: readonly number[], dispersion: number, firstStretchFactor = 1): Evidence {
  let best: Evidence = { llr: 0, minutes: 1, ratio: (observed[0] ?? 0) / (expectedOver[0] ?? 1), observed: observed[0] ?? 0 };
  observed.forEach((x, i) => {
    const expected = expectedOver[i] as number;
    const llr = poissonLlr(x, expected) / Math.max(1, dispersion) / (i === 0 ? Math.max(1, firstStretchFactor) : 1);
    if (llr > best.llr) best = { llr, minutes: i + 1, ratio: x / expected, observed: x };
  });
  return best;
}

/** Evidence mapped onto [0, 1): 0.5 exactly at the threshold, rising toward 1 as it grows. */
export function scoreOf(llr: number, threshold: number): number {
  if (!(threshold > 0)) throw new RangeError('threshold must be positive');
  return llr <= 0 ? 0 : llr / (llr + threshold);
}
