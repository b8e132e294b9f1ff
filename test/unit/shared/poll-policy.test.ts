import { describe, expect, it } from 'vitest';
import { freshUntilOf, MAX_FRESH_MS, maxAgeSeconds, nextPollAt, POLL_POLICY } from '../../../src/shared/poll-policy.ts';
import type { PollState } from '../../../src/shared/poll-policy.ts';

const T = 1_000_000_000;
const S = 1_000;
const state = (over: Partial<PollState> = {}): PollState => ({ lastPollAt: T, troubled: false, lastLocalFailureAt: null, freshUntil: null, ...over });

describe('nextPollAt', () => {
  it('asks at once before the first request', () => {
    expect(nextPollAt(state({ lastPollAt: null }))).toBeLessThanOrEqual(T);
    expect(nextPollAt(state({ lastPollAt: null, lastLocalFailureAt: T }))).toBe(T);
  });

  it('asks once a minute while calm, every 15 s while troubled', () => {
    expect(nextPollAt(state())).toBe(T + 60 * S);
    expect(nextPollAt(state({ troubled: true }))).toBe(T + 15 * S);
  });

  it('asks at once after a failure, then every follow-up for two minutes', () => {
    // Last asked 40 s before the failure: now.
    expect(nextPollAt(state({ lastPollAt: T - 40 * S, lastLocalFailureAt: T }))).toBe(T);
    // Asked at the failure: the follow-up 5 s later, and so on while the failure is watched.
    expect(nextPollAt(state({ lastPollAt: T, lastLocalFailureAt: T }))).toBe(T + 5 * S);
    expect(nextPollAt(state({ lastPollAt: T + 1 * S, lastLocalFailureAt: T }))).toBe(T + 6 * S);
    expect(nextPollAt(state({ lastPollAt: T + 10 * S, lastLocalFailureAt: T }))).toBe(T + 15 * S);
    expect(nextPollAt(state({ lastPollAt: T + 115 * S, lastLocalFailureAt: T }))).toBe(T + 120 * S);
    // Two minutes watched: back to the calm minute.
    expect(nextPollAt(state({ lastPollAt: T + 120 * S, lastLocalFailureAt: T }))).toBe(T + 180 * S);
    expect(POLL_POLICY.watchMs).toBe(120 * S);
  });

  it('never brings a request closer than a follow-up to the last one for failures', () => {
    // Asked 3 s before the failure: the answer is fresh enough, ask 5 s after that request.
    expect(nextPollAt(state({ lastPollAt: T - 3 * S, lastLocalFailureAt: T }))).toBe(T + 2 * S);
    // Failures that keep coming after every request: one request per 5 s, not one per failure.
    let last = T - 60 * S;
    const polls: number[] = [];
    for (let now = T; now < T + 120 * S; now += 100) {
      const due = nextPollAt(state({ lastPollAt: last, lastLocalFailureAt: now }));
      if (due <= now) {
        polls.push(now);
        last = now;
      }
    }
    expect(polls[0]).toBe(T);
    expect(polls.length).toBe(24);
    for (let i = 1; i < polls.length; i++) expect(polls[i]! - polls[i - 1]!).toBe(5 * S);
  });

  it('takes whichever is sooner of the troubled pace and the follow-up', () => {
    expect(nextPollAt(state({ troubled: true }))).toBe(T + 15 * S);
    expect(nextPollAt(state({ troubled: true, lastLocalFailureAt: T + 1 * S }))).toBe(T + 5 * S);
    expect(nextPollAt(state({ troubled: true, lastLocalFailureAt: T + 1 * S }), { ...POLL_POLICY, followUpMs: 30 * S })).toBe(T + 15 * S);
  });

  it('never asks before the answer is stale by its max-age, nor closer than the minimum gap', () => {
    expect(nextPollAt(state({ lastPollAt: T - 40 * S, lastLocalFailureAt: T, freshUntil: T + 7 * S }))).toBe(T + 7 * S);
    expect(nextPollAt(state({ freshUntil: T + 90 * S }))).toBe(T + 90 * S);
    const quick = { ...POLL_POLICY, troubledMs: 1 * S };
    expect(nextPollAt(state({ troubled: true }), quick)).toBe(T + POLL_POLICY.minGapMs);
  });
});

describe('Cache-Control', () => {
  it('reads max-age, and no-store / no-cache as 0', () => {
    expect(maxAgeSeconds('public, max-age=10')).toBe(10);
    expect(maxAgeSeconds('Max-Age=30, public')).toBe(30);
    expect(maxAgeSeconds('public, s-maxage=300')).toBeNull();
    expect(maxAgeSeconds('max-age=ten')).toBeNull();
    expect(maxAgeSeconds('no-store')).toBe(0);
    expect(maxAgeSeconds('public, no-cache, max-age=60')).toBe(0);
    expect(maxAgeSeconds('')).toBeNull();
    expect(maxAgeSeconds(null)).toBeNull();
  });

  it('dates freshness from the answer, less its Age, and caps it', () => {
    expect(freshUntilOf(T, 'public, max-age=10')).toBe(T + 10 * S);
    expect(freshUntilOf(T, 'public, max-age=10', '4')).toBe(T + 6 * S);
    expect(freshUntilOf(T, 'public, max-age=10', '40')).toBe(T);
    expect(freshUntilOf(T, 'public, max-age=10', 'junk')).toBe(T + 10 * S);
    expect(freshUntilOf(T, 'max-age=31536000')).toBe(T + MAX_FRESH_MS);
    expect(freshUntilOf(T, null)).toBeNull();
  });
});
