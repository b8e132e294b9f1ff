/**
 * Coalescing at the source: a page that fails 1,000 times a second yields at most one report per
 * feature and signal per minute, and healthy samples at most one per feature per ten minutes.
 * The state is a small map persisted between background wake-ups.
 */
import { floorToMinute } from '../shared/protocol.ts';
import type { Feature, Signal } from '../shared/protocol.ts';

export const OK_SAMPLE_INTERVAL_MS = 10 * 60_000;

/** key -> the time the last admitted report for that key was seen (ms). */
export type CoalescerState = Record<string, number>;

function keyOf(feature: Feature, signal: Signal): string {
  return `${feature}|${signal}`;
}

/**
 * Decides whether an observation at `now` becomes a report. Failures: one per key per calendar
 * minute (the minute the report's `at` will carry). ok: one per feature per 10 minutes.
 */
export function admit(state: CoalescerState, feature: Feature, signal: Signal, now: number): { admitted: boolean; state: CoalescerState } {
  const key = keyOf(feature, signal);
  const last = state[key];
  const admitted =
    last === undefined ||
    (signal === 'ok' ? now - last >= OK_SAMPLE_INTERVAL_MS || now < last : floorToMinute(now) !== floorToMinute(last));
  if (!admitted) return { admitted, state };
  return { admitted, state: prune({ ...state, [key]: now }, now) };
}

/** Drops entries that can no longer suppress anything, so the stored map stays small. */
export function prune(state: CoalescerState, now: number): CoalescerState {
  const out: CoalescerState = {};
  for (const [key, at] of Object.entries(state)) {
    if (typeof at === 'number' && now - at < OK_SAMPLE_INTERVAL_MS && at <= now + 60_000) out[key] = at;
  }
  return out;
}
