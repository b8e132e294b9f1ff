/**
 * The simulated crowd: consenting extension users per region, who is active when (daily and
 * weekly rhythms in local time), their daily pseudonyms and networks, and which feature they are
 * using. Scaled down from real x.com traffic (see docs/detection-benchmarks.md): what matters to
 * the detector is how many extension users are active per region, not how many people use X.
 */
import type { Feature } from '../../src/shared/protocol.ts';
import { unitHash } from './random.ts';

export interface Region {
  code: string;
  /** Share of all extension users. */
  share: number;
  /** Hours from UTC, for the local rhythm. */
  utcOffset: number;
}

export const REGIONS: readonly Region[] = [
  { code: 'US', share: 0.45, utcOffset: -5 },
  { code: 'FR', share: 0.15, utcOffset: 1 },
  { code: 'GB', share: 0.1, utcOffset: 0 },
  { code: 'JP', share: 0.1, utcOffset: 9 },
  { code: 'DE', share: 0.06, utcOffset: 1 },
  { code: 'BR', share: 0.06, utcOffset: -3 },
  { code: 'IN', share: 0.05, utcOffset: 5.5 },
  { code: 'ES', share: 0.03, utcOffset: 1 },
];

/** What share of active people use each feature in a minute (an all-features outage hits all). */
export const FEATURE_WEIGHTS: readonly [Feature, number][] = [
  ['timeline', 0.42],
  ['post', 0.1],
  ['media', 0.1],
  ['dm', 0.08],
  ['notifications', 0.08],
  ['search', 0.06],
  ['profile', 0.06],
  ['login', 0.02],
  ['follow', 0.03],
  ['spaces', 0.01],
  ['other', 0.04],
];

export function featureFor(u: number): Feature {
  let acc = 0;
  for (const [f, w] of FEATURE_WEIGHTS) {
    acc += w;
    if (u < acc) return f;
  }
  return 'other';
}

export function featureWeight(feature: Feature): number {
  return FEATURE_WEIGHTS.find(([f]) => f === feature)?.[1] ?? 0;
}

/** Share of a region's users active at a local hour: low before dawn, peak in the evening. */
const HOURLY = [0.35, 0.25, 0.18, 0.15, 0.15, 0.2, 0.35, 0.55, 0.65, 0.7, 0.7, 0.72, 0.75, 0.72, 0.7, 0.7, 0.72, 0.78, 0.85, 0.92, 1.0, 0.98, 0.85, 0.6];

export function activity(utcMs: number, region: Region): number {
  const localHours = ((utcMs / 3600_000 + region.utcOffset) % 24 + 24) % 24;
  const h = Math.floor(localHours);
  const frac = localHours - h;
  const level = (HOURLY[h] as number) * (1 - frac) + (HOURLY[(h + 1) % 24] as number) * frac;
  const localDay = new Date(utcMs + region.utcOffset * 3600_000).getUTCDay();
  const weekend = localDay === 0 || localDay === 6 ? 1.1 : 1;
  return level * weekend;
}

export interface RegionPopulation {
  region: Region;
  /** Extension users in the region usually (what the active share is of). */
  users: number;
  /** People active people are drawn from: `users` times a factor, so that level shifts (growth,
   *  trending days, a surge into one feature) can bring in people who are not usually there. */
  pool: number;
  /** Share of users active at the busiest hour. */
  peakActive: number;
  /** Cached per UTC day: pseudonyms and network hashes rotate daily, as in the product. */
  day: number;
  pseudonyms: string[];
  networks: string[];
}

export function makePopulation(totalUsers: number, peakActive: number, poolFactor = 1): RegionPopulation[] {
  return REGIONS.map((region) => {
    const users = Math.round(totalUsers * region.share);
    return { region, users, pool: Math.round(users * poolFactor), peakActive, day: -1, pseudonyms: [], networks: [] };
  });
}

const CGNAT_SHARE = 0.06;
const CGNAT_NETWORKS = 10;
const USERS_PER_HOME_NETWORK = 1.6;

/** Rebuilds the day's pseudonyms and network names for a region when the UTC day changes. */
export function ensureDay(p: RegionPopulation, day: number): void {
  if (p.day === day) return;
  p.day = day;
  const code = p.region.code;
  const homeNetworks = Math.max(1, Math.round(p.pool / USERS_PER_HOME_NETWORK));
  p.pseudonyms = new Array<string>(p.pool);
  p.networks = new Array<string>(p.pool);
  for (let i = 0; i < p.pool; i++) {
    p.pseudonyms[i] = `${code}${i}d${day}`;
    const u = unitHash(i, 1 + code.charCodeAt(0) * 256 + code.charCodeAt(1));
    p.networks[i] = u < CGNAT_SHARE ? `${code}cg${Math.floor((u / CGNAT_SHARE) * CGNAT_NETWORKS)}d${day}` : `${code}n${Math.floor(unitHash(i, 99) * homeNetworks)}d${day}`;
  }
}

/** Active users at a minute: a window of the day's shuffled pool that drifts (churn). `level` is
 *  the activity curve times any level shift; the window never exceeds the pool. */
export function activeWindow(p: RegionPopulation, minuteIndex: number, level: number): { start: number; count: number } {
  const count = Math.min(p.pool, Math.round(p.users * p.peakActive * level));
  // About a third of the usual users pass through the window in a day, besides its growth and shrinking.
  const start = Math.floor(((minuteIndex % 1440) * p.users) / (1440 * 3) + unitHash(Math.floor(minuteIndex / 1440), 7) * p.pool);
  return { start, count };
}
