/**
 * Delay to the badge: when an affected user's extension first shows a verdict that is not
 * operational (its own country's, or another country's while X fails here). The client polls by the extension's own rule (`nextPollAt` in
 * src/shared/poll-policy.ts); the answer it gets may be up to `max-age` (5 s, the server's
 * Cache-Control on /v1/status) stale, as a CDN or the browser cache may serve it.
 */
import { nextPollAt, POLL_POLICY, type PollPolicy } from '../../src/shared/poll-policy.ts';

export const STATUS_MAX_AGE_MS = 5_000;

export interface BadgeInput {
  /** Outage start: the user is affected from a moment in its first minute. */
  start: number;
  /** Outage end: local failures stop. */
  end: number;
  /** First moment the server's verdict for the user's own cell is not operational (null: never). */
  serverNonOperationalAt: number | null;
  /** First moment another country the outage covers is called (its all-features row in the
   *  status answer): the badge shows it while X has failed here within the poll rule's watch
   *  (src/background/badge.ts, failingElsewhereToo). Null or absent: never. */
  elsewhereNonOperationalAt?: number | null;
  /** Polls after this time do not count (the outage's aftermath is over). */
  horizon: number;
  rng: () => number;
  policy?: PollPolicy;
  maxAgeMs?: number;
}

/** The time of the first poll whose (possibly stale) answer is not operational, or null. */
export function badgeTime(b: BadgeInput): number | null {
  const policy = b.policy ?? POLL_POLICY;
  const maxAge = b.maxAgeMs ?? STATUS_MAX_AGE_MS;
  // The user's first failure somewhere in the outage's first minute, then one a minute (the
  // extension's coalescing) while it lasts; the last calm poll up to a minute before that.
  const firstFailure = b.start + b.rng() * 60_000;
  let lastPollAt = firstFailure - b.rng() * policy.calmMs;
  let freshUntil: number | null = lastPollAt + maxAge;
  let nextFailure = firstFailure;
  let lastFailure: number | null = null;
  let now = lastPollAt;
  for (let guard = 0; guard < 100_000; guard++) {
    const due = Math.max(now, nextPollAt({ lastPollAt, troubled: false, lastLocalFailureAt: lastFailure, freshUntil }, policy));
    if (nextFailure < b.end && nextFailure <= due) {
      // A failure comes before the poll: it may bring the poll forward.
      now = nextFailure;
      lastFailure = nextFailure;
      nextFailure += 60_000;
      continue;
    }
    if (due > b.horizon) return null;
    now = due;
    const age = b.rng() * maxAge;
    if (b.serverNonOperationalAt !== null && due - age >= b.serverNonOperationalAt) return due;
    const failingHere = lastFailure !== null && due - lastFailure <= policy.watchMs;
    if (failingHere && b.elsewhereNonOperationalAt != null && due - age >= b.elsewhereNonOperationalAt) return due;
    lastPollAt = due;
    freshUntil = due + maxAge;
  }
  return null;
}
