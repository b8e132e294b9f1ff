/**
 * The usual level of failing reporters for a minute, first version: the median of the same
 * minute-of-day over previous days when that history exists, else the median of the trailing
 * hours. Pure: counts come through a lookup function.
 */
export const DAY_MS = 86_400_000;
export const MINUTE_MS = 60_000;

export interface BaselineOptions {
  /** Earliest minute the counts are complete for; older minutes are unknown, not zero. */
  knownSince: number;
  /** How many previous days to look at for the same minute-of-day. */
  days: number;
  /** Length of the trailing window used when no previous day is known. */
  trailingMs: number;
  /** The minutes just before `minute` left out of the trailing window, so an outage that began a
   *  few minutes ago does not raise its own baseline. */
  trailingGapMs: number;
  /** Fewer known trailing minutes than this and the baseline is 0 (nothing to compare with yet). */
  minTrailingMinutes: number;
}

export const DEFAULT_BASELINE: Omit<BaselineOptions, 'knownSince'> = {
  days: 7,
  trailingMs: 6 * 60 * MINUTE_MS,
  trailingGapMs: 15 * MINUTE_MS,
  minTrailingMinutes: 30,
};

export function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function baselineAt(minute: number, countAt: (minute: number) => number, o: BaselineOptions): number {
  const previousDays: number[] = [];
  for (let d = 1; d <= o.days; d++) {
    const m = minute - d * DAY_MS;
    if (m >= o.knownSince) previousDays.push(countAt(m));
  }
  if (previousDays.length) return median(previousDays);
  const trailing: number[] = [];
  const end = minute - o.trailingGapMs;
  for (let m = Math.max(o.knownSince, minute - o.trailingMs); m < end; m += MINUTE_MS) trailing.push(countAt(m));
  return trailing.length >= o.minTrailingMinutes ? median(trailing) : 0;
}
