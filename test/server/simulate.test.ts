import { describe, expect, it } from 'vitest';
import { makeRng, overdispersed, poisson, quantileOf, unitHash } from '../../bench/simulate/random.ts';
import { activeAt, DEFAULT_SIM, schedule, simulate, summarise } from '../../bench/simulate/simulation.ts';
import { activity, activeWindow, ensureDay, makePopulation, REGIONS } from '../../bench/simulate/world.ts';

function meanVar(xs: number[]): [number, number] {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return [m, xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length];
}

describe('simulator randomness', () => {
  it('repeats itself for a seed and differs between seeds', () => {
    const a = makeRng(1);
    const b = makeRng(1);
    const c = makeRng(2);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c())).not.toEqual(xs);
    expect(unitHash(3, 4)).toBe(unitHash(3, 4));
  });

  it('draws Poisson counts with variance near the mean, and over-dispersed ones well above it', () => {
    const rng = makeRng(9);
    const [pm, pv] = meanVar(Array.from({ length: 20_000 }, () => poisson(rng, 20)));
    expect(pm).toBeGreaterThan(19.5);
    expect(pm).toBeLessThan(20.5);
    expect(pv / pm).toBeGreaterThan(0.9);
    expect(pv / pm).toBeLessThan(1.1);
    const [om, ov] = meanVar(Array.from({ length: 20_000 }, () => overdispersed(rng, 20, 6)));
    expect(om).toBeGreaterThan(19);
    expect(om).toBeLessThan(21);
    // Variance mean + mean^2 / shape = 20 + 66.7: about 4.3 times the mean.
    expect(ov / om).toBeGreaterThan(3.5);
    expect(ov / om).toBeLessThan(5.2);
    expect(quantileOf([3, 1, 2], 0.5)).toBe(2);
  });
});

describe('simulated crowd', () => {
  it('has the issue shares and a daily rhythm in local time', () => {
    expect(REGIONS.find((r) => r.code === 'US')?.share).toBe(0.45);
    expect(REGIONS.find((r) => r.code === 'FR')?.share).toBe(0.15);
    expect(REGIONS.reduce((a, r) => a + r.share, 0)).toBeCloseTo(1);
    const fr = REGIONS.find((r) => r.code === 'FR')!;
    // 20:00 in Paris is busier than 04:00 in Paris; the weekend a little busier than a weekday.
    const tue = Date.UTC(2026, 0, 6);
    expect(activity(tue + 19 * 3600_000, fr)).toBeGreaterThan(4 * activity(tue + 3 * 3600_000, fr));
    expect(activity(Date.UTC(2026, 0, 10, 19), fr)).toBeGreaterThan(activity(tue + 19 * 3600_000, fr));
  });

  it('rotates pseudonyms and network names every day, and churns who is active', () => {
    const [us] = makePopulation(10_000, 0.45);
    ensureDay(us!, 0);
    const day0 = us!.pseudonyms.slice(0, 3);
    ensureDay(us!, 1);
    expect(us!.pseudonyms.slice(0, 3)).not.toEqual(day0);
    expect(new Set(us!.networks).size).toBeGreaterThan(us!.users / 3);
    const a = activeWindow(us!, 600, 1);
    const b = activeWindow(us!, 660, 1);
    expect(a.count).toBe(Math.round(us!.users * 0.45));
    expect(b.start).not.toBe(a.start);
  });
});

describe('simulated events', () => {
  const start = Date.UTC(2026, 0, 5);
  const scoredFrom = start + DEFAULT_SIM.warmupDays * 86_400_000;

  it('schedules target-class outages of every scope in each scored week, clear of every other event', () => {
    for (const seed of [1, 2, 20261122]) {
      const { outages, attacks, harmless } = schedule({ ...DEFAULT_SIM, seed }, start, makeRng(seed));
      const targets = outages.filter((x) => x.origin === 'target');
      expect(targets.length).toBe(2 * DEFAULT_SIM.targetOutagesPerWeek);
      for (const t of targets) {
        expect(t.start).toBeGreaterThanOrEqual(scoredFrom);
        expect(t.affectedShare).toBeGreaterThanOrEqual(0.05);
        expect(t.regions.some((r) => activeAt(r, t.start, DEFAULT_SIM) >= 2000)).toBe(true);
        const others = [...outages.filter((x) => x !== t), ...attacks.filter((a) => a.kind !== 'slow baseline poisoning'), ...harmless];
        for (const e of others) expect(t.start >= e.end + 20 * 60_000 || t.end + 20 * 60_000 <= e.start).toBe(true);
      }
      const scopes = new Set(targets.map((t) => `${t.regions.length === 1 ? 'one' : t.regions.length === REGIONS.length ? 'all' : 'several'}/${t.feature === null ? 'all' : 'one'}`));
      expect(scopes.size).toBe(6);
      // The random mix is drawn first and is untouched by the scheduled targets.
      const without = schedule({ ...DEFAULT_SIM, seed, targetOutagesPerWeek: 0 }, start, makeRng(seed));
      expect(without.outages).toEqual(outages.filter((x) => x.origin === 'random'));
    }
  });

  it('includes an attacker with 5 or more networks, a few fresh pseudonyms on each', () => {
    const { attacks } = schedule(DEFAULT_SIM, start, makeRng(3));
    const several = attacks.filter((a) => a.kind === 'several networks, few people each');
    expect(several).toHaveLength(3 * DEFAULT_SIM.weeks);
    for (const a of several) {
      expect(a.networks).toBeGreaterThanOrEqual(5);
      expect(a.perNetwork).toBeLessThanOrEqual(5);
    }
  });
});

describe('prepared attackers', () => {
  it('schedules a warmed-up several-network attacker each week, clear of every other event', () => {
    for (const seed of [1, 2, 20261122]) {
      const { outages, attacks } = schedule({ ...DEFAULT_SIM, seed }, Date.UTC(2026, 0, 5), makeRng(seed));
      const prepared = attacks.filter((a) => a.kind === 'several networks, warmed-up pseudonyms');
      expect(prepared).toHaveLength(3 * DEFAULT_SIM.weeks);
      for (const a of prepared) {
        expect(a.networks).toBeGreaterThanOrEqual(5);
        const others = [...outages, ...attacks.filter((x) => x !== a && x.kind !== 'slow baseline poisoning')];
        // Its half-hour warm-up included.
        for (const e of others) expect(a.start - 30 * 60_000 >= e.end + 20 * 60_000 || a.end + 20 * 60_000 <= e.start).toBe(true);
      }
    }
  });
});

describe('simulation run', { timeout: 120_000 }, () => {
  it('is the same run for the same seed, and scores what it scheduled', () => {
    const options = { ...DEFAULT_SIM, totalUsers: 3000, warmupDays: 0, weeks: 1, limitMinutes: 360 };
    const a = summarise(simulate(options));
    const b = summarise(simulate(options));
    const { runSeconds: _a, ...ra } = a;
    const { runSeconds: _b, ...rb } = b;
    expect(ra).toEqual(rb);
    expect(a.reports).toBeGreaterThan(10_000);
    expect(a.overall.outages).toBeGreaterThanOrEqual(1);
    expect(a.attackSuccessRate).toBeGreaterThanOrEqual(0);
    expect(a.attackSuccessRate).toBeLessThanOrEqual(1);
  });
});
