/**
 * Turns a minute-by-minute series of raw verdicts into the state shown to people: a state goes up
 * at once, and comes down only after `quietMinutes` minutes in a row below it, so a cell does not
 * flicker while an outage is winding down.
 */
import type { State, StateSince } from '../../shared/protocol.ts';

const RANK: Record<State, number> = { operational: 0, degraded: 1, outage: 2 };

/** `raw[i]` is the raw verdict of the minute starting at `firstMinute + i * stepMs`. */
export function applyHysteresis(raw: readonly State[], firstMinute: number, stepMs: number, quietMinutes: number): StateSince {
  let state: State = 'operational';
  let since: number | null = null;
  let quiet = 0;
  let quietPeak: State = 'operational';
  raw.forEach((r, i) => {
    const minute = firstMinute + i * stepMs;
    if (RANK[r] > RANK[state]) {
      state = r;
      since = minute;
      quiet = 0;
    } else if (RANK[r] === RANK[state]) {
      quiet = 0;
    } else {
      quietPeak = quiet === 0 || RANK[r] > RANK[quietPeak] ? r : quietPeak;
      quiet++;
      if (quiet >= quietMinutes) {
        // Step down to the worst level seen while quiet, not straight to operational.
        state = quietPeak;
        since = minute;
        quiet = 0;
      }
    }
  });
  return { state, since };
}
