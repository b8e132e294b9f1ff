/**
 * The extension's internal message protocol: what the content script, the popup and the options
 * page say to the background, and what they get back. One typed union, so a popup and a
 * background that disagree fail the type check instead of at run time.
 */
import type { Feature, MessagesResponse, Signal, StatusResponse } from './protocol.ts';
import type { SeenPost } from './sightings.ts';

/** Where an observation came from; never sent to the server. */
export type ObservationSource = 'dom' | 'page' | 'webrequest' | 'manual';

/**
 * What a part of the extension saw. Carries no URL, handle or text: the content script and the
 * page hook reduce what they see to this before it crosses any boundary.
 */
export interface Observation {
  feature: Feature;
  signal: Signal;
  source: ObservationSource;
  status?: number;
  op?: string;
  code?: string;
}

/** Message posted from the MAIN-world page hook to the content script (window.postMessage). */
export const PAGE_CHANNEL = 'outage-radar:page-v1';
export type PageHookMessage =
  | { channel: typeof PAGE_CHANNEL; observation: Omit<Observation, 'source'> }
  /** Posts by X's official accounts, eight raw fields each (src/page/official.ts). */
  | { channel: typeof PAGE_CHANNEL; posts: unknown[][] };

export interface Settings {
  /** Aggregation server base URL, e.g. http://127.0.0.1:8787 */
  endpoint: string;
  /** ISO country to report instead of the one guessed from the time zone; "ZZ" hides it. null: automatic. */
  regionOverride: string | null;
  /** Opt-in desktop notification when the verdict for the user's region changes. */
  notifyOnChange: boolean;
}

export type ConsentState = 'unasked' | 'granted' | 'declined';

/** What the extension concluded from this browser alone. */
export type LocalDiagnosis =
  /** Nothing failing here. */
  | 'ok'
  /** The user's own connection looks down (offline, every host failing to resolve). */
  | 'offline'
  /** x.com fails here, and the crowd agrees. */
  | 'down-for-many'
  /** x.com fails here; this country is not called (yet), other countries are. */
  | 'down-elsewhere'
  /** x.com fails here but works for others: probably local, try reloading. */
  | 'just-you'
  /** Resets and timeouts, concentrated in the user's country: possibly blocked or throttled there. */
  | 'maybe-blocked'
  /** A per-account limit (rate limit, follow limit, locked account). */
  | 'account-limited'
  /** x.com fails here, but there is no crowd status yet to compare with. */
  | 'unknown'
  /** A captive portal or intercepting network: certificate errors, x.com redirected to another host. */
  | 'captive-portal'
  /** X's pages or API calls blocked in this browser (another extension, the browser, an administrator). */
  | 'blocked-here';

export interface QueueStats {
  pending: number;
  sent: number;
  /** Dropped reports, by reason (e.g. rejected, overflow, expired). */
  dropped: Record<string, number>;
  lastError: string | null;
  nextAttemptAt: number | null;
}

export interface PopupState {
  consent: ConsentState;
  settings: Settings;
  /** The region the verdict describes (override, time-zone guess, or ZZ). */
  region: string;
  status: StatusResponse | null;
  /** When `status` was fetched; with `stale`, the popup says how old the cached status is. */
  statusFetchedAt: number | null;
  stale: boolean;
  statusError: string | null;
  messages: MessagesResponse['messages'];
  local: LocalDiagnosis;
  queue: QueueStats;
  /** Posts by X's official accounts seen in this browser's own timeline, newest first (kept locally). */
  sightings: SeenPost[];
}

export type RuntimeRequest =
  | { type: 'observe'; observation: Observation }
  /** From content scripts: raw official posts the page hook found (checked again by the background). */
  | { type: 'sighting'; posts: unknown[] }
  | { type: 'getState' }
  | { type: 'refresh' }
  | { type: 'reportProblem'; feature: Feature }
  | { type: 'setConsent'; granted: boolean }
  | { type: 'setSettings'; patch: Partial<Settings> };

export interface RuntimeResponses {
  observe: { ok: true };
  sighting: { ok: true; kept: number };
  getState: PopupState;
  refresh: PopupState;
  reportProblem: { ok: true; queued: boolean; reason?: string };
  setConsent: PopupState;
  setSettings: PopupState;
}

export type ResponseFor<R extends RuntimeRequest> = RuntimeResponses[R['type']];
