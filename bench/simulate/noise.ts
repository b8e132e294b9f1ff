/**
 * Noise generators for the detection benchmark that do NOT share the engine's own model (the
 * engine's baseline assumes gamma-Poisson counts around a seasonal level, so noise drawn from that
 * family would only test the engine against itself). Each generator is a small pure function of a
 * seeded draw (`rng`) or of a stable per-user hash, tested in test/server/simulate-noise.test.ts
 * for the property it claims (clustering, a heavy tail, a level that moves and comes back).
 */
import { unitHash } from './random.ts';

/** Every switchable noise class of the simulated crowd, as labelled in the results. */
export const NOISE_CLASSES = [
  'hawkes',
  'heavy-tail',
  'growth',
  'holiday',
  'trending',
  'deploy-blip',
  'flapping',
  'clock-skew',
  'office-network',
  'rate-blip',
] as const;
export type NoiseClass = (typeof NOISE_CLASSES)[number];

/** Classes that change single reports everywhere all the time (no event to attribute an alert
 *  to): their effect is measured by switching them off (`--noise -flapping`). */
export const ALWAYS_ON_CLASSES: readonly NoiseClass[] = ['flapping', 'clock-skew'];

/** Exponential draw with the given mean. */
export function exponential(rng: () => number, mean: number): number {
  return -Math.log(1 - rng()) * mean;
}

/** Poisson draw for the small means used here (inversion by multiplication). */
function smallPoisson(rng: () => number, mean: number): number {
  const l = Math.exp(-mean);
  let k = 0;
  for (let p = rng(); p > l; p *= rng()) k++;
  return k;
}

/**
 * One cluster of a self-exciting (Hawkes) process, by its branching form: the first failure at
 * offset 0, and every failure brings Poisson(`branching`) more, each after an exponential delay of
 * mean `decayMinutes`. With branching n < 1 the cluster is finite, of mean size 1 / (1 - n) and a
 * heavy size distribution (Borel: variance n / (1 - n)^3), bunched in time: "a failure raises the
 * chance of more for a while". Returns the offsets in minutes, sorted, at most `maxEvents`.
 */
export function hawkesCluster(rng: () => number, branching: number, decayMinutes: number, maxEvents = 500): number[] {
  const events = [0];
  for (let i = 0; i < events.length && events.length < maxEvents; i++) {
    const parent = events[i] as number;
    for (let c = smallPoisson(rng, branching); c > 0 && events.length < maxEvents; c--) events.push(parent + exponential(rng, decayMinutes));
  }
  return events.sort((a, b) => a - b);
}

/** Log-normal multiplier of mean 1: exp(sigma Z - sigma^2 / 2). Median exp(-sigma^2 / 2). */
export function logNormalMultiplier(rng: () => number, sigma: number): number {
  const u = Math.max(rng(), 1e-12);
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
  return Math.exp(sigma * z - (sigma * sigma) / 2);
}

/** Pareto multiplier of mean 1 (alpha > 1): P(X > x) = (xm / x)^alpha for x >= xm, xm = (alpha - 1) / alpha.
 *  A power-law tail, far heavier than a gamma's exponential one. */
export function paretoMultiplier(rng: () => number, alpha: number): number {
  const xm = (alpha - 1) / alpha;
  return xm / (1 - rng()) ** (1 / alpha);
}

/** One step of a mean-reverting random walk on the log of a level (AR(1), no clamp): stationary
 *  standard deviation of log(level) is sigma / sqrt(1 - phi^2). */
export function logAr1Step(rng: () => number, level: number, phi: number, sigma: number): number {
  const u = Math.max(rng(), 1e-12);
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
  return Math.exp(phi * Math.log(level) + sigma * z);
}

export interface LevelShift {
  start: number;
  /** Time to move from 1 to `factor` (geometrically). */
  rampMs: number;
  /** Time held at `factor` after the ramp; Infinity: it stays (the installed base grew). */
  holdMs: number;
  factor: number;
}

/** The multiplier a level shift applies at time t: 1 before, `factor` on the plateau, back to 1
 *  over another ramp after the hold (unless the hold is Infinity). */
export function levelFactor(t: number, s: LevelShift): number {
  const e = t - s.start;
  if (e <= 0) return 1;
  const up = s.rampMs > 0 ? Math.min(1, e / s.rampMs) : 1;
  if (e <= s.rampMs + s.holdMs) return s.factor ** up;
  const down = s.rampMs > 0 ? Math.min(1, (e - s.rampMs - s.holdMs) / s.rampMs) : 1;
  return s.factor ** (1 - down);
}

/** When a level shift has gone back to 1 (Infinity if it never does). */
export function levelShiftEnd(s: LevelShift): number {
  return s.start + 2 * s.rampMs + s.holdMs;
}

/**
 * Share of a feature's users who get a 5xx in a deploy blip at time t: `share` over
 * [start, start + minutes), 0 otherwise. X's own short blips: real but tiny.
 */
export function deployBlipShare(t: number, blip: { start: number; minutes: number; share: number }): number {
  return t >= blip.start && t < blip.start + blip.minutes * 60_000 ? blip.share : 0;
}

/**
 * How many copies of each failure report a user sends: 1, or 2..maxTabs for the `share` of users
 * with X open in many tabs (a stable trait of the user, from a hash: the same pseudonym each copy).
 */
export function tabCopies(user: number, salt: number, share: number, maxTabs: number): number {
  if (unitHash(user, salt) >= share) return 1;
  return 2 + Math.floor(unitHash(user, salt + 1) * (maxTabs - 1));
}

/**
 * A user's clock error in ms: 0 for most, +-1..maxMinutes minutes (whole and fractional) for the
 * `share` of users whose clock is off. Stable per user.
 */
export function clockSkewMs(user: number, salt: number, share: number, maxMinutes: number): number {
  if (unitHash(user, salt) >= share) return 0;
  const size = 1 + unitHash(user, salt + 1) * (maxMinutes - 1);
  return Math.round((unitHash(user, salt + 2) < 0.5 ? -size : size) * 60_000);
}
