/**
 * When a verdict change for the user's region earns a desktop notification (issue 11: "at most
 * one per state change, none when only the calm state returns after less than the quiet
 * period"). Pure: the memory it works on lives in storage.local, because the service worker may
 * be stopped between two polls and must not forget what it already told the user.
 *
 * - The first verdict after install, browser start, a change of country, or a long gap (the
 *   browser was closed, the machine asleep) is only remembered: it is not a change anyone saw.
 * - A change to degraded or outage is announced once; the same state again, even after a calm
 *   blip in between, is not announced twice.
 * - The all-clear is announced only for an alert at least the quiet period old. A calm that
 *   returns sooner is a blip: nothing is said, and once the calm has lasted the quiet period the
 *   episode is closed silently, so the next trouble is news again.
 */
import type { State } from '../shared/protocol.ts';

/** A calm returning sooner than this after an alert is not announced. */
export const QUIET_PERIOD_MS = 10 * 60_000;
/** A remembered verdict older than this (no poll since) is not compared with: the browser was away. */
export const MEMORY_MAX_AGE_MS = 15 * 60_000;

export const NOTIFY_MEMORY_KEY = 'notifyMemory';

export interface NotifyMemory {
  /** The region the remembered verdict is for. */
  region: string | null;
  /** The last verdict seen for that region, and when; null after install or browser start. */
  seen: State | null;
  seenAt: number | null;
  /** What the user was last told (operational: nothing troubling, or the all-clear). */
  told: State;
  toldAt: number | null;
  /** When a calm returned without an all-clear, while `told` is still a troubled state. */
  calmSince: number | null;
}

export interface Verdict {
  region: string;
  state: State | 'unknown';
  now: number;
  /** The user opted in and the browser granted the permission. */
  enabled: boolean;
}

export interface Decision {
  memory: NotifyMemory;
  /** The state to announce, or null for no notification. */
  notify: State | null;
}

export function emptyNotifyMemory(): NotifyMemory {
  return { region: null, seen: null, seenAt: null, told: 'operational', toldAt: null, calmSince: null };
}

const STATES: readonly unknown[] = ['operational', 'degraded', 'outage'];
const isState = (v: unknown): v is State => STATES.includes(v);
const time = (v: unknown, now: number): number | null => (typeof v === 'number' && Number.isFinite(v) && v <= now + 60_000 ? v : null);

/** Reads the stored memory; anything that does not parse (or times ahead of the clock) is dropped. */
export function loadNotifyMemory(v: unknown, now: number): NotifyMemory {
  if (typeof v !== 'object' || v === null) return emptyNotifyMemory();
  const o = v as Partial<Record<keyof NotifyMemory, unknown>>;
  const seen = isState(o.seen) ? o.seen : null;
  const seenAt = time(o.seenAt, now);
  return {
    region: typeof o.region === 'string' ? o.region : null,
    seen: seen !== null && seenAt !== null ? seen : null,
    seenAt: seen !== null ? seenAt : null,
    told: isState(o.told) ? o.told : 'operational',
    toldAt: time(o.toldAt, now),
    calmSince: time(o.calmSince, now),
  };
}

/** Browser start or install: the next verdict is a first look, not a change. What was told stays. */
export function forgetSeen(m: NotifyMemory): NotifyMemory {
  return { ...m, seen: null, seenAt: null };
}

const troubled = (s: State) => s !== 'operational';

export function decideNotification(prev: NotifyMemory, v: Verdict): Decision {
  if (v.state === 'unknown') return { memory: prev, notify: null };
  const state = v.state;
  const now = v.now;

  // A new country is a new story: nothing told about the old one carries over.
  if (prev.region !== v.region) {
    return { memory: { ...emptyNotifyMemory(), region: v.region, seen: state, seenAt: now }, notify: null };
  }
  let m: NotifyMemory = { ...prev };
  // A calm that has held for the quiet period closes the episode without a word.
  if (state === 'operational' && m.calmSince !== null && now - m.calmSince >= QUIET_PERIOD_MS) {
    m = { ...m, told: 'operational', toldAt: null, calmSince: null };
  }
  const firstLook = m.seen === null || m.seenAt === null || now - m.seenAt > MEMORY_MAX_AGE_MS || now < m.seenAt;
  const changed = !firstLook && m.seen !== state;
  m = { ...m, seen: state, seenAt: now };
  if (firstLook) {
    // Whatever happened while the browser was away: keep the calm timer running if calm, else
    // the trouble continues (or began) unseen and is not announced.
    if (troubled(state)) m.calmSince = null;
    else if (troubled(m.told) && m.calmSince === null) m.calmSince = now;
    return { memory: m, notify: null };
  }
  if (!changed) return { memory: m, notify: null };

  if (troubled(state)) {
    m.calmSince = null;
    if (!v.enabled || m.told === state) return { memory: m, notify: null };
    return { memory: { ...m, told: state, toldAt: now }, notify: state };
  }
  // Back to calm.
  if (!troubled(m.told)) return { memory: m, notify: null };
  const alertAge = m.toldAt === null ? 0 : now - m.toldAt;
  if (v.enabled && alertAge >= QUIET_PERIOD_MS) {
    return { memory: { ...m, told: 'operational', toldAt: now, calmSince: null }, notify: 'operational' };
  }
  return { memory: { ...m, calmSince: m.calmSince ?? now }, notify: null };
}
