import { describe, expect, it } from 'vitest';
import { makeRng, overdispersed, poisson, quantileOf, unitHash } from '../../bench/simulate/random.ts';
import { activeAt, covers, DEFAULT_SIM, ownCells, record, schedule, score, simulate, summarise, type RunRecord } from '../../bench/simulate/simulation.ts';
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
      const { outages, attacks, noise } = schedule({ ...DEFAULT_SIM, seed }, start, makeRng(seed));
      const harmless = noise.filter((e) => e.cls === 'hawkes' || e.cls === 'deploy-blip' || e.cls === 'office-network' || e.cls === 'rate-blip');
      const targets = outages.filter((x) => x.origin === 'target');
      expect(targets.length).toBe((DEFAULT_SIM.scoredDays / 7) * DEFAULT_SIM.targetOutagesPerWeek);
      for (const t of targets) {
        expect(t.start).toBeGreaterThanOrEqual(scoredFrom);
        expect(t.affectedShare).toBeGreaterThanOrEqual(0.05);
        expect(t.regions.some((r) => activeAt(r, t.start, DEFAULT_SIM) >= 2000)).toBe(true);
        const others = [...outages.filter((x) => x !== t), ...attacks.filter((a) => a.kind !== 'slow baseline poisoning'), ...harmless];
        for (const e of others) expect(t.start >= e.end + 30 * 60_000 || t.end + 30 * 60_000 <= e.start).toBe(true);
      }
      const scopes = new Set(targets.map((t) => `${t.regions.length === 1 ? 'one' : t.regions.length === REGIONS.length ? 'all' : 'several'}/${t.feature === null ? 'all' : 'one'}`));
      expect(scopes.size).toBe(6);
      // The random mix is drawn first and is untouched by the scheduled targets and scenarios.
      const without = schedule({ ...DEFAULT_SIM, seed, targetOutagesPerWeek: 0, scenarios: false }, start, makeRng(seed));
      expect(without.outages.map((x) => [x.start, x.end, x.regions, x.feature])).toEqual(outages.filter((x) => x.origin === 'random').map((x) => [x.start, x.end, x.regions, x.feature]));
    }
  });

  it('includes an attacker with 5 or more networks, a few fresh pseudonyms on each', () => {
    const { attacks } = schedule(DEFAULT_SIM, start, makeRng(3));
    const several = attacks.filter((a) => a.kind === 'several networks, few people each');
    expect(several).toHaveLength((3 * DEFAULT_SIM.scoredDays) / 7);
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
      expect(prepared).toHaveLength((3 * DEFAULT_SIM.scoredDays) / 7);
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
    const options = { ...DEFAULT_SIM, totalUsers: 3000, warmupDays: 0, scoredDays: 7, limitMinutes: 360 };
    const a = summarise(simulate(options));
    const b = summarise(simulate(options));
    // Everything but the run times (wall clock).
    const strip = (x: unknown) => JSON.parse(JSON.stringify(x, (k, v: unknown) => (k === 'runSeconds' ? 0 : v)));
    expect(strip(a)).toEqual(strip(b));
    expect(a.reports).toBeGreaterThan(10_000);
    expect(a.overall.outages).toBeGreaterThanOrEqual(1);
    expect(a.attackSuccessRate).toBeGreaterThanOrEqual(0);
    expect(a.attackSuccessRate).toBeLessThanOrEqual(1);
  });

  it('reads the status every tickSeconds over the same world and the same reports', () => {
    const options = { ...DEFAULT_SIM, totalUsers: 3000, warmupDays: 0, scoredDays: 7, limitMinutes: 360 };
    const coarse = simulate(options);
    const fine = simulate({ ...options, tickSeconds: 5 });
    // Ticks only slice each minute's reports differently: the same reports, outages and attacks.
    expect(fine.reports).toBe(coarse.reports);
    expect(fine.outages.map((o) => [o.start, o.end, o.regions])).toEqual(coarse.outages.map((o) => [o.start, o.end, o.regions]));
    expect(record(fine).tickSeconds).toBe(5);
    expect(record(coarse).tickSeconds).toBe(20);
    expect(() => simulate({ ...options, tickSeconds: 7 })).toThrow(/tickSeconds must be a whole divisor of 60, not 7/);
  });
});

