import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  decideNotification,
  emptyNotifyMemory,
  forgetSeen,
  loadNotifyMemory,
  MEMORY_MAX_AGE_MS,
  QUIET_PERIOD_MS,
  type NotifyMemory,
} from '../../../src/background/notify-policy.ts';
import type { State } from '../../../src/shared/protocol.ts';

const T0 = Date.UTC(2026, 11, 5, 12, 0, 0);
const MIN = 60_000;

type Step = { at: number; state: State | 'unknown'; region?: string; enabled?: boolean } | 'startup';

/** Feeds verdicts through the rule, storing the memory as JSON in between as storage.local would. */
function run(steps: Step[], start: NotifyMemory = emptyNotifyMemory()): { told: string[]; toldAt: { at: number; state: State }[]; memory: NotifyMemory } {
  let stored: unknown = JSON.parse(JSON.stringify(start));
  let lastAt = T0;
  const told: string[] = [];
  const toldAt: { at: number; state: State }[] = [];
  for (const step of steps) {
    if (step === 'startup') {
      stored = JSON.parse(JSON.stringify(forgetSeen(loadNotifyMemory(stored, lastAt))));
      continue;
    }
    lastAt = step.at;
    const d = decideNotification(loadNotifyMemory(stored, step.at), { region: step.region ?? 'FR', state: step.state, now: step.at, enabled: step.enabled ?? true });
    stored = JSON.parse(JSON.stringify(d.memory));
    if (d.notify) {
      told.push(`${Math.round((step.at - T0) / MIN)}:${d.notify}`);
      toldAt.push({ at: step.at, state: d.notify });
    }
  }
  return { told, toldAt, memory: loadNotifyMemory(stored, lastAt) };
}

/** One verdict a minute, as the poll brings them. */
const minutes = (...states: (State | 'unknown')[]): Step[] => states.map((state, i) => ({ at: T0 + i * MIN, state }));

