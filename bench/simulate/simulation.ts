/**
 * The detection benchmark: a seeded crowd sends reports minute by minute into the server's own
 * aggregation (MinuteStore: sketches, network cap, baseline, sequential test) and the same
 * hysteresis the status uses; the simulator knows the truth (outages, attacks, noise events) and
 * scores what the engine said, when. The noise is drawn from models the engine does not assume
 * (noise.ts); scoring is per cell and to the badge (docs/detection-benchmarks.md).
 */
import { MinuteStore, DEFAULT_STORE_OPTIONS, ALL, type AggregatableReport, type Cell } from '../../src/server/aggregation/minute-store.ts';
import type { BaselineOptions } from '../../src/server/detection/baseline.ts';
import { HysteresisStepper } from '../../src/server/detection/hysteresis.ts';
import { DEFAULT_THRESHOLDS, type DetectionThresholds } from '../../src/server/detection/thresholds.ts';
import { MAX_FUTURE_MS } from '../../src/server/ingest/ingest.ts';
import { FEATURES, floorToMinute, type Feature, type FailureSignal, type Signal, type State } from '../../src/shared/protocol.ts';
import { badgeTime } from './badge.ts';
import { clockSkewMs, hawkesCluster, levelFactor, levelShiftEnd, logAr1Step, logNormalMultiplier, NOISE_CLASSES, paretoMultiplier, tabCopies, type LevelShift, type NoiseClass } from './noise.ts';
import { logUniform, makeRng, overdispersed, pick, poisson, quantileOf, unitHash } from './random.ts';
import { activeWindow, activity, ensureDay, featureFor, featureWeight, makePopulation, REGIONS, type RegionPopulation } from './world.ts';

export type NoiseSwitches = Record<NoiseClass, boolean>;

export interface SimOptions {
  seed: number;
  /** Days scored, after the warm-up (14: two weeks). */
  scoredDays: number;
  /** Days run first so the baseline has history (events happen, nothing is scored). */
  warmupDays: number;
  /** Consenting extension users over all regions (usually; growth and trending add more). */
  totalUsers: number;
  /** Share of a region's users active at its busiest hour. */
  peakActive: number;
  /** Share of active people whose browser reports some failure in a normal minute (on average). */
  backgroundShare: number;
  /** Gamma shape of the old minute-to-minute noise, used only when 'heavy-tail' is off. */
  noiseShape: number;
  thresholds: DetectionThresholds;
  /** Another setting of the baseline (`--baseline name=value`); the engine's own when absent. */
  baseline?: BaselineOptions;
  /** Events a week of a noise class instead of NOISE_PARAMS' (`--per-week trending=7`): a stress
   *  variant of a seed's world, not its usual one. */
  perWeek?: Partial<Record<NoiseClass, number>>;
  /** Outages scheduled in each scored week to be in the target class (besides the random mix). */
  targetOutagesPerWeek: number;
  /** Outages modelled on real incidents, once per run in the scored days. */
  scenarios: boolean;
  noise: NoiseSwitches;
  /** Stop after this many minutes (for tests and profiling); default: the whole run. */
  limitMinutes?: number;
  /** Seconds between readings of the status (and the slices reports arrive in); a divisor of 60.
   *  Default 20. The real server judges on every status request its cache lets through (a CDN
   *  folds them into one every `max-age`, 5 s), so shorter ticks are closer to it. */
  tickSeconds?: number;
  log?: (line: string) => void;
}

export const ALL_NOISE: NoiseSwitches = Object.fromEntries(NOISE_CLASSES.map((c) => [c, true])) as NoiseSwitches;

export const DEFAULT_SIM: SimOptions = {
  seed: 1,
  scoredDays: 14,
  warmupDays: 3,
  totalUsers: 36_000,
  peakActive: 0.45,
  backgroundShare: 0.003,
  noiseShape: 6,
  thresholds: DEFAULT_THRESHOLDS,
  targetOutagesPerWeek: 6,
  scenarios: true,
  noise: ALL_NOISE,
};

/** Seeds the engine may be tuned on, and seeds that must never be (docs/detection-benchmarks.md). */
export const TUNING_SEEDS: readonly number[] = [1, 2, 3];
export const HELD_OUT_SEEDS: readonly number[] = [100, 101, 102, 103, 104, 105, 106, 107, 108, 109];

/** The parameters of every noise class (docs/detection-benchmarks.md, "Noise classes"). */
export const NOISE_PARAMS = {
  hawkes: { clustersPerWeek: 28, branching: 0.9, decayMinutes: 2, maxEvents: 300 },
  heavyTail: { driftPhi: 0.95, driftSigma: 0.08, minuteSigma: 0.25, paretoAlpha: 4, eventAbove: 3 },
  growth: { factor: 2, rampDays: 7 },
  holiday: { perWeek: 1, factor: 0.5, rampHours: 3, holdHours: [24, 48] as const },
  trending: { perWeek: 2, factor: [3, 10] as const, rampMinutes: [20, 60] as const, holdHours: [2, 8] as const },
  deployBlip: { perWeek: 4, minutes: [1, 3] as const, share: [0.005, 0.03] as const },
  flapping: { share: 0.05, maxTabs: 8 },
  clockSkew: { share: 0.03, maxMinutes: 5 },
  officeNetwork: { perWeek: 6, people: [20, 50] as const, minutes: [2, 11] as const },
  rateBlip: { perWeek: 6, factor: [1.3, 2] as const, minutes: [1, 2] as const },
} as const;

const SITE = 'x.com';
/** How often the simulated status is read within a minute (reports arrive in the same slices). */
export const DEFAULT_TICK_SECONDS = 20;
const MIN = 60_000;
const DAY_MIN = 1440;
const WEEK_MIN = 7 * DAY_MIN;
/** After an outage ends, states it caused are still its own for this long (window + quiet + margin). */
export const AFTERMATH_MS = 20 * MIN;
/** A noise event is blamed for a false alert starting up to this long after it ended (the
 *  engine's window and quiet minutes). */
const NOISE_LINGER_MS = 15 * MIN;
const TARGET_MIN_ACTIVE = 2000;
const TARGET_MIN_SHARE = 0.05;
/** The pool active people are drawn from, in usual users: room for growth x trending x surges. */
const POOL_FACTOR = 8;
const FAILURE_SIGNALS: FailureSignal[] = ['http_5xx', 'http_5xx', 'network', 'banner'];

export interface Outage {
  id: number;
  start: number;
  end: number;
  rampMs: number;
  /** Share of the full strength reached `elapsed` ms after the start (default: linear ramp). */
  shape?: (elapsedMs: number) => number;
  multiplier: number;
  /** Extra share of active people failing at full strength (before the feature's share). */
  extraShare: number;
  /** Per-region factor on extraShare (a scenario's proportions); 1 when absent. */
  regionFactor?: Record<string, number>;
  regions: string[];
  /** null: every feature. */
  feature: Feature | null;
  measured: boolean;
  /** Share of a region's active people affected. */
  affectedShare: number;
  activeAtStart: number;
  activeByRegion: Record<string, number>;
  target: boolean;
  /** 'random': the mix; 'target': scheduled to be in the target class; 'scenario': from a
   *  real incident. */
  origin: 'random' | 'target' | 'scenario';
  name?: string;
  /** First reading at which each of the outage's own cells (region|feature) was not operational. */
  firstNonOp: Map<string, number>;
  detectedAt: number | null;
  /** First reading at which each country the outage covers had its all-features cell (its row
   *  in the status answer) not operational, whether or not that cell is an own cell. */
  rollupNonOp: Map<string, number>;
  /** First reading at which an own cell of the drawn user's country was not operational (what a
   *  status answer for that country shows: its overall and its features, not the all-countries
   *  cells). */
  userCellAt: number | null;
  /** First reading at which another country of the outage had its row not operational. */
  elsewhereAt: number | null;
  /** The badge by the user's own country alone (the rule before failingElsewhereToo). */
  ownRegionBadgeAt: number | null;
  badgeAt: number | null;
  userRegion: string | null;
}

type AttackKind =
  | 'single-client flood'
  | 'pseudonym swarm from one network'
  | 'replay (re-stamped, now)'
  | 'replay (original minutes)'
  | 'slow baseline poisoning'
  | 'several networks, few people each'
  | 'several networks, warmed-up pseudonyms';

interface Attack {
  id: number;
  kind: AttackKind;
  start: number;
  end: number;
  region: string;
  feature: Feature;
  network: string;
  networks: number;
  perNetwork: number;
  measured: boolean;
  succeeded: boolean;
  /** Cells (region|feature) the attack moved up, with the worst state shown. */
  moved: Map<string, State>;
}

