/**
 * Guard for detection: ONE held-out seed of the detection benchmark, in a reduced configuration
 * short enough for CI. Seed 109 is held out: never tune the engine on it (tune on seeds 1-3;
 * docs/detection-benchmarks.md, "Seeds"). A failure here is a finding about the engine, not a
 * reason to change this test's numbers.
 *
 * The status is read every 5 s, as the real server is (its answer is cached for 5 s and judged
 * afresh on the next request); the simulator's default of 20 s reads is cheaper and later.
 *
 * Two checks on the same run, both in CI:
 * - **The targets**: median badge delay 60 s, p95 180 s, at most one false alert, every
 *   target outage on the badge, no attack through except the one named as unstoppable.
 * - **No worse than today**: the figures the engine of this commit gives on this run, which is
 *   deterministic for a given engine, as ceilings. An engine change that makes this seed worse
 *   (a later badge, one more false alert, an attack that gets through) turns CI red; one that
 *   makes it better passes, and its commit should lower the ceilings to the new figures.
 *
 * Reduced configuration (and why it still measures the same things): 2 warm-up days and 2 scored
 * days instead of 3 + 7; the usual 36,000 users (the target class needs regions with 2,000
 * active); target-class outages at 4.7x the usual weekly rate (28 a week, so 8 in 2 days) so a
 * median and a 95th percentile have a sample; every noise class, attack class and the
 * incident scenarios that fit in 2 days. False alerts: the weekly target (<= 1 a week) is allowed
 * as at most 1 in the 2 days (2 days cannot resolve a rate of 1 a week: at exactly 1 a week, 2 or
 * more in 2 days happen 3.5 % of the time; at 7 a week, 59 %). About 250 s on a busy 2-core
 * machine.
 */
import { describe, expect, it } from 'vitest';
import { NOISE_CLASSES } from '../../bench/simulate/noise.ts';
import { DEFAULT_SIM, HELD_OUT_SEEDS, record, score, simulate, TARGETS } from '../../bench/simulate/simulation.ts';

const SEED = 109;
/** Attack classes the engine cannot stop by design (docs/method.md, "Known limits"): scored and
 *  reported, not failed on. */
const UNSTOPPABLE = new Set(['several networks, warmed-up pseudonyms']);

/** How often the status is read, as the real server reads it. */
const TICK_SECONDS = 5;

/** What the engine of this commit gives on this run at 5 s reads (2026-12-08; the all-countries
 *  search no longer echoes France's Hawkes cluster): the ceilings of "no worse". */
const TODAY = { medianBadgeDelaySeconds: 60, p95BadgeDelaySeconds: 110, falseAlerts: 1 } as const;

let scored: ReturnType<typeof score> | null = null;
/** One simulation for both checks (minutes of CPU). */
function run(): ReturnType<typeof score> {
  if (scored) return scored;
  expect(HELD_OUT_SEEDS).toContain(SEED);
  const r = record(simulate({ ...DEFAULT_SIM, seed: SEED, warmupDays: 2, scoredDays: 2, targetOutagesPerWeek: 28, tickSeconds: TICK_SECONDS }));
  const s = score([r]);
  // The run holds what it claims to test.
  for (const c of NOISE_CLASSES) expect(r.noise[c]).toBe(true);
  for (const c of NOISE_CLASSES.filter((c) => c !== 'flapping' && c !== 'clock-skew')) expect(r.noiseEvents[c] ?? 0, c).toBeGreaterThan(0);
  expect(s.target.outages).toBeGreaterThanOrEqual(7);
  expect(Object.keys(s.attackSuccessByClass).length).toBe(7);
  expect(s.scenarios.length).toBeGreaterThanOrEqual(3);
  return (scored = s);
}

function detail(s: ReturnType<typeof score>): string {
  return JSON.stringify({ badgeDelay: s.badgeDelay, serverDelay: [s.medianDelaySeconds, s.p95DelaySeconds], falseAlerts: s.falseAlarms, successfulAttacks: s.successfulAttacks.map((a) => [a.kind, a.moved]) });
}

describe('detection benchmark, held-out seed 109 (reduced, status read every 5 s)', () => {
  it('is no worse than today: every target outage on the badge, delays, false alerts, attacks', { timeout: 1_200_000 }, () => {
    const s = run();
    const found = {
      targetOutagesOnBadge: `${s.badgeDelay.seen} / ${s.badgeDelay.of}`,
      medianBadgeDelayNoWorse: (s.badgeDelay.median ?? Infinity) <= TODAY.medianBadgeDelaySeconds,
      p95BadgeDelayNoWorse: (s.badgeDelay.p95 ?? Infinity) <= TODAY.p95BadgeDelaySeconds,
      falseAlertsNoMore: s.falseAlarms.length <= TODAY.falseAlerts,
      attackSuccesses: s.successfulAttacks.filter((a) => !UNSTOPPABLE.has(a.kind)).length,
    };
    expect(found, detail(s)).toEqual({ targetOutagesOnBadge: `${s.badgeDelay.of} / ${s.badgeDelay.of}`, medianBadgeDelayNoWorse: true, p95BadgeDelayNoWorse: true, falseAlertsNoMore: true, attackSuccesses: 0 });
  });

  it('meets the targets: badge delay of target outages, false alerts', { timeout: 1_200_000 }, () => {
    const s = run();
    const found = {
      medianBadgeDelayOk: (s.badgeDelay.median ?? Infinity) <= TARGETS.medianBadgeDelaySeconds,
      p95BadgeDelayOk: (s.badgeDelay.p95 ?? Infinity) <= TARGETS.p95BadgeDelaySeconds,
      falseAlertsInTwoDaysAtMostOne: s.falseAlarms.length <= 1,
    };
    expect(found, detail(s)).toEqual({ medianBadgeDelayOk: true, p95BadgeDelayOk: true, falseAlertsInTwoDaysAtMostOne: true });
  });
});
