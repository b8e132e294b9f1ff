/**
 * When the clocks of the places with most of X's users changed (summer time), read from the time
 * zone database the runtime carries (Intl), so past years follow their own rules (the US changed
 * on the first Sunday of April until 2006, on the second Sunday of March since; Brazil and Mexico
 * stopped changing in 2019 and 2022).
 *
 * Why the series path needs them: a series kept in UTC whose people keep local time shifts its
 * whole day by an hour at a change, and on the first morning after one nothing in the recent hours
 * shows the new time yet (the night before is flat), so the alignment fit (`alignmentAt`) cannot
 * see it until the morning's rise has already been read against the old time.
 */

/** One zone per rule of the largest audiences that change clocks: the US and Canada, and the EU
 *  and UK (the same instant everywhere in it). Each zone watched costs every series two days a
 *  year of a hedged level (see series-detector.ts); with Brazil, Mexico and Australia as well,
 *  local-time flight series lost as much by it (one injected rise fewer found, one false alert
 *  more, in 80 weeks) as the US change alone gave back in series kept in UTC. */
export const WATCHED_ZONES: readonly string[] = ['America/New_York', 'Europe/London'];

export interface ClockChange {
  /** The instant (ms, UTC) the zone's offset changed. */
  at: number;
  /** New offset minus old offset (ms): +1 h when clocks go forward. */
  shiftMs: number;
  zone: string;
}

const DAY = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();
const byYear = new Map<number, ClockChange[]>();

/** The zone's offset from UTC (ms) at an instant. */
export function offsetAt(zone: string, at: number): number {
  let f = formatters.get(zone);
  if (!f) formatters.set(zone, (f = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' })));
  const name = f.formatToParts(new Date(at)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /^GMT([+-])(\d{1,2})(?::(\d{2}))?$/.exec(name);
  if (!m) return 0;
  const sign = m[1] === '-' ? -1 : 1;
  return sign * (Number(m[2]) * 3600_000 + Number(m[3] ?? 0) * 60_000);
}

function changesIn(year: number): ClockChange[] {
  let known = byYear.get(year);
  if (known) return known;
  known = [];
  const from = Date.UTC(year, 0, 1);
  const to = Date.UTC(year + 1, 0, 1);
  for (const zone of WATCHED_ZONES) {
    let before = offsetAt(zone, from);
    for (let day = from; day < to; day += DAY) {
      const after = offsetAt(zone, day + DAY);
      if (after === before) continue;
      // The change lies within this day: narrow it to the minute.
      let lo = day;
      let hi = day + DAY;
      while (hi - lo > 60_000) {
        const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
        if (offsetAt(zone, mid) === before) lo = mid;
        else hi = mid;
      }
      known.push({ at: hi, shiftMs: after - before, zone });
      before = after;
    }
  }
  known.sort((a, b) => a.at - b.at);
  byYear.set(year, known);
  return known;
}

/** The watched clock changes in (from, to]. */
export function clockChangesBetween(from: number, to: number): ClockChange[] {
  if (!Number.isFinite(from) || !Number.isFinite(to) || to <= from) return [];
  const out: ClockChange[] = [];
  const first = new Date(from).getUTCFullYear();
  const last = new Date(to).getUTCFullYear();
  for (let y = first; y <= last; y++) for (const c of changesIn(y)) if (c.at > from && c.at <= to) out.push(c);
  return out;
}