/** A noise event: labelled, so a false alert in a cell it covers can be blamed on its class. */
export interface NoiseEvent {
  cls: NoiseClass;
  start: number;
  end: number;
  /** null: every region. */
  regions: string[] | null;
  /** null: every feature. */
  feature: Feature | null;
  /** hawkes: minute offsets of the cluster's failures; office-network: people; rate-blip: factor;
   *  trending/holiday/growth: the level shift; deploy-blip: share of the feature's users. */
  offsets?: number[];
  people?: number;
  factor?: number;
  shift?: LevelShift;
  share?: number;
  network?: string;
  /** deploy-blip: whether some cell it covers was called. */
  called?: boolean;
}

/** A crowd of extra people in one feature (a big Space), on top of the usual active people. */
interface Surge {
  region: string;
  feature: Feature;
  start: number;
  rampMs: number;
  end: number;
  /** Extra people at full strength, as a multiple of the feature's usual users there. */
  times: number;
}

interface Tracked {
  cell: Cell;
  region: string;
  feature: string;
  stepper: HysteresisStepper;
  shown: State;
}

export interface Alert {
  at: number;
  region: string;
  feature: string;
  from: State;
  state: State;
  /** The noise class blamed (the latest-starting noise event active in the cell), or background. */
  cls: NoiseClass | 'background';
}

const codes = REGIONS.map((r) => r.code);
const regionShare = (code: string) => REGIONS.find((r) => r.code === code)?.share ?? 0;
const pickRegionByShare = (rng: () => number) => {
  let u = rng();
  for (const r of REGIONS) if ((u -= r.share) < 0) return r.code;
  return 'US';
};

type TargetScope = { regions: 'one' | 'several' | 'all'; feature: 'one' | 'all' };
const TARGET_SCOPES: readonly TargetScope[] = [
  { regions: 'one', feature: 'one' },
  { regions: 'one', feature: 'all' },
  { regions: 'several', feature: 'one' },
  { regions: 'several', feature: 'all' },
  { regions: 'all', feature: 'one' },
  { regions: 'all', feature: 'all' },
];
const SEVERAL_NETWORK_ATTACKS: readonly [number, number][] = [
  [5, 2],
  [6, 5],
  [12, 5],
];
const PREPARED: AttackKind = 'several networks, warmed-up pseudonyms';
const WARM_UP_MS = 30 * MIN;
const TARGET_CLEARANCE_MS = 30 * MIN;

/** Usual active people of a region at t (activity curve only, no level shift). */
export function activeAt(code: string, t: number, o: Pick<SimOptions, 'totalUsers' | 'peakActive'>): number {
  const region = REGIONS.find((r) => r.code === code);
  if (!region) return 0;
  return Math.round(o.totalUsers * region.share * o.peakActive * activity(t, region));
}

function blankOutage(id: number): Omit<Outage, 'start' | 'end' | 'rampMs' | 'multiplier' | 'extraShare' | 'regions' | 'feature' | 'measured' | 'affectedShare' | 'origin'> {
  return { id, activeAtStart: 0, activeByRegion: {}, target: false, firstNonOp: new Map(), rollupNonOp: new Map(), detectedAt: null, userCellAt: null, elsewhereAt: null, ownRegionBadgeAt: null, badgeAt: null, userRegion: null };
}

const useProbOf = (feature: Feature | null) => (feature ? Math.min(1, 2 * featureWeight(feature)) : 1);

/** Periods to schedule in: the warm-up, then the scored days in chunks of at most a week. */
function periodsOf(o: SimOptions, start: number): { from: number; minutes: number; measured: boolean }[] {
  const periods: { from: number; minutes: number; measured: boolean }[] = [];
  if (o.warmupDays > 0) periods.push({ from: start, minutes: o.warmupDays * DAY_MIN, measured: false });
  const scoredFrom = start + o.warmupDays * DAY_MIN * MIN;
  for (let d = 0; d < o.scoredDays; d += 7) periods.push({ from: scoredFrom + d * DAY_MIN * MIN, minutes: Math.min(7, o.scoredDays - d) * DAY_MIN, measured: true });
  return periods;
}

/** At least one of each per period (so a short run still has every class), else the weekly rate. */
const perPeriod = (perWeek: number, minutes: number) => Math.max(1, Math.round((perWeek * minutes) / WEEK_MIN));

