/**
 * Turns a step-by-step series of raw verdicts into the state shown to people. A state goes up at
 * once (that rise is an **alert**: the server's status, the badge, notifications and
 * `npm run detect` all count the same rises); it comes down only after `quietSteps` steps in a
 * row in which the counts no longer hold it up (below its hold bars, which are lower than the
 * bars to enter it), to the highest state they still held in those steps. So an outage whose
 * counts wobble around the bar stays one outage instead of flapping into several alerts.
 */
import type { State, StateSince } from '../../shared/protocol.ts';

export const RANK: Record<State, number> = { operational: 0, degraded: 1, outage: 2 };

export interface Step extends StateSince {
  /** This step raised the state (operational -> degraded or outage, degraded -> outage). */
  alert: boolean;
}

/** The same rule one step at a time, for callers that follow a cell as the clock moves. */
export class HysteresisStepper {
  state: State = 'operational';
  since: number | null = null;
  private quiet = 0;
  private quietPeak: State = 'operational';

  constructor(private readonly quietSteps: number) {}

  /** `raw`: the state the step's counts call for; `hold`: the highest they still hold up
   *  (at least `raw`; the default, `raw`, means no separate hold bars). */
  step(raw: State, at: number, hold: State = raw): Step {
    const held = RANK[hold] > RANK[raw] ? hold : raw;
    if (RANK[raw] > RANK[this.state]) {
      this.state = raw;
      this.since = at;
      this.quiet = 0;
      return { state: this.state, since: this.since, alert: true };
    }
    if (RANK[held] >= RANK[this.state]) {
      this.quiet = 0;
    } else {
      this.quietPeak = this.quiet === 0 || RANK[held] > RANK[this.quietPeak] ? held : this.quietPeak;
      this.quiet++;
      if (this.quiet >= this.quietSteps) {
        // Step down to the highest level still held while quiet, not straight to operational.
        this.state = this.quietPeak;
        this.since = at;
        this.quiet = 0;
      }
    }
    return { state: this.state, since: this.since, alert: false };
  }
}

/** `raw[i]` (and `hold[i]`) are the verdicts of the step starting at `firstAt + i * stepMs`. */
export function applyHysteresis(raw: readonly State[], firstAt: number, stepMs: number, quietSteps: number, hold?: readonly State[]): StateSince {
  const s = new HysteresisStepper(quietSteps);
  raw.forEach((r, i) => s.step(r, firstAt + i * stepMs, hold?.[i] ?? r));
  return { state: s.state, since: s.since };
}