describe('honest scoring', () => {
  it("credits an outage only in its own cells: its regions x its feature, roll-ups only when it spans them", () => {
    const one = ownCells(['US'], 'timeline');
    expect([...one]).toEqual(['US|timeline']);
    const twoAll = ownCells(['US', 'FR'], null);
    expect(twoAll.has('US|*')).toBe(true);
    expect(twoAll.has('FR|dm')).toBe(true);
    expect(twoAll.has('*|*')).toBe(false);
    expect(twoAll.has('*|dm')).toBe(false);
    const global = ownCells(REGIONS.map((r) => r.code), 'login');
    expect(global.has('*|login')).toBe(true);
    expect(global.has('*|*')).toBe(false);
    expect(global.has('JP|*')).toBe(false);
    expect(ownCells(REGIONS.map((r) => r.code), null).has('*|*')).toBe(true);
    // Excuses are wider: an outage puts reports into every cell that contains it.
    expect(covers(['US'], 'timeline', 'US', '*')).toBe(true);
    expect(covers(['US'], 'timeline', '*', '*')).toBe(true);
    expect(covers(['US'], 'timeline', 'US', 'profile')).toBe(false);
    expect(covers(['US'], 'timeline', 'FR', 'timeline')).toBe(false);
  });

  it('pools seeds, counts every attack class (the prepared attacker too) and breaks false alerts down by noise class', () => {
    const run = (seed: number, alerts: string[], prepared: boolean): RunRecord => ({
      seed,
      scoredDays: 7,
      warmupDays: 3,
      totalUsers: 1000,
      noise: DEFAULT_SIM.noise,
      reports: 1,
      refusedReports: 0,
      runSeconds: 1,
      outages: [20, 40, 300].map((d) => ({ origin: 'target', target: true, start: '', regions: 'US', feature: 'all', multiplier: 50, affectedShare: 0.1, activeAtStart: 3000, rampSeconds: 30, minutes: 10, userRegion: 'US', serverDelaySeconds: d, badgeDelaySeconds: d + 10 })),
      attacks: [
        { kind: 'single-client flood', start: '', region: 'US', feature: 'dm', networks: 1, minutes: 10, succeeded: false, moved: {} },
        { kind: 'several networks, warmed-up pseudonyms', start: '', region: 'US', feature: 'dm', networks: 5, minutes: 10, succeeded: prepared, moved: {} },
      ],
      falseAlerts: alerts.map((cls) => ({ at: '', region: 'US', feature: 'dm', from: 'operational', state: 'degraded', cls })),
      deployBlips: { events: 1, called: 0, alerts: 0 },
      outageAlerts: 0,
      noiseEvents: {},
    });
    const s = score([run(100, ['hawkes', 'background'], true), run(101, [], false)]);
    expect(s.scoredWeeks).toBe(2);
    expect(s.alertsPerWeek.total).toBe(1);
    expect(s.alertsPerWeek.byClass.hawkes).toBe(0.5);
    expect(s.alertsPerWeek.byClass.background).toBe(0.5);
    expect(s.attackSuccessRate).toBe(0.25);
    expect(s.attackSuccessByClass['several networks, warmed-up pseudonyms']).toEqual({ attempts: 2, succeeded: 1, rate: 0.5 });
    expect(s.badgeDelay.median).toBe(50);
    expect(s.targets.attacks).toBe(false);
    expect(s.targets.p95BadgeDelay).toBe(false);
    expect(s.targetsMet).toBe(false);
  });
});