export function schedule(o: SimOptions, start: number, rng: () => number) {
  const outages: Outage[] = [];
  const attacks: Attack[] = [];
  const noise: NoiseEvent[] = [];
  const surges: Surge[] = [];
  let id = 1;
  const scoredFrom = start + o.warmupDays * DAY_MIN * MIN;
  const scoredEnd = scoredFrom + o.scoredDays * DAY_MIN * MIN;
  const periods = periodsOf(o, start);

  // The random mix of outages and the one-network attacks.
  for (const { from, minutes, measured } of periods) {
    const scale = minutes / WEEK_MIN;
    const n = Math.max(1, Math.round((1 + Math.floor(rng() * 6)) * scale));
    for (let i = 0; i < n; i++) {
      const s = from + Math.floor(rng() * (minutes - 60)) * MIN + Math.floor(rng() * 60) * 1000;
      const duration = logUniform(rng, 5, 480) * MIN;
      const multiplier = logUniform(rng, 1.5, 300);
      const scope = rng();
      const regions = scope < 0.4 ? [pick(rng, codes)] : scope < 0.65 ? [...new Set([pick(rng, codes), pick(rng, codes), pick(rng, codes)])] : [...codes];
      const feature = rng() < 0.5 ? featureFor(rng()) : null;
      const extraShare = Math.min(0.9, (multiplier - 1) * o.backgroundShare);
      outages.push({ ...blankOutage(id++), start: s, end: s + duration, rampMs: (0.5 + rng() * 4.5) * MIN, multiplier, extraShare, regions, feature, measured, affectedShare: extraShare * useProbOf(feature), origin: 'random' });
    }
    const kinds: AttackKind[] = ['single-client flood', 'pseudonym swarm from one network', 'replay (re-stamped, now)', 'replay (original minutes)'];
    for (const kind of kinds) {
      for (let i = 0; i < perPeriod(2, minutes); i++) {
        const s = from + Math.floor(rng() * (minutes - 120)) * MIN;
        attacks.push({ id: id++, kind, start: s, end: s + (10 + Math.floor(rng() * 50)) * MIN, region: pick(rng, codes), feature: featureFor(rng()), network: `atk${id}`, networks: 1, perNetwork: 0, measured, succeeded: false, moved: new Map() });
      }
    }
  }

  // Noise events, each class from a generator of its own: switching one class off leaves the
  // others exactly as they were.
  const classRng = (salt: number) => makeRng((o.seed * 7919 + salt) >>> 0);
  const on = o.noise;
  for (const { from, minutes } of periods) {
    if (on.hawkes) {
      const r = classRng(101 + from / MIN);
      const p = NOISE_PARAMS.hawkes;
      for (let i = 0; i < perPeriod(o.perWeek?.hawkes ?? p.clustersPerWeek, minutes); i++) {
        const s = from + r() * (minutes - 60) * MIN;
        const offsets = hawkesCluster(r, p.branching, p.decayMinutes, p.maxEvents);
        noise.push({ cls: 'hawkes', start: s, end: s + ((offsets[offsets.length - 1] as number) + 1) * MIN, regions: [pickRegionByShare(r)], feature: featureFor(r()), offsets });
      }
    }
    if (on['deploy-blip']) {
      const r = classRng(202 + from / MIN);
      const p = NOISE_PARAMS.deployBlip;
      for (let i = 0; i < perPeriod(p.perWeek, minutes); i++) {
        const s = from + Math.floor(r() * (minutes - 30)) * MIN + Math.floor(r() * 60) * 1000;
        const len = p.minutes[0] + Math.floor(r() * (p.minutes[1] - p.minutes[0] + 1));
        noise.push({ cls: 'deploy-blip', start: s, end: s + len * MIN, regions: null, feature: featureFor(r()), share: logUniform(r, p.share[0], p.share[1]), called: false });
      }
    }
    if (on.trending) {
      const r = classRng(303 + from / MIN);
      const p = NOISE_PARAMS.trending;
      for (let i = 0; i < perPeriod(o.perWeek?.trending ?? p.perWeek, minutes); i++) {
        const s = from + Math.floor(r() * (minutes - 600)) * MIN;
        const shift: LevelShift = { start: s, rampMs: (p.rampMinutes[0] + r() * (p.rampMinutes[1] - p.rampMinutes[0])) * MIN, holdMs: (p.holdHours[0] + r() * (p.holdHours[1] - p.holdHours[0])) * 60 * MIN, factor: logUniform(r, p.factor[0], p.factor[1]) };
        noise.push({ cls: 'trending', start: s, end: levelShiftEnd(shift), regions: [pick(r, codes)], feature: null, shift });
      }
    }
    if (on['office-network']) {
      const r = classRng(404 + from / MIN);
      const p = NOISE_PARAMS.officeNetwork;
      for (let i = 0; i < perPeriod(p.perWeek, minutes); i++) {
        const s = from + Math.floor(r() * (minutes - 30)) * MIN;
        const len = p.minutes[0] + Math.floor(r() * (p.minutes[1] - p.minutes[0]));
        noise.push({ cls: 'office-network', start: s, end: s + len * MIN, regions: [pick(r, codes)], feature: featureFor(r()), people: p.people[0] + Math.floor(r() * (p.people[1] - p.people[0])), network: `office${from / MIN}-${i}` });
      }
    }
    if (on['rate-blip']) {
      const r = classRng(505 + from / MIN);
      const p = NOISE_PARAMS.rateBlip;
      for (let i = 0; i < perPeriod(p.perWeek, minutes); i++) {
        const s = from + Math.floor(r() * (minutes - 30)) * MIN;
        const len = p.minutes[0] + Math.floor(r() * (p.minutes[1] - p.minutes[0] + 1));
        noise.push({ cls: 'rate-blip', start: s, end: s + len * MIN, regions: [pick(r, codes)], feature: null, factor: p.factor[0] + r() * (p.factor[1] - p.factor[0]) });
      }
    }
  }
  // Level shifts of the scored days: the installed base doubling (a store feature), a holiday.
  if (on.growth && o.scoredDays > 0) {
    const r = classRng(606);
    const p = NOISE_PARAMS.growth;
    const rampDays = Math.min(p.rampDays, o.scoredDays);
    const s = scoredFrom + Math.floor(r() * Math.min(DAY_MIN, (o.scoredDays - rampDays) * DAY_MIN + 1)) * MIN;
    const shift: LevelShift = { start: s, rampMs: rampDays * DAY_MIN * MIN, holdMs: Infinity, factor: p.factor };
    // Blamed while it ramps and for a day after (the baseline's look-back on earlier days).
    noise.push({ cls: 'growth', start: s, end: s + shift.rampMs + DAY_MIN * MIN, regions: null, feature: null, shift });
  }
  if (on.holiday) {
    const r = classRng(707);
    const p = NOISE_PARAMS.holiday;
    for (const { from, minutes, measured } of periods) {
      if (!measured) continue;
      for (let i = 0; i < perPeriod(p.perWeek, minutes); i++) {
        const hold = (p.holdHours[0] + r() * (p.holdHours[1] - p.holdHours[0])) * 60 * MIN;
        const latest = Math.max(0, minutes * MIN - hold - 2 * p.rampHours * 60 * MIN);
        const s = from + Math.floor((r() * latest) / MIN) * MIN;
        const shift: LevelShift = { start: s, rampMs: p.rampHours * 60 * MIN, holdMs: hold, factor: p.factor };
        noise.push({ cls: 'holiday', start: s, end: levelShiftEnd(shift), regions: [pickRegionByShare(r)], feature: null, shift });
      }
    }
  }

  // Outages modelled on real incidents, once per run in the scored days (placed before the
  // scheduled targets: they need given hours of the day).
  if (o.scenarios && o.scoredDays > 0) {
    const r = makeRng(o.seed ^ 0x5ce4a1);
    for (const make of SCENARIOS) {
      const made = make(o, r, scoredFrom, scoredEnd, id, [...outages, ...attacks, ...noise.filter((e) => e.cls === 'hawkes' || e.cls === 'deploy-blip' || e.cls === 'office-network' || e.cls === 'rate-blip')]);
      if (made) {
        outages.push(made.outage);
        if (made.surge) surges.push(made.surge);
        id++;
      }
    }
  }
  // Attackers with several networks, and the scheduled target-class outages.
  const extra = makeRng(o.seed ^ 0x7a59e7);
  let scopeIndex = 0;
  const short = () => noise.filter((e) => e.cls === 'hawkes' || e.cls === 'deploy-blip' || e.cls === 'office-network' || e.cls === 'rate-blip');
  for (const { from, minutes, measured } of periods) {
    if (!measured) continue;
    for (const [networks, perNetwork] of SEVERAL_NETWORK_ATTACKS) {
      const s = from + Math.floor(extra() * (minutes - 120)) * MIN;
      attacks.push({ id: id++, kind: 'several networks, few people each', start: s, end: s + (10 + Math.floor(extra() * 50)) * MIN, region: pick(extra, codes), feature: featureFor(extra()), network: `atk${id}`, networks, perNetwork, measured: true, succeeded: false, moved: new Map() });
    }
    const n = o.targetOutagesPerWeek > 0 ? perPeriod(o.targetOutagesPerWeek, minutes) : 0;
    for (let i = 0; i < n; i++) {
      const out = targetOutage(o, extra, from, minutes, TARGET_SCOPES[scopeIndex++ % TARGET_SCOPES.length] as TargetScope, id, [...outages, ...attacks, ...short()]);
      if (out) {
        outages.push(out);
        id++;
      }
    }
  }
  // A prepared attacker: pseudonyms kept and introduced with ok samples half an hour before.
  const prepared = makeRng(o.seed ^ 0x3a11ed);
  for (const { from, minutes, measured } of periods) {
    if (!measured) continue;
    for (const [networks, perNetwork] of SEVERAL_NETWORK_ATTACKS) {
      for (let attempt = 0; attempt < 200; attempt++) {
        const s = from + (60 + Math.floor(prepared() * (minutes - 180))) * MIN;
        const e = s + (10 + Math.floor(prepared() * 50)) * MIN;
        if ([...outages, ...attacks].some((x) => s - WARM_UP_MS < x.end + TARGET_CLEARANCE_MS && e + TARGET_CLEARANCE_MS > x.start)) continue;
        attacks.push({ id: id++, kind: PREPARED, start: s, end: e, region: pick(prepared, codes), feature: featureFor(prepared()), network: `atk${id}`, networks, perNetwork, measured: true, succeeded: false, moved: new Map() });
        break;
      }
    }
  }
  // Slow poisoning through the scored days: one network ramps fake failures in a small cell over
  // four days, then keeps them up.
  if (o.scoredDays > 0) attacks.push({ id: id++, kind: 'slow baseline poisoning', start: scoredFrom, end: scoredEnd, region: 'JP', feature: 'dm', network: 'poison', networks: 1, perNetwork: 0, measured: true, succeeded: false, moved: new Map() });
  return { outages, attacks, noise, surges };
}

/** An outage of the target class, clear of every other short event. */
function targetOutage(o: SimOptions, rng: () => number, from: number, minutes: number, scope: TargetScope, id: number, others: readonly { start: number; end: number }[]): Outage | null {
  for (let attempt = 0; attempt < 2000; attempt++) {
    const start = from + Math.floor(rng() * Math.max(60, minutes - 600)) * MIN + Math.floor(rng() * 60) * 1000;
    const duration = logUniform(rng, 5, 480) * MIN;
    const busy = codes.filter((c) => activeAt(c, start, o) >= TARGET_MIN_ACTIVE + 100);
    if (busy.length === 0) continue;
    if (others.some((e) => start < e.end + TARGET_CLEARANCE_MS && start + duration + TARGET_CLEARANCE_MS > e.start)) continue;
    const main = pick(rng, busy);
    const regions = scope.regions === 'one' ? [main] : scope.regions === 'several' ? [...new Set([main, pick(rng, codes), pick(rng, codes)])] : [...codes];
    if (scope.regions === 'several' && regions.length < 2) regions.push(codes.find((c) => c !== main) as string);
    let feature: Feature | null = null;
    if (scope.feature === 'one') {
      do feature = featureFor(rng());
      while (2 * featureWeight(feature) * 0.9 < 0.1);
    }
    const useProb = useProbOf(feature);
    const affectedShare = logUniform(rng, TARGET_MIN_SHARE * 1.05, Math.min(0.5, 0.9 * useProb));
    const extraShare = affectedShare / useProb;
    return { ...blankOutage(id), start, end: start + duration, rampMs: (0.5 + rng() * 4.5) * MIN, multiplier: 1 + extraShare / o.backgroundShare, extraShare, regions, feature, measured: true, affectedShare, origin: 'target' };
  }
  return null;
}