describe('notification rule', () => {
  it('says nothing about the first verdict, then announces a change once', () => {
    expect(run(minutes('outage')).told).toEqual([]);
    expect(run(minutes('operational', 'outage', 'outage', 'outage')).told).toEqual(['1:outage']);
  });

  it('announces each change of troubled state once: degraded, then outage', () => {
    expect(run(minutes('operational', 'degraded', 'degraded', 'outage', 'outage')).told).toEqual(['1:degraded', '3:outage']);
  });

  it('says nothing when the calm returns sooner than the quiet period after the alert', () => {
    // Down at minute 1, calm again at minute 4 and for the next 20 minutes: no all-clear at all.
    const states: State[] = ['operational', 'outage', 'outage', 'outage', ...Array<State>(20).fill('operational')];
    expect(run(minutes(...states)).told).toEqual(['1:outage']);
  });

  it('announces the all-clear when the alert is at least the quiet period old', () => {
    const quietMinutes = QUIET_PERIOD_MS / MIN;
    const states: State[] = ['operational', ...Array<State>(quietMinutes).fill('outage'), 'operational', 'operational'];
    expect(run(minutes(...states)).told).toEqual(['1:outage', `${quietMinutes + 1}:operational`]);
  });

  it('does not repeat the alert when the verdict flaps back within the episode', () => {
    const r = run(minutes('operational', 'outage', 'operational', 'outage', 'operational', 'outage'));
    expect(r.told).toEqual(['1:outage']);
  });

  it('after a blip whose calm lasted the quiet period, new trouble is news again', () => {
    const quietMinutes = QUIET_PERIOD_MS / MIN;
    const states: State[] = ['operational', 'outage', ...Array<State>(quietMinutes + 1).fill('operational'), 'outage'];
    expect(run(minutes(...states)).told).toEqual(['1:outage', `${quietMinutes + 3}:outage`]);
  });

  it('ignores unknown verdicts (no answer yet) without forgetting the last one', () => {
    expect(run(minutes('operational', 'unknown', 'outage')).told).toEqual(['2:outage']);
  });

  it('says nothing for the first verdict after a browser start or install, even if it differs', () => {
    expect(run([{ at: T0, state: 'operational' }, 'startup', { at: T0 + MIN, state: 'outage' }, { at: T0 + 2 * MIN, state: 'outage' }]).told).toEqual([]);
    // ...but the following change is announced.
    const r = run([{ at: T0, state: 'operational' }, 'startup', { at: T0 + MIN, state: 'operational' }, { at: T0 + 2 * MIN, state: 'outage' }]);
    expect(r.told).toEqual(['2:outage']);
  });

  it('treats a verdict remembered from long ago as a first look (browser closed, machine asleep)', () => {
    expect(run([{ at: T0, state: 'operational' }, { at: T0 + MEMORY_MAX_AGE_MS + MIN, state: 'outage' }]).told).toEqual([]);
    expect(run([{ at: T0, state: 'operational' }, { at: T0 + MEMORY_MAX_AGE_MS - MIN, state: 'outage' }]).told).toHaveLength(1);
  });

  it('a change of country is not news, and nothing told about the old one carries over', () => {
    const r = run([
      { at: T0, state: 'operational', region: 'FR' },
      { at: T0 + MIN, state: 'outage', region: 'FR' },
      { at: T0 + 2 * MIN, state: 'operational', region: 'DE' },
      { at: T0 + 3 * MIN, state: 'outage', region: 'DE' },
    ]);
    expect(r.told).toEqual(['1:outage', '3:outage']);
  });

  it('tells nothing while not opted in, and no all-clear for an alert never shown', () => {
    const r = run([
      { at: T0, state: 'operational', enabled: false },
      { at: T0 + MIN, state: 'outage', enabled: false },
      { at: T0 + 30 * MIN, state: 'operational', enabled: true },
      { at: T0 + 31 * MIN, state: 'degraded', enabled: true },
    ]);
    expect(r.told).toEqual(['31:degraded']);
  });

  it('reads junk or future times from storage as nothing seen', () => {
    expect(loadNotifyMemory('junk', T0)).toEqual(emptyNotifyMemory());
    expect(loadNotifyMemory({ region: 'FR', seen: 'broken', seenAt: T0, told: 'down' }, T0)).toMatchObject({ seen: null, told: 'operational' });
    expect(loadNotifyMemory({ region: 'FR', seen: 'outage', seenAt: T0 + 3_600_000, told: 'outage', toldAt: T0 }, T0)).toMatchObject({ seen: null, told: 'outage' });
  });

  const stateArb = fc.constantFrom<State | 'unknown'>('operational', 'operational', 'degraded', 'outage', 'unknown');
  const stepsArb = fc.array(fc.record({ gap: fc.integer({ min: 20_000, max: 5 * MIN }), state: stateArb, enabled: fc.boolean() }), { maxLength: 60 });

  /** Whether the verdicts strictly between two times include a calm that held for the quiet period. */
  function calmHeld(known: { at: number; state: State }[], from: number, to: number): boolean {
    let calmStart: number | null = null;
    for (const k of known) {
      if (k.at <= from || k.at >= to) continue;
      if (k.state !== 'operational') calmStart = null;
      else if (calmStart === null) calmStart = k.at;
      else if (k.at - calmStart >= QUIET_PERIOD_MS) return true;
    }
    return false;
  }

  it('never tells more often than the verdict changes, never an early all-clear, never the same trouble twice in one episode', () => {
    fc.assert(
      fc.property(stepsArb, (raw) => {
        let at = T0;
        const steps = raw.map((s) => ({ at: (at += s.gap), state: s.state, enabled: s.enabled }));
        const { toldAt } = run(steps);
        const known = steps.flatMap((s) => (s.state !== 'unknown' ? [{ at: s.at, state: s.state }] : []));
        const changes = known.filter((s, i) => i > 0 && s.state !== known[i - 1]!.state).length;
        expect(toldAt.length).toBeLessThanOrEqual(changes);
        // Every notification is about the verdict of that moment, told only when opted in.
        for (const n of toldAt) expect(steps.find((s) => s.at === n.at)).toMatchObject({ state: n.state, enabled: true });
        // The first thing ever told is trouble.
        if (toldAt[0]) expect(toldAt[0].state).not.toBe('operational');
        for (let i = 1; i < toldAt.length; i++) {
          const [a, b] = [toldAt[i - 1]!, toldAt[i]!];
          // An all-clear follows its alert by at least the quiet period.
          if (b.state === 'operational') expect(b.at - a.at).toBeGreaterThanOrEqual(QUIET_PERIOD_MS);
          // The same news twice running only after a calm that held for the quiet period.
          if (b.state === a.state) expect(calmHeld(known, a.at, b.at), `${a.state} told twice`).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
