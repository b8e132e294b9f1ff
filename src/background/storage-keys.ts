/**
 * What the background keeps in storage.local, and how each value is read back defensively: MV3
 * kills the background at any moment, so storage is the only state, and a value that does not
 * parse falls back to its default instead of breaking every later event.
 */
import { REGION_RE, isHttpUrl, validateMessagesResponse, validateStatusResponse } from '../shared/protocol.ts';
import type { OfficialMessage, StatusResponse } from '../shared/protocol.ts';
import { MAX_FRESH_MS } from '../shared/poll-policy.ts';
import type { ConsentState, Settings } from '../shared/runtime-messages.ts';
import type { CoalescerState } from './coalescer.ts';
import type { Evidence } from './diagnosis.ts';
import type { StoredPseudonym } from './pseudonym.ts';

/** The subset of browser.storage.local the background uses (a fake of it backs the unit tests). */
export interface KeyValueArea {
  get(keys: string[]): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
}

export const KEYS = {
  consent: 'consent',
  settings: 'settings',
  queue: 'queue',
  coalescer: 'coalescer',
  pseudonym: 'pseudonym',
  status: 'statusCache',
  evidence: 'evidence',
  poll: 'pollTimes',
  /** Official posts seen here (sightings.ts). */
  sightings: 'sightings',
} as const;

/** When the status was last asked for, when X last failed here, and until when the answer is fresh. */
export interface PollTimes {
  lastPollAt: number | null;
  lastLocalFailureAt: number | null;
  freshUntil: number | null;
}

/**
 * Reads the stored poll times. A time more than a minute ahead of `now` (the clock was set back,
 * or the value is junk) is dropped: trusting it could stop the polls for as long.
 */
export function loadPollTimes(v: unknown, now: number): PollTimes {
  const o = (typeof v === 'object' && v !== null ? v : {}) as Partial<Record<keyof PollTimes, unknown>>;
  const time = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) && x <= now + 60_000 ? x : null);
  const freshUntil = typeof o.freshUntil === 'number' && Number.isFinite(o.freshUntil) && o.freshUntil <= now + MAX_FRESH_MS ? o.freshUntil : null;
  return { lastPollAt: time(o.lastPollAt), lastLocalFailureAt: time(o.lastLocalFailureAt), freshUntil };
}

export interface StatusCache {
  status: StatusResponse | null;
  fetchedAt: number | null;
  messages: OfficialMessage[];
  /** The region the cached status was asked for. */
  region: string | null;
  stale: boolean;
  error: string | null;
}

export function emptyStatusCache(): StatusCache {
  return { status: null, fetchedAt: null, messages: [], region: null, stale: false, error: null };
}

export function loadConsent(v: unknown): ConsentState {
  return v === 'granted' || v === 'declined' ? v : 'unasked';
}

export function loadSettings(v: unknown, defaultEndpoint: string): Settings {
  const o = (typeof v === 'object' && v !== null ? v : {}) as Partial<Record<keyof Settings, unknown>>;
  return {
    endpoint: typeof o.endpoint === 'string' && isHttpUrl(o.endpoint) ? o.endpoint : defaultEndpoint,
    regionOverride: typeof o.regionOverride === 'string' && REGION_RE.test(o.regionOverride) ? o.regionOverride : null,
    notifyOnChange: o.notifyOnChange === true,
  };
}

export function loadCoalescer(v: unknown): CoalescerState {
  const out: CoalescerState = {};
  if (typeof v === 'object' && v !== null) for (const [k, at] of Object.entries(v)) if (typeof at === 'number') out[k] = at;
  return out;
}

export function loadPseudonym(v: unknown): StoredPseudonym | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  return typeof o.day === 'string' && typeof o.value === 'string' ? { day: o.day, value: o.value } : undefined;
}

export function loadEvidence(v: unknown): Evidence[] {
  if (!Array.isArray(v)) return [];
  return v.filter(
    (e): e is Evidence => typeof e === 'object' && e !== null && typeof e.at === 'number' && typeof e.kind === 'string' && typeof e.feature === 'string',
  );
}

export function loadStatusCache(v: unknown): StatusCache {
  if (typeof v !== 'object' || v === null) return emptyStatusCache();
  const o = v as Partial<Record<keyof StatusCache, unknown>>;
  const status = o.status != null && validateStatusResponse(o.status).ok ? (o.status as StatusResponse) : null;
  const messages = validateMessagesResponse({ messages: o.messages }).ok ? (o.messages as OfficialMessage[]) : [];
  return {
    status,
    fetchedAt: status && typeof o.fetchedAt === 'number' ? o.fetchedAt : null,
    messages,
    region: typeof o.region === 'string' ? o.region : null,
    stale: o.stale === true,
    error: typeof o.error === 'string' ? o.error : null,
  };
}