type ScenarioMaker = (o: SimOptions, rng: () => number, from: number, to: number, id: number, others: readonly { start: number; end: number }[]) => { outage: Outage; surge?: Surge } | null;

/** A start in [from, to - length) at one of the given UTC hours, clear of the others. */
function scenarioStart(rng: () => number, from: number, to: number, length: number, utcHours: readonly number[], others: readonly { start: number; end: number }[]): number | null {
  const days = Math.floor((to - from) / (DAY_MIN * MIN));
  for (let attempt = 0; attempt < 500; attempt++) {
    const day = from + Math.floor(rng() * Math.max(1, days)) * DAY_MIN * MIN;
    const s = day + (pick(rng, utcHours) * 60 + Math.floor(rng() * 60)) * MIN + Math.floor(rng() * 60) * 1000;
    if (s < from || s + length + AFTERMATH_MS > to) continue;
    if (others.some((e) => s < e.end + TARGET_CLEARANCE_MS && s + length + TARGET_CLEARANCE_MS > e.start)) continue;
    return s;
  }
  return null;
}

function scenarioOutage(o: SimOptions, id: number, name: string, start: number, minutes: number, regions: string[], feature: Feature | null, extraShare: number, extra: Partial<Outage> = {}): Outage {
  return { ...blankOutage(id), start, end: start + minutes * MIN, rampMs: 2 * MIN, multiplier: 1 + extraShare / o.backgroundShare, extraShare, regions, feature, measured: true, affectedShare: extraShare * useProbOf(feature), origin: 'scenario', name, ...extra };
}

/**
 * Real incidents, scaled to the simulated crowd by shape and proportion (the crowd is a scaled
 * sample of extension users, so absolute Downdetector-style counts do not carry over):
 * - growing: 200 failure reports in the first 5 minutes, about 9,000 a few hours later: the level
 *   grows 45-fold, exponentially over 2 hours, to 20 % of active people at the peak; the US and
 *   France in the 4,200 : 1,600 proportion of that peak (France's share set from both countries'
 *   active people at the start), every other country like the US.
 * - europe-japan: GB, FR, DE, ES and JP down (25 % of active people), IN (and the US, BR) fine.
 * - timeline: the timeline failing for 40 % of its users while profiles (and the rest) load.
 * - login: login and 2FA failing for 60 % of those logging in (feature 'login').
 * - spaces: a Space of 600,000 listeners: US 'spaces' users jump 100-fold within 5 minutes, and
 *   25 minutes later it collapses for 70 % of them.
 */
const SCENARIOS: readonly ScenarioMaker[] = [
  (o, rng, from, to, id, others) => {
    const minutes = 240;
    const s = scenarioStart(rng, from, to, minutes * MIN, [18, 19], others);
    if (s === null) return null;
    const peak = 0.2;
    const fr = Math.min(0.9, peak * (1600 / 4200) * (activeAt('US', s, o) / Math.max(1, activeAt('FR', s, o))) / 1);
    const growth = Math.log(9000 / 200);
    return { outage: scenarioOutage(o, id, 'growing, 200 -> 9,000 reports, US 4,200 / FR 1,600', s, minutes, [...codes], null, peak, { regionFactor: { FR: fr / peak }, shape: (e) => Math.min(1, (200 / 9000) * Math.exp((growth * e) / (120 * MIN))) }) };
  },
  (o, rng, from, to, id, others) => {
    const s = scenarioStart(rng, from, to, 90 * MIN, [11, 12, 13], others);
    return s === null ? null : { outage: scenarioOutage(o, id, 'GB, Europe (FR, DE, ES) and JP down, IN works', s, 90, ['GB', 'FR', 'DE', 'ES', 'JP'], null, 0.25) };
  },
  (o, rng, from, to, id, others) => {
    const s = scenarioStart(rng, from, to, 60 * MIN, [0, 1, 2, 14, 15, 16], others);
    return s === null ? null : { outage: scenarioOutage(o, id, 'timeline failing, profiles load', s, 60, [...codes], 'timeline', 0.4) };
  },
  (o, rng, from, to, id, others) => {
    const s = scenarioStart(rng, from, to, 45 * MIN, [1, 13, 15, 20], others);
    return s === null ? null : { outage: scenarioOutage(o, id, 'login and 2FA failing', s, 45, [...codes], 'login', 0.6) };
  },
  (o, rng, from, to, id, others) => {
    const surgeStart = scenarioStart(rng, from, to, 60 * MIN, [1, 2], others);
    if (surgeStart === null) return null;
    const s = surgeStart + 25 * MIN;
    return {
      outage: scenarioOutage(o, id, 'Space of 600,000 listeners collapsing (US spaces x100, then 70 % fail)', s, 30, ['US'], 'spaces', 0.7),
      surge: { region: 'US', feature: 'spaces', start: surgeStart, rampMs: 5 * MIN, end: s + 30 * MIN, times: 100 },
    };
  },
];

/** Whether an event over (regions, feature) puts reports into the cell (region|feature, `*` all). */
export function covers(regions: readonly string[] | string | null, feature: Feature | null, cellRegion: string, cellFeature: string): boolean {
  const regionOk = cellRegion === ALL || regions === null || (typeof regions === 'string' ? regions === cellRegion : regions.includes(cellRegion));
  return regionOk && (cellFeature === ALL || feature === null || feature === cellFeature);
}

/**
 * An outage's own cells: its regions x its feature (or every feature), plus the all-regions cells
 * only when it spans every region and the all-features cells only when it spans every feature.
 */
export function ownCells(regions: readonly string[], feature: Feature | null): Set<string> {
  const allRegions = codes.every((c) => regions.includes(c));
  const rs = allRegions ? [...regions, ALL] : [...regions];
  const fs: string[] = feature ? [feature] : [...FEATURES, ALL];
  return new Set(rs.flatMap((r) => fs.map((f) => `${r}|${f}`)));
}

const RANK: Record<State, number> = { operational: 0, degraded: 1, outage: 2 };

export interface SimResult {
  options: Omit<SimOptions, 'log' | 'thresholds' | 'limitMinutes'>;
  outages: Outage[];
  attacks: Attack[];
  noise: NoiseEvent[];
  falseAlerts: Alert[];
  /** Alerts excused by a deploy blip in its own cells. */
  deployBlipAlerts: Alert[];
  /** Alerts explained by an outage covering the cell. */
  outageAlerts: number;
  reports: number;
  refusedReports: number;
  elapsedMs: number;
}

