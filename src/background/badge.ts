/**
 * Badge for the toolbar icon: calm (no text, never "0") when X works, "!" on amber when it is
 * having problems, "DOWN" on red when the user's region is in outage.
 */
import type { State, StatusResponse } from '../shared/protocol.ts';

export const BADGE_COLORS = { degraded: '#B45309', outage: '#C62828', calm: '#5F6368' } as const;

export type BadgeTitleKey = 'badgeTitleUnknown' | 'badgeTitleOperational' | 'badgeTitleDegraded' | 'badgeTitleElsewhere' | 'badgeTitleOutage';

export interface Badge {
  text: string;
  color: string;
  titleKey: BadgeTitleKey;
  state: State | 'unknown';
}

/** The state for the user's region: the region's entry if listed, else `overall` (asked for that region). */
export function regionVerdict(status: StatusResponse | null, region: string): State | 'unknown' {
  if (!status) return 'unknown';
  const listed = status.regions.find((r) => r.region === region)?.state;
  const overall = status.overall.state;
  const rank: Record<State, number> = { operational: 0, degraded: 1, outage: 2 };
  // The region-scoped overall and the region's own row can disagree briefly; show the worse.
  if (listed && rank[listed] > rank[overall]) return listed;
  if (overall === 'operational' && status.features.some((f) => f.state !== 'operational')) return 'degraded';
  return overall;
}

export interface BadgeContext {
  /** X failed in this browser within the last couple of minutes (a failure it would report). */
  failingHere?: boolean;
}

/**
 * Failing here while other countries are called: the user's own country may simply be too small
 * to have been called yet (a country with a few hundred users needs more minutes of evidence than
 * one with thousands, in the same outage), and someone staring at a broken timeline should not be
 * told all is well. Never from a failure here alone (that may be their connection or bad luck),
 * never from other countries alone (the badge is about the user's country).
 */
export function failingElsewhereToo(status: StatusResponse | null, region: string, ctx: BadgeContext): boolean {
  return !!ctx.failingHere && !!status && status.regions.some((r) => r.region !== region && r.state !== 'operational');
}

export function badgeFor(status: StatusResponse | null, region: string, ctx: BadgeContext = {}): Badge {
  const state = regionVerdict(status, region);
  if (state === 'operational' && failingElsewhereToo(status, region, ctx)) {
    return { text: '!', color: BADGE_COLORS.degraded, titleKey: 'badgeTitleElsewhere', state: 'degraded' };
  }
  switch (state) {
    case 'outage':
      return { text: 'DOWN', color: BADGE_COLORS.outage, titleKey: 'badgeTitleOutage', state };
    case 'degraded':
      return { text: '!', color: BADGE_COLORS.degraded, titleKey: 'badgeTitleDegraded', state };
    case 'operational':
      return { text: '', color: BADGE_COLORS.calm, titleKey: 'badgeTitleOperational', state };
    default:
      return { text: '', color: BADGE_COLORS.calm, titleKey: 'badgeTitleUnknown', state };
  }
}
