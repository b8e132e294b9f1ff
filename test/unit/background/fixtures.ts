/** Status answers shaped like the server's, for the badge, diagnosis and popup tests. */
import type { State, StatusResponse } from '../../../src/shared/protocol.ts';
import type { PopupState } from '../../../src/shared/runtime-messages.ts';

export const NOW = Date.UTC(2026, 10, 22, 12, 0, 30);

export function status(
  overall: State,
  opts: { regions?: [string, State, number?][]; features?: [string, State, number?][]; region?: string } = {},
): StatusResponse {
  const steps = 24 * 60;
  return {
    site: 'x.com',
    generatedAt: NOW,
    overall: { state: overall, since: overall === 'operational' ? null : NOW - 600_000 },
    features: (opts.features ?? [['timeline', overall, overall === 'operational' ? 0 : 40]]).map(([feature, state, n]) => ({
      feature: feature as StatusResponse['features'][number]['feature'],
      state,
      reports15m: n ?? 0,
      reporters15m: n ?? 0,
    })),
    regions: (opts.regions ?? []).map(([region, state, n]) => ({ region, state, reports15m: n ?? 10, reporters15m: n ?? 10 })),
    series: {
      stepMs: 60_000,
      from: NOW - steps * 60_000,
      reports: Array.from({ length: steps }, (_, i) => (i > steps - 20 && overall !== 'operational' ? 50 : 2)),
      baseline: Array.from({ length: steps }, () => 3),
    },
    ...(opts.region ? { region: opts.region } : {}),
  };
}

export function popupState(over: Partial<PopupState> = {}): PopupState {
  return {
    consent: 'granted',
    settings: { endpoint: 'http://127.0.0.1:8787', regionOverride: null, notifyOnChange: false },
    region: 'FR',
    status: status('operational', { region: 'FR', regions: [['FR', 'operational']], features: [['timeline', 'operational', 1], ['dm', 'operational', 0]] }),
    statusFetchedAt: NOW - 2 * 60_000,
    stale: false,
    statusError: null,
    messages: [],
    local: 'ok',
    queue: { pending: 0, sent: 3, dropped: {}, lastError: null, nextAttemptAt: null },
    sightings: [],
    ...over,
  };
}