export function simulate(o: SimOptions): SimResult {
  const began = Date.now();
  const tickSeconds = o.tickSeconds ?? DEFAULT_TICK_SECONDS;
  if (!Number.isInteger(tickSeconds) || tickSeconds < 1 || 60 % tickSeconds !== 0) throw new Error(`tickSeconds must be a whole divisor of 60, not ${tickSeconds}`);
  const TICK_MS = tickSeconds * 1000;
  const TICKS = 60 / tickSeconds;
  const rng = makeRng(o.seed);
  // A Monday, so weeks line up with the calendar.
  const start = Date.UTC(2026, 0, 5);
  const { outages, attacks, noise, surges } = schedule(o, start, rng);
  const store = new MinuteStore({ ...DEFAULT_STORE_OPTIONS, thresholds: o.thresholds, ...(o.baseline ? { baseline: o.baseline } : {}) }, start);
  const population = makePopulation(o.totalUsers, o.peakActive, POOL_FACTOR);
  const tracked = new Map<string, Tracked>();
  const falseAlerts: Alert[] = [];
  const deployBlipAlerts: Alert[] = [];
  let outageAlerts = 0;
  const captured: AggregatableReport[] = [];
  const phase = population.map((p) => Uint8Array.from({ length: p.pool }, (_, i) => Math.floor(unitHash(i, 5) * 10)));
  const totalMinutes = Math.min(o.limitMinutes ?? Infinity, (o.warmupDays + o.scoredDays) * DAY_MIN);
  const scoredFrom = start + o.warmupDays * DAY_MIN * MIN;
  let reports = 0;
  let refused = 0;
  // Slow drift of each region's failure level: an unclamped log-AR(1) (hourly) when heavy-tail is
  // on; the old mean-reverting walk clamped to 0.75x-1.35x otherwise.
  let drift = population.map(() => 1);
  const noiseRng = makeRng((o.seed * 7919 + 909) >>> 0);
  const ht = NOISE_PARAMS.heavyTail;
  const levelShifts = noise.filter((e) => e.shift);
  const hawkes = noise.filter((e) => e.cls === 'hawkes');
  const blips = noise.filter((e) => e.cls === 'deploy-blip');
  const offices = noise.filter((e) => e.cls === 'office-network');
  const rateBlips = noise.filter((e) => e.cls === 'rate-blip');
  for (const out of outages) (out as Outage & { own?: Set<string> }).own = ownCells(out.regions, out.feature);
  const ownOf = (out: Outage) => (out as Outage & { own: Set<string> }).own;

  const ticks: AggregatableReport[][] = Array.from({ length: TICKS }, () => []);
  const push = (tick: number, r: AggregatableReport) => {
    (ticks[Math.min(TICKS - 1, Math.max(0, tick))] as AggregatableReport[]).push(r);
  };

  for (let mi = 0; mi < totalMinutes; mi++) {
    const t0 = start + mi * MIN;
    const day = Math.floor(mi / DAY_MIN);
    if (mi % 60 === 0) {
      drift = o.noise['heavy-tail'] ? drift.map((v) => logAr1Step(noiseRng, v, ht.driftPhi, ht.driftSigma)) : drift.map((v) => Math.min(1.35, Math.max(0.75, v * Math.exp(0.06 * (rng() * 2 - 1) - 0.1 * Math.log(v)))));
    }
    const activeNow = new Map<string, number>();

    population.forEach((p: RegionPopulation, ri) => {
      ensureDay(p, day);
      const code = p.region.code;
      let level = activity(t0, p.region);
      for (const e of levelShifts) if (e.regions === null || e.regions.includes(code)) level *= levelFactor(t0, e.shift as LevelShift);
      const { start: ws, count: windowCount } = activeWindow(p, mi, level);
      // A surge into one feature: extra people from the pool beyond the window.
      let surgeCount = 0;
      let surgeFeature: Feature | null = null;
      for (const s of surges) {
        if (s.region !== code || t0 < s.start || t0 >= s.end) continue;
        const usual = windowCount * featureWeight(s.feature);
        surgeCount = Math.min(p.pool - windowCount, Math.round(usual * (s.times - 1) * Math.min(1, (t0 - s.start + MIN) / s.rampMs)));
        surgeFeature = s.feature;
      }
      const count = windowCount + surgeCount;
      activeNow.set(code, count);
      const ph = phase[ri] as Uint8Array;
      const userAt = (j: number) => (ws + j) % p.pool;
      const featureOf = (j: number, salt: number) => (j >= windowCount && surgeFeature ? surgeFeature : featureFor(salt));
      const userKey = (i: number) => i * 16 + ri;
      // Sends a report as the user's browser would: from every tab (flapping), stamped by the
      // user's clock (skew; the server refuses minutes more than 5 minutes ahead of its clock).
      const send = (tick: number, i: number, r: AggregatableReport, failure: boolean) => {
        const real = t0 + (tick + 0.5) * TICK_MS;
        if (o.noise['clock-skew']) {
          const skew = clockSkewMs(userKey(i), 43, NOISE_PARAMS.clockSkew.share, NOISE_PARAMS.clockSkew.maxMinutes);
          if (skew !== 0) {
            const at = floorToMinute(real + skew);
            if (at > real + MAX_FUTURE_MS) {
              refused++;
              return;
            }
            r = { ...r, at, receivedAt: real };
          }
        }
        const copies = failure && o.noise.flapping ? tabCopies(userKey(i), 41, NOISE_PARAMS.flapping.share, NOISE_PARAMS.flapping.maxTabs) : 1;
        for (let c = 0; c < copies; c++) push(tick, r);
      };
      const report = (i: number, feature: Feature, signal: Signal): AggregatableReport => ({ site: SITE, feature, signal, at: t0, region: code, reporter: p.pseudonyms[i] as string, networkHash: p.networks[i] as string, code: null });

      // Each active user sends an ok sample every 10 minutes (the extension's own spacing).
      for (let j = 0; j < count; j++) {
        const i = userAt(j);
        if ((mi + (ph[i] as number)) % 10 !== 0) continue;
        send(Math.floor(unitHash(i, mi) * TICKS), i, report(i, featureOf(j, unitHash(i, mi + 1)), 'ok'), false);
      }
      // Background failures: a few people's browsers fail every minute.
      let share = o.backgroundShare * (drift[ri] as number);
      let n: number;
      if (o.noise['heavy-tail']) {
        const m = logNormalMultiplier(noiseRng, ht.minuteSigma) * paretoMultiplier(noiseRng, ht.paretoAlpha);
        if (m >= ht.eventAbove && mi >= o.warmupDays * DAY_MIN) noise.push({ cls: 'heavy-tail', start: t0, end: t0 + MIN, regions: [code], feature: null, factor: m });
        share *= m;
        for (const h of rateBlips) if (h.regions?.includes(code) && t0 >= h.start && t0 < h.end) share *= h.factor as number;
        n = poisson(rng, share * count);
      } else {
        for (const h of rateBlips) if (h.regions?.includes(code) && t0 >= h.start && t0 < h.end) share *= h.factor as number;
        n = overdispersed(rng, share * count, o.noiseShape);
      }
      for (let k = 0; k < n && count > 0; k++) {
        const j = Math.floor(rng() * count);
        const i = userAt(j);
        const r = report(i, featureOf(j, rng()), pick(rng, FAILURE_SIGNALS));
        send(Math.floor(rng() * TICKS), i, r, true);
        if (captured.length < 5000) captured.push(r);
        else captured[Math.floor(rng() * 5000)] = r;
      }
      // Hawkes clusters: each failure of the cluster is one more person of the region failing.
      for (const h of hawkes) {
        if (!h.regions?.includes(code) || t0 + MIN <= h.start || t0 >= h.end) continue;
        const offsets = h.offsets as number[];
        for (let k = 0; k < offsets.length; k++) {
          const at = h.start + (offsets[k] as number) * MIN;
          if (at < t0 || at >= t0 + MIN || count === 0) continue;
          const i = userAt(Math.floor(unitHash(k, Math.floor(h.start / 1000)) * count));
          send(Math.floor((at - t0) / TICK_MS), i, report(i, h.feature as Feature, 'http_5xx'), true);
        }
      }
      // Per-account limits: counted apart, never failures.
      for (let k = poisson(rng, 0.001 * count); k > 0; k--) {
        const i = userAt(Math.floor(rng() * count));
        push(Math.floor(rng() * TICKS), { ...report(i, 'post', 'http_429'), code: 'limit:88' });
      }
      // Outages and deploy blips: affected people report once a minute while it fails for them.
      const failing = (id: number, feature: Feature | null, extraShare: number, strength: (at: number) => number, inside: (at: number) => boolean) => {
        const useProb = useProbOf(feature);
        for (let j = 0; j < count; j++) {
          const i = userAt(j);
          const u = unitHash(i, id * 7919);
          if (u >= extraShare) continue;
          const tick = Math.floor(unitHash(i, mi * 31 + id) * TICKS);
          const at = t0 + (tick + 0.5) * TICK_MS;
          if (!inside(at) || u >= extraShare * strength(at)) continue;
          const surgeUser = j >= windowCount && surgeFeature !== null;
          if (feature && (surgeUser ? surgeFeature !== feature : unitHash(i, mi * 17 + id) >= useProb)) continue;
          send(tick, i, report(i, feature ?? featureOf(j, unitHash(i, mi + 1)), 'http_5xx'), true);
        }
      };
      for (const out of outages) {
        if (t0 + MIN <= out.start || t0 >= out.end || !out.regions.includes(code)) continue;
        const share = Math.min(0.95, out.extraShare * (out.regionFactor?.[code] ?? 1));
        const shape = out.shape ?? ((e: number) => Math.min(1, e / out.rampMs));
        failing(out.id, out.feature, share, (at) => shape(at - out.start), (at) => at >= out.start && at < out.end);
      }
      for (const b of blips) {
        if (t0 + MIN <= b.start || t0 >= b.end) continue;
        failing(100_000 + Math.floor(b.start / MIN) % 100_000, b.feature, b.share as number, () => 1, (at) => at >= b.start && at < b.end);
      }
      // An office network loses its connection to X for a few minutes.
      for (const h of offices) {
        if (!h.regions?.includes(code) || t0 < h.start || t0 >= h.end) continue;
        for (let k = 0; k < (h.people as number); k++) push(k % TICKS, { site: SITE, feature: h.feature as Feature, signal: 'network', at: t0, region: code, reporter: `${h.network}u${k}d${day}`, networkHash: h.network as string, code: null });
      }
    });

    for (const a of attacks) {
      const fromEveryNetwork = (signal: Signal, tickOf: (net: number, k: number) => number, name: (net: number, k: number) => string) => {
        for (let net = 0; net < a.networks; net++) {
          for (let k = 0; k < a.perNetwork; k++) push(tickOf(net, k), { site: SITE, feature: a.feature, at: t0, region: a.region, networkHash: `${a.network}n${net}`, code: null, signal, reporter: name(net, k) });
        }
      };
      const kept = (net: number, k: number) => `${a.network}-n${net}-w${k}`;
      if (a.kind === PREPARED && t0 >= a.start - WARM_UP_MS && t0 < a.start && mi % 10 === 0) fromEveryNetwork('ok', () => 0, kept);
      if (t0 < a.start || t0 >= a.end) continue;
      const base = { site: SITE, feature: a.feature, at: t0, region: a.region, networkHash: a.network, code: null };
      if (a.kind === 'single-client flood') {
        for (let k = 0; k < 500; k++) push(k % TICKS, { ...base, signal: 'http_5xx', reporter: `${a.network}-client` });
      } else if (a.kind === 'pseudonym swarm from one network') {
        for (let k = 0; k < 300; k++) push(k % TICKS, { ...base, signal: pick(rng, FAILURE_SIGNALS), reporter: `${a.network}-p${mi}-${k}` });
      } else if (a.kind === 'replay (re-stamped, now)' || a.kind === 'replay (original minutes)') {
        for (let k = 0; k < 300 && captured.length; k++) {
          const c = captured[Math.floor(rng() * captured.length)] as AggregatableReport;
          const at = a.kind === 'replay (re-stamped, now)' ? t0 : Math.max(c.at, t0 - 47 * 3600_000);
          push(k % TICKS, { ...c, at, receivedAt: t0, networkHash: a.network, region: a.region, feature: a.feature });
        }
      } else if (a.kind === PREPARED) {
        fromEveryNetwork('http_5xx', (net, k) => (net + k) % TICKS, kept);
      } else if (a.kind === 'several networks, few people each') {
        fromEveryNetwork('http_5xx', (net, k) => (net + k) % TICKS, (net, k) => `${a.network}-n${net}-p${mi}-${k}`);
      } else {
        const ramp = Math.min(1, (t0 - a.start) / (4 * DAY_MIN * MIN));
        const n = poisson(rng, 60 * ramp);
        for (let k = 0; k < n; k++) push(k % TICKS, { ...base, signal: 'http_5xx', reporter: `${a.network}-p${mi}-${k}` });
      }
    }

    // Feed the store tick by tick and read the state as the status would at each tick.
    for (let tick = 0; tick < TICKS; tick++) {
      const batch = ticks[tick] as AggregatableReport[];
      for (const r of batch) store.add(r);
      reports += batch.length;
      batch.length = 0;
      const nowMs = t0 + (tick + 1) * TICK_MS;
      const last = tick === TICKS - 1;
      if (tick === 0) {
        for (const c of store.allCells()) {
          const key = `${c.region}|${c.feature}`;
          const t = tracked.get(key);
          if (!t || t.cell !== c.cell) tracked.set(key, { cell: c.cell, region: c.region, feature: c.feature, stepper: t?.stepper ?? new HysteresisStepper(o.thresholds.quietMinutes), shown: t?.shown ?? 'operational' });
        }
      }
      for (const [key, t] of tracked) {
        // As the status does: the minute's verdict (what it calls for and what it still holds up)
        // through the hysteresis; mid-minute a rise shows at once.
        const v = last ? store.minuteVerdict(t.cell, t0, t0 + MIN) : store.minuteVerdict(t.cell, t0, t0, nowMs);
        const raw = v.state;
        const shown: State = last ? t.stepper.step(raw, t0, v.hold).state : RANK[raw] > RANK[t.stepper.state] ? raw : t.stepper.state;
        if (shown !== 'operational') {
          for (const out of outages) {
            if (nowMs > out.start && nowMs <= out.end + AFTERMATH_MS) {
              if (!out.firstNonOp.has(key) && ownOf(out).has(key)) out.firstNonOp.set(key, nowMs);
              if (t.feature === ALL && !out.rollupNonOp.has(t.region) && out.regions.includes(t.region)) out.rollupNonOp.set(t.region, nowMs);
            }
          }
        }
        if (RANK[shown] > RANK[t.shown]) {
          const alert: Alert = { at: nowMs, region: t.region, feature: t.feature, from: t.shown, state: shown, cls: 'background' };
          // Every region is hit, so it covers its feature's cells and every region's roll-up, as an
          // outage of that feature would.
          const blip = blips.find((b) => nowMs > b.start && nowMs <= b.end + AFTERMATH_MS && (t.feature === b.feature || t.feature === ALL));
          if (outages.some((out) => nowMs > out.start && nowMs <= out.end + AFTERMATH_MS && covers(out.regions, out.feature, t.region, t.feature))) {
            if (nowMs >= scoredFrom) outageAlerts++;
          } else if (blip) {
            // A deploy blip is real but tiny: an alert in its own cells (every region, its feature)
            // is excused, and it is not an outage to detect.
            blip.called = true;
            if (nowMs >= scoredFrom) deployBlipAlerts.push({ ...alert, cls: 'deploy-blip' });
          } else {
            const attack = attacks.find((a) => nowMs > a.start && nowMs <= a.end + AFTERMATH_MS && covers(a.region, a.feature, t.region, t.feature));
            if (attack) {
              attack.succeeded = true;
              if (RANK[shown] > RANK[attack.moved.get(key) ?? 'operational']) attack.moved.set(key, shown);
            } else if (nowMs >= scoredFrom) {
              // Blamed on the noise event active in the cell (with its linger) that is most
              // specific to it (same country and feature, then same country, then same feature),
              // a heavy-tail minute only when nothing else as specific is active (they are
              // frequent: one would otherwise take the blame for a trending day it falls in), the
              // latest-starting among equals.
              const fit = (e: NoiseEvent) => 2 * ((e.regions !== null && e.regions.includes(t.region) ? 2 : 0) + (e.feature !== null && e.feature === t.feature ? 1 : 0)) + (e.cls === 'heavy-tail' ? 0 : 1);
              let blame: NoiseEvent | null = null;
              for (const e of noise) {
                if (!(e.start < nowMs && nowMs <= e.end + NOISE_LINGER_MS && covers(e.regions, e.feature, t.region, t.feature))) continue;
                if (!blame || fit(e) > fit(blame) || (fit(e) === fit(blame) && e.start > blame.start)) blame = e;
              }
              alert.cls = blame?.cls ?? 'background';
              falseAlerts.push(alert);
              if (o.log) {
                const jd = store.judgeAt(t.cell, t0, nowMs);
                const ex = store.expectationFor(t.cell, t0);
                o.log(
                  `false alert (${alert.cls}) ${new Date(nowMs).toISOString()} ${t.region}/${t.feature} ${t.shown}->${shown}: llr ${jd.evidence.llr.toFixed(1)} over ${jd.evidence.minutes} min, observed ${jd.evidence.observed} vs ${jd.expectedPerMinute.toFixed(1)}/min` +
                    ` (active ${store.activeAt(t.cell, t0)}, ${ex.source} share ${ex.share?.toFixed(4) ?? '-'}, dispersion ${jd.dispersion.toFixed(2)}, tail ${ex.tailDispersion?.toFixed(2) ?? '-'})`,
                );
              }
            }
          }
        }
        t.shown = shown;
      }
    }
    store.compact(t0 + MIN);
    for (const out of outages) {
      if (t0 <= out.start && t0 + MIN > out.start) {
        out.activeByRegion = Object.fromEntries(out.regions.map((r) => [r, activeNow.get(r) ?? 0]));
        out.activeAtStart = Math.max(...out.regions.map((r) => activeNow.get(r) ?? 0));
        // A slowly growing outage (a scenario with its own shape) is not in the target class at
        // its start, whatever its peak: it is scored apart (scenarios).
        out.target = !out.shape && out.affectedShare >= TARGET_MIN_SHARE && out.regions.some((r) => (activeNow.get(r) ?? 0) >= TARGET_MIN_ACTIVE);
      }
    }
    if (o.log && mi % 360 === 359) o.log(`day ${(mi + 1) / DAY_MIN}/${totalMinutes / DAY_MIN}: ${reports} reports so far, ${falseAlerts.length} false alerts`);
  }

  // Delays: to the server's verdict (any own cell), and to an affected user's badge (own cells of
  // the user's region or of all regions), with the user's region and phase drawn per outage.
  for (const out of outages) {
    const firsts = [...out.firstNonOp.values()];
    out.detectedAt = firsts.length ? Math.min(...firsts) : null;
    const draw = makeRng((o.seed * 104_729 + out.id) >>> 0);
    const weights = out.regions.map((r) => (out.activeByRegion[r] ?? regionShare(r)) * (out.regionFactor?.[r] ?? 1));
    let u = draw() * weights.reduce((a, b) => a + b, 0);
    out.userRegion = out.regions.find((_, i) => (u -= weights[i] as number) < 0) ?? (out.regions[0] as string);
    // The user's own row counts too (the badge reads the country's overall, which a one-feature
    // outage may move: a covered cell, though not one of the outage's own).
    const ownRow = out.rollupNonOp.get(out.userRegion);
    const mine = [...[...out.firstNonOp].filter(([k]) => k.startsWith(`${out.userRegion}|`)).map(([, v]) => v), ...(ownRow === undefined ? [] : [ownRow])];
    out.userCellAt = mine.length ? Math.min(...mine) : null;
    const others = [...out.rollupNonOp].filter(([r]) => r !== out.userRegion).map(([, v]) => v);
    out.elsewhereAt = others.length ? Math.min(...others) : null;
    // The same draws for both rules, so the difference is the rule's alone.
    const seed = (o.seed * 104_729 + out.id + 7) >>> 0;
    const horizon = out.end + AFTERMATH_MS;
    out.badgeAt = badgeTime({ start: out.start, end: out.end, serverNonOperationalAt: out.userCellAt, elsewhereNonOperationalAt: out.elsewhereAt, horizon, rng: makeRng(seed) });
    out.ownRegionBadgeAt = badgeTime({ start: out.start, end: out.end, serverNonOperationalAt: out.userCellAt, horizon, rng: makeRng(seed) });
  }
  const { log: _log, thresholds: _t, limitMinutes: _l, ...options } = o;
  return { options, outages, attacks, noise, falseAlerts, deployBlipAlerts, outageAlerts, reports, refusedReports: refused, elapsedMs: Date.now() - began };
}

