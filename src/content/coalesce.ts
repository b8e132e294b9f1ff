/**
 * Keeps the background from being woken for every API call: healthy samples pass at most once per
 * feature per interval, and a failure that repeats (a retry loop) passes once per its own shorter
 * interval. Distinct failures always pass. The background coalesces again per minute.
 */
import type { Observation } from '../shared/runtime-messages.ts';

export interface CoalesceOptions {
  now: () => number;
  okIntervalMs?: number;
  repeatIntervalMs?: number;
}

const MAX_KEYS = 256;

export function createCoalescer({ now, okIntervalMs = 15_000, repeatIntervalMs = 2_000 }: CoalesceOptions) {
  const last = new Map<string, number>();
  return function shouldForward(o: Observation): boolean {
    const ok = o.signal === 'ok';
    const key = ok ? `ok|${o.feature}` : [o.feature, o.signal, o.source, o.status ?? '', o.op ?? '', o.code ?? ''].join('|');
    const t = now();
    const prev = last.get(key);
    if (prev !== undefined && t - prev < (ok ? okIntervalMs : repeatIntervalMs)) return false;
    if (last.size >= MAX_KEYS) last.clear();
    last.set(key, t);
    return true;
  };
}
