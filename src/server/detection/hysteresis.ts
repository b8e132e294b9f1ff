/**
 * Turns a minute-by-minute series of raw verdicts into the state shown to people: a state goes up
 * at once, and comes down only after `quietMinutes` minutes in a row below it, so a cell does not
 * flicker while an outage is winding down.
 */
import type { State, StateSince } from '../../shared/protocol.ts';

const RANK: Record<State, number> = { operational: 0, degraded: 1, outage: 2 };

/** The same rule one minute at a time, for callers that follow a cell as the clock moves. */
export class HysteresisStepper {
  state: State = 'operational';
  since: number | null = null;
  private quiet = 0;
  private quietPeak: State = 'operational';

  constructor(private readonly quietMinutes: number) {}

  step(raw: State, minute: number): StateSince {
    if (RANK[raw] > RANK[this.state]) {
      this.state = raw;
      this.since = minute;
      this.quiet = 0;
    } else if (RANK[raw] === RANK[this.state]) {
      this.quiet = 0;
    } else {
      this.quietPeak = this.quiet === 0 || RANK[raw] > RANK[this.quietPeak] ? raw : this.quietPeak;
      this.quiet++;
      if (this.quiet >= this.quietMinutes) {
        // Step down to the worst level seen while quiet, not straight to operational.
        this.state = this.quietPeak;
        this.since = minute;
        this.quiet = 0;
      }
    }
    return { state: this.state, since: this.since };
  }
}

/** `raw[i]` is the raw verdict of the minute starting at `firstMinute + i * stepMs`. */
export function applyHysteresis(raw: readonly State[], firstMinute: number, stepMs: number, quietMinutes: number): StateSince {
  const s = new HysteresisStepper(quietMinutes);
  raw.forEach((r, i) => s.step(r, firstMinute + i * stepMs));
  return { state: s.state, since: s.since };
}