// ---------------------------------------------------------------------------------------------
// Scoring

const round = (v: number | null) => (v === null ? null : Math.round(v));

function delayStats(outs: readonly ScoredOutage[]) {
  const server = outs.filter((x) => x.serverDelaySeconds !== null).map((x) => x.serverDelaySeconds as number);
  const badge = outs.filter((x) => x.badgeDelaySeconds !== null).map((x) => x.badgeDelaySeconds as number);
  const ownRegion = outs.filter((x) => x.ownRegionBadgeDelaySeconds != null).map((x) => x.ownRegionBadgeDelaySeconds as number);
  return {
    outages: outs.length,
    detected: server.length,
    missedOutages: outs.length - server.length,
    medianDelaySeconds: round(quantileOf(server, 0.5)),
    p95DelaySeconds: round(quantileOf(server, 0.95)),
    badgeSeen: badge.length,
    medianBadgeDelaySeconds: round(quantileOf(badge, 0.5)),
    p95BadgeDelaySeconds: round(quantileOf(badge, 0.95)),
    medianOwnRegionBadgeDelaySeconds: round(quantileOf(ownRegion, 0.5)),
    p95OwnRegionBadgeDelaySeconds: round(quantileOf(ownRegion, 0.95)),
  };
}

/** One outage as scored (kept in the JSON so several seeds can be pooled). */
export interface ScoredOutage {
  origin: Outage['origin'];
  name?: string;
  target: boolean;
  start: string;
  regions: string;
  feature: string;
  multiplier: number;
  affectedShare: number;
  activeAtStart: number;
  rampSeconds: number;
  minutes: number;
  userRegion: string | null;
  serverDelaySeconds: number | null;
  /** The server's verdict for the user's own cell (what the badge reads), so a result can be
   *  re-scored under another poll rule. */
  userCellDelaySeconds?: number | null;
  badgeDelaySeconds: number | null;
  /** The badge by the user's own country's verdict alone (without failingElsewhereToo). */
  ownRegionBadgeDelaySeconds?: number | null;
  /** Another country of the outage called (its row in the status answer). */
  elsewhereDelaySeconds?: number | null;
  /** Slowly growing outages: seconds from the start until 5 % of active people were affected. */
  targetShareAfterSeconds?: number;
}

