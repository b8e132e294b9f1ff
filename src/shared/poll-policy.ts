/**
 * When the extension asks the server for the verdict. Shared by the background (which follows it)
 * and the detection benchmark (which adds it to the server's delay, so "delay to the badge" is
 * measured with the very rule the extension runs). Pure: times in, a time out.
 *
 * - All well: at most one request a minute (the calm interval), whatever else happens.
 * - A failure seen in this browser: ask at once, and once more a follow-up later (the crowd needs
 *   a minute to agree, and the first answer usually predates it). Failure-driven requests are
 *   never closer than the follow-up: "at once" right after a request means a follow-up after that
 *   request, and failures that keep coming (a page retrying, a burst of 1,000 failed calls) cost
 *   one request per follow-up interval, not one per failure.
 * - The verdict shown is not operational: ask often, so the badge follows the outage closely.
 * - Never before the last answer's `Cache-Control: max-age` runs out (a CDN may carry the
 *   status; asking sooner would only fetch the same copy again), nor closer than a minimum gap.
 */
export interface PollPolicy {
  /** Between requests while the verdict shown is operational (or unknown). */
  calmMs: number;
  /** Between requests while the verdict shown is degraded or outage. */
  troubledMs: number;
  /**
   * After a failure seen locally, ask again this long after the request that followed it; also
   * the least spacing of requests brought forward by failures.
   */
  followUpMs: number;
  /** For this long after a failure seen here, keep asking every `followUpMs`: the crowd needs a
   *  minute or so to agree, and someone looking at a broken timeline wants to know as soon as it
   *  does (one follow-up left the badge up to a calm minute behind the server). */
  watchMs: number;
  /** No two requests closer than this. */
  minGapMs: number;
}

export const POLL_POLICY: PollPolicy = {
  calmMs: 60_000,
  troubledMs: 15_000,
  // As often as the server's `max-age` (5 s) lets a fresh answer through: every second between
  // the server's call and the next request is a second on the badge (docs/polling.md).
  followUpMs: 5_000,
  watchMs: 120_000,
  minGapMs: 5_000,
};

export interface PollState {
  /** When the last status request was sent; null before the first. */
  lastPollAt: number | null;
  /** Whether the verdict shown (for the user's region) is something other than operational. */
  troubled: boolean;
  /** When this browser last saw X fail (a failure it would report); null if never. */
  lastLocalFailureAt: number | null;
  /** Until when the last answer is fresh by its Cache-Control max-age; null if it said nothing. */
  freshUntil: number | null;
}

/** The time the next status request is due (it may be in the past: then it is due now). */
export function nextPollAt(s: PollState, p: PollPolicy = POLL_POLICY): number {
  if (s.lastPollAt === null) return s.lastLocalFailureAt ?? -Infinity;
  const last = s.lastPollAt;
  let due = last + (s.troubled ? p.troubledMs : p.calmMs);
  const f = s.lastLocalFailureAt;
  // A failure seen here: now (not asked since it), then every follow-up until `watchMs` after it,
  // but never sooner than a follow-up after the last request.
  if (f !== null && (f > last || last + p.followUpMs <= f + p.watchMs)) due = Math.min(due, Math.max(f, last + p.followUpMs));
  return Math.max(due, last + p.minGapMs, s.freshUntil ?? -Infinity);
}

/** A `max-age` longer than this is not believed: a misconfigured cache must not freeze the badge. */
export const MAX_FRESH_MS = 10 * 60_000;

/**
 * Until when an answer received at `receivedAt` is fresh, from its `Cache-Control` and `Age`
 * headers (a CDN's copy may already be `Age` seconds old); null when it gives no max-age. Never
 * more than `MAX_FRESH_MS` ahead.
 */
export function freshUntilOf(receivedAt: number, cacheControl: string | null | undefined, age?: string | null): number | null {
  const maxAge = maxAgeSeconds(cacheControl);
  if (maxAge === null) return null;
  const ageS = age && /^\s*\d+\s*$/.test(age) ? Number(age) : 0;
  return receivedAt + Math.min(Math.max(0, maxAge - ageS) * 1000, MAX_FRESH_MS);
}

/** Seconds of `max-age` in a Cache-Control header value, or null when it gives none. */
export function maxAgeSeconds(cacheControl: string | null | undefined): number | null {
  if (!cacheControl) return null;
  let maxAge: number | null = null;
  for (const part of cacheControl.split(',')) {
    const [name, value] = part.trim().split('=') as [string, string | undefined];
    const key = name.trim().toLowerCase();
    if (key === 'no-store' || key === 'no-cache') return 0;
    if (key === 'max-age' && value !== undefined && /^\d+$/.test(value.trim())) maxAge = Number(value.trim());
  }
  return maxAge;
}
