import { describe, expect, it } from 'vitest';
import { alignmentAt, DAY_MS, type BlockSummary } from '../../src/server/detection/baseline.ts';
import { seriesBaseline } from '../../src/server/detection/series-detector.ts';

const STEP = 5 * 60_000;
const HOUR = 3600_000;
const options = { ...seriesBaseline(STEP), alignHours: 24 };

/** Five-minute blocks of a rhythm people keep in local time: quiet nights, busy days from 07:00. */
function blocks(days: number, offsetAt: (at: number) => number, odd?: { day: number | readonly number[]; times: number }): Map<number, BlockSummary> {
  const map = new Map<number, BlockSummary>();
  const start = Date.UTC(2026, 2, 1);
  for (let at = start; at < start + days * DAY_MS; at += STEP) {
    const localH = ((((at + offsetAt(at)) / HOUR) % 24) + 24) % 24;
    let rate = localH >= 7 && localH < 22 ? 40 : 4;
    if (odd && ([] as number[]).concat(odd.day).includes(Math.floor((at - start) / DAY_MS)) && localH >= 7 && localH < 12) rate *= odd.times;
    map.set(at, { minutes: 1, failing: rate, failingSq: rate * rate, active: 0, troubled: false });
  }
  return map;
}

describe('clock alignment of earlier days and weeks', () => {
  const start = Date.UTC(2026, 2, 1);
  // Judged at noon UTC on day 40.
  const now = start + 40 * DAY_MS + 12 * HOUR;

  it('shifts the days and weeks before a change of clock by an hour, and none since', () => {
    // Local time UTC-6, then UTC-5 from three and a half days before now.
    const change = now - 3.5 * DAY_MS;
    const map = blocks(41, (at) => (at < change ? -6 : -5) * HOUR);
    const a = alignmentAt(now, (b) => map.get(b), options);
    // Days 1-3 back are after the change; days 4-7 and every week before it. Their rise came an
    // hour later in UTC, so they are read an hour later than now's time.
    expect(a.day.map((x) => x / HOUR)).toEqual([0, 0, 0, 1, 1, 1, 1]);
    expect(a.week.every((x) => x === HOUR)).toBe(true);
  });

  it('shifts nothing in a series without a change, nor for one odd morning', () => {
    const steady = blocks(41, () => -6 * HOUR);
    expect(alignmentAt(now, (b) => steady.get(b), options)).toEqual({ day: [0, 0, 0, 0, 0, 0, 0], week: [0, 0, 0, 0, 0, 0, 0, 0] });
    // Yesterday's morning three times as busy: no one clock change explains it.
    const odd = blocks(41, () => -6 * HOUR, { day: 39, times: 3 });
    expect(alignmentAt(now, (b) => odd.get(b), options)).toEqual({ day: [0, 0, 0, 0, 0, 0, 0], week: [0, 0, 0, 0, 0, 0, 0, 0] });
  });

  it('takes a known change when the rows agree with it, even where the search finds none', () => {
    // Changed 12 days ago; the four days before yesterday had mornings three times as busy (a
    // conference, say). The unmoved days' distances then swamp the search's bar over all periods,
    // but the weeks the known change moves still fit far better moved.
    const change = now - 12 * DAY_MS;
    const map = blocks(41, (at) => (at < change ? -6 : -5) * HOUR, { day: [35, 36, 37, 38], times: 3 });
    const blockAt = (b: number) => map.get(b);
    const none = { day: [0, 0, 0, 0, 0, 0, 0], week: [0, 0, 0, 0, 0, 0, 0, 0] };
    expect(alignmentAt(now, blockAt, options)).toEqual(none);
    const a = alignmentAt(now, blockAt, options, [{ at: change, shiftMs: HOUR }]);
    expect(a.day.map((x) => x / HOUR)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(a.week.map((x) => x / HOUR)).toEqual([0, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('does not take a known change the rows do not show (a series kept in local time)', () => {
    const local = blocks(41, () => -6 * HOUR);
    const none = { day: [0, 0, 0, 0, 0, 0, 0], week: [0, 0, 0, 0, 0, 0, 0, 0] };
    for (const back of [0.4, 3.5, 12]) expect(alignmentAt(now, (b) => local.get(b), options, [{ at: now - back * DAY_MS, shiftMs: HOUR }])).toEqual(none);
  });
});