function scoreOutage(x: Outage): ScoredOutage {
  let targetShareAfterSeconds: number | undefined;
  if (x.shape) {
    for (let e = 0; e <= x.end - x.start; e += 10_000) {
      if (x.affectedShare * x.shape(e) >= TARGET_MIN_SHARE) {
        targetShareAfterSeconds = e / 1000;
        break;
      }
    }
  }
  return {
    ...(targetShareAfterSeconds !== undefined ? { targetShareAfterSeconds } : {}),
    origin: x.origin,
    ...(x.name ? { name: x.name } : {}),
    target: x.target,
    start: new Date(x.start).toISOString(),
    regions: x.regions.length === REGIONS.length ? 'all' : x.regions.join(','),
    feature: x.feature ?? 'all',
    multiplier: Math.round(x.multiplier * 10) / 10,
    affectedShare: Math.round(x.affectedShare * 10000) / 10000,
    activeAtStart: x.activeAtStart,
    rampSeconds: Math.round(x.rampMs / 1000),
    minutes: Math.round((x.end - x.start) / MIN),
    userRegion: x.userRegion,
    serverDelaySeconds: x.detectedAt === null ? null : Math.round((x.detectedAt - x.start) / 1000),
    userCellDelaySeconds: x.userCellAt === null ? null : Math.round((x.userCellAt - x.start) / 1000),
    badgeDelaySeconds: x.badgeAt === null ? null : Math.round((x.badgeAt - x.start) / 1000),
    ownRegionBadgeDelaySeconds: x.ownRegionBadgeAt === null ? null : Math.round((x.ownRegionBadgeAt - x.start) / 1000),
    elsewhereDelaySeconds: x.elsewhereAt === null ? null : Math.round((x.elsewhereAt - x.start) / 1000),
  };
}

const SIZE_BUCKETS: [string, number, number][] = [
  ['1.5x-3x', 1.5, 3],
  ['3x-10x', 3, 10],
  ['10x-30x', 10, 30],
  ['30x-300x', 30, Infinity],
];
const TARGET_SHARE_BUCKETS: [string, number, number][] = [
  ['5%-10%', 0.05, 0.1],
  ['10%-25%', 0.1, 0.25],
  ['25%-90%', 0.25, Infinity],
];

function scopeStats(outs: readonly ScoredOutage[]) {
  return {
    oneRegion: delayStats(outs.filter((x) => x.regions !== 'all' && !x.regions.includes(','))),
    severalRegions: delayStats(outs.filter((x) => x.regions.includes(','))),
    global: delayStats(outs.filter((x) => x.regions === 'all')),
    oneFeature: delayStats(outs.filter((x) => x.feature !== 'all')),
    allFeatures: delayStats(outs.filter((x) => x.feature === 'all')),
  };
}

export interface ScoredAttack {
  kind: AttackKind;
  start: string;
  region: string;
  feature: string;
  networks: number;
  minutes: number;
  succeeded: boolean;
  moved: Record<string, State>;
}

/** The run's raw scored material: what `score` reads (and what several seeds pool). */
export interface RunRecord {
  seed: number;
  scoredDays: number;
  warmupDays: number;
  /** Seconds between status readings (absent in results written before it existed: 20). */
  tickSeconds?: number;
  totalUsers: number;
  noise: NoiseSwitches;
  reports: number;
  refusedReports: number;
  runSeconds: number;
  outages: ScoredOutage[];
  attacks: ScoredAttack[];
  falseAlerts: { at: string; region: string; feature: string; from: State; state: State; cls: string }[];
  deployBlips: { events: number; called: number; alerts: number };
  outageAlerts: number;
  noiseEvents: Record<string, number>;
}

export function record(r: SimResult): RunRecord {
  const scoredFrom = Date.UTC(2026, 0, 5) + r.options.warmupDays * DAY_MIN * MIN;
  const blips = r.noise.filter((e) => e.cls === 'deploy-blip' && e.start >= scoredFrom);
  const noiseEvents: Record<string, number> = {};
  for (const e of r.noise) if (e.start >= scoredFrom || e.end > scoredFrom) noiseEvents[e.cls] = (noiseEvents[e.cls] ?? 0) + 1;
  return {
    seed: r.options.seed,
    scoredDays: r.options.scoredDays,
    warmupDays: r.options.warmupDays,
    tickSeconds: r.options.tickSeconds ?? DEFAULT_TICK_SECONDS,
    totalUsers: r.options.totalUsers,
    noise: r.options.noise,
    reports: r.reports,
    refusedReports: r.refusedReports,
    runSeconds: Math.round(r.elapsedMs / 1000),
    outages: r.outages.filter((x) => x.measured).map(scoreOutage),
    attacks: r.attacks.filter((a) => a.measured).map((a) => ({ kind: a.kind, start: new Date(a.start).toISOString(), region: a.region, feature: a.feature, networks: a.networks, minutes: Math.round((a.end - a.start) / MIN), succeeded: a.succeeded, moved: Object.fromEntries(a.moved) })),
    falseAlerts: r.falseAlerts.map((a) => ({ at: new Date(a.at).toISOString(), region: a.region, feature: a.feature, from: a.from, state: a.state, cls: a.cls })),
    deployBlips: { events: blips.length, called: blips.filter((b) => b.called).length, alerts: r.deployBlipAlerts.length },
    outageAlerts: r.outageAlerts,
    noiseEvents,
  };
}

/** Targets of issue 4 (badge delays of the target class, false alerts, attacks). */
export const TARGETS = { medianBadgeDelaySeconds: 60, p95BadgeDelaySeconds: 180, falseAlertsPerWeek: 1, attackSuccesses: 0 } as const;

function rateOf(attacks: readonly ScoredAttack[]): number | null {
  return attacks.length ? Math.round((attacks.filter((a) => a.succeeded).length / attacks.length) * 1000) / 1000 : null;
}

/** Groups alert times into episodes: a new one starts more than 10 minutes after the last alert. */
export function episodes(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted.filter((t, i) => i === 0 || t - (sorted[i - 1] as number) > 10 * MIN).length;
}

/** Scores one run, or several pooled (outages, alerts and attacks added up; weeks summed). */
export function score(runs: readonly RunRecord[]) {
  const outages = runs.flatMap((r) => r.outages);
  const attacks = runs.flatMap((r) => r.attacks);
  const falseAlerts = runs.flatMap((r) => r.falseAlerts);
  const weeks = runs.reduce((a, r) => a + r.scoredDays / 7, 0);
  const target = outages.filter((x) => x.target);
  const t = delayStats(target);
  const overall = delayStats(outages);
  const perWeek = (n: number) => Math.round((n / weeks) * 100) / 100;
  const byClass: Record<string, number> = { background: 0 };
  for (const c of NOISE_CLASSES) byClass[c] = 0;
  for (const a of falseAlerts) byClass[a.cls] = (byClass[a.cls] ?? 0) + 1;
  const kinds = [...new Set(attacks.map((a) => a.kind))];
  const attackSuccessByClass = Object.fromEntries(
    kinds.map((k) => {
      const of = attacks.filter((a) => a.kind === k);
      return [k, { attempts: of.length, succeeded: of.filter((a) => a.succeeded).length, rate: rateOf(of) }];
    }),
  );
  const successes = attacks.filter((a) => a.succeeded).length;
  const targets = {
    medianBadgeDelay: t.medianBadgeDelaySeconds !== null && t.medianBadgeDelaySeconds <= TARGETS.medianBadgeDelaySeconds,
    p95BadgeDelay: t.p95BadgeDelaySeconds !== null && t.p95BadgeDelaySeconds <= TARGETS.p95BadgeDelaySeconds,
    allTargetOutagesSeen: t.badgeSeen === t.outages,
    falseAlertsPerWeek: falseAlerts.length / weeks <= TARGETS.falseAlertsPerWeek,
    attacks: successes <= TARGETS.attackSuccesses,
  };
  const blips = runs.reduce((a, r) => ({ events: a.events + r.deployBlips.events, called: a.called + r.deployBlips.called, alerts: a.alerts + r.deployBlips.alerts }), { events: 0, called: 0, alerts: 0 });
  return {
    seeds: runs.map((r) => r.seed),
    scoredWeeks: Math.round(weeks * 100) / 100,
    scoredDaysPerSeed: runs[0]?.scoredDays ?? 0,
    warmupDays: runs[0]?.warmupDays ?? 0,
    population: { totalUsers: runs[0]?.totalUsers ?? 0, regions: REGIONS.map((x) => ({ region: x.code, share: x.share })) },
    noise: runs[0]?.noise,
    reports: runs.reduce((a, r) => a + r.reports, 0),
    refusedReports: runs.reduce((a, r) => a + r.refusedReports, 0),
    runSeconds: runs.reduce((a, r) => a + r.runSeconds, 0),
    // Headline: the target class (>= 5 % of the active people of a region with >= 2,000 active).
    // Server delay: first reading of an own cell not operational; badge: an affected user's.
    medianDelaySeconds: t.medianDelaySeconds,
    p95DelaySeconds: t.p95DelaySeconds,
    badgeDelay: { median: t.medianBadgeDelaySeconds, p95: t.p95BadgeDelaySeconds, seen: t.badgeSeen, of: t.outages, ownRegionOnly: { median: t.medianOwnRegionBadgeDelaySeconds, p95: t.p95OwnRegionBadgeDelaySeconds } },
    missedOutages: overall.missedOutages,
    falseAlarmsPerWeek: perWeek(falseAlerts.length),
    alertsPerWeek: { total: perWeek(falseAlerts.length), byClass: Object.fromEntries(Object.entries(byClass).map(([k, v]) => [k, perWeek(v)])), counts: byClass },
    // The same alerts grouped into episodes (alerts in any cell less than 10 minutes apart, per
    // seed): one noisy moment often moves a country's cell and its roll-up together.
    falseAlertEpisodesPerWeek: perWeek(runs.reduce((a, r) => a + episodes(r.falseAlerts.map((x) => Date.parse(x.at))), 0)),
    // Every attack class, the prepared attacker included; per class beside it.
    attackSuccessRate: rateOf(attacks) ?? 0,
    attackSuccessByClass,
    attackSuccessRateOneNetwork: rateOf(attacks.filter((a) => a.networks === 1)),
    attackSuccessRateSeveralNetworks: rateOf(attacks.filter((a) => a.networks > 1 && a.kind !== PREPARED)),
    preparedAttackSuccessRate: rateOf(attacks.filter((a) => a.kind === PREPARED)),
    targets,
    targetsMet: Object.values(targets).every(Boolean),
    target: {
      definition: `affects >= ${TARGET_MIN_SHARE * 100}% of active users of a region with >= ${TARGET_MIN_ACTIVE} active (at the start)`,
      ...t,
      byOrigin: { scheduled: delayStats(target.filter((x) => x.origin === 'target')), random: delayStats(target.filter((x) => x.origin === 'random')), scenario: delayStats(target.filter((x) => x.origin === 'scenario')) },
      byScope: scopeStats(target),
      bySize: Object.fromEntries(TARGET_SHARE_BUCKETS.map(([name, lo, hi]) => [name, delayStats(target.filter((x) => x.affectedShare >= lo && x.affectedShare < hi))])),
    },
    scenarios: outages.filter((x) => x.origin === 'scenario').map((x) => ({ name: x.name, start: x.start, target: x.target, affectedShare: x.affectedShare, userRegion: x.userRegion, serverDelaySeconds: x.serverDelaySeconds, badgeDelaySeconds: x.badgeDelaySeconds, ...(x.targetShareAfterSeconds !== undefined ? { targetShareAfterSeconds: x.targetShareAfterSeconds } : {}) })),
    deployBlips: blips,
    alertsExplainedByOutages: runs.reduce((a, r) => a + r.outageAlerts, 0),
    randomMix: delayStats(outages.filter((x) => x.origin === 'random')),
    overall,
    bySize: Object.fromEntries(SIZE_BUCKETS.map(([name, lo, hi]) => [name, delayStats(outages.filter((x) => x.origin !== 'scenario' && x.multiplier >= lo && x.multiplier < hi))])),
    byScope: scopeStats(outages),
    successfulAttacks: attacks.filter((a) => a.succeeded),
    falseAlarms: falseAlerts,
    missed: outages.filter((x) => x.serverDelaySeconds === null),
    perSeed: runs.map((r) => {
      const s = delayStats(r.outages.filter((x) => x.target));
      return { seed: r.seed, runSeconds: r.runSeconds, targetOutages: s.outages, detected: s.detected, badgeSeen: s.badgeSeen, median: s.medianDelaySeconds, p95: s.p95DelaySeconds, badgeMedian: s.medianBadgeDelaySeconds, badgeP95: s.p95BadgeDelaySeconds, falseAlerts: r.falseAlerts.length, attackSuccesses: r.attacks.filter((a) => a.succeeded).length, attacks: r.attacks.length };
    }),
    runs,
  };
}

/** One run scored (kept for callers of the old API). */
export function summarise(r: SimResult) {
  return score([record(r)]);
}
