/**
 * An in-memory ExtensionApi for UI tests and for working on the popup without a background:
 * same answers as the real one for the same state, every call recorded.
 */
import type { Feature } from '../shared/protocol.ts';
import type { PopupState, RuntimeResponses, Settings } from '../shared/runtime-messages.ts';
import type { ExtensionApi } from './api.ts';

export interface MockApi extends ExtensionApi {
  state: PopupState;
  calls: { method: string; args: unknown[] }[];
}

export function createMockApi(initial: PopupState): MockApi {
  const api: MockApi = {
    state: structuredClone(initial),
    calls: [],
    async getState() {
      api.calls.push({ method: 'getState', args: [] });
      return structuredClone(api.state);
    },
    async refresh() {
      api.calls.push({ method: 'refresh', args: [] });
      return structuredClone(api.state);
    },
    async reportProblem(feature: Feature): Promise<RuntimeResponses['reportProblem']> {
      api.calls.push({ method: 'reportProblem', args: [feature] });
      if (api.state.consent !== 'granted') return { ok: true, queued: false, reason: 'consent' };
      api.state.queue.pending += 1;
      return { ok: true, queued: true };
    },
    async setConsent(granted: boolean) {
      api.calls.push({ method: 'setConsent', args: [granted] });
      api.state.consent = granted ? 'granted' : 'declined';
      return structuredClone(api.state);
    },
    async setSettings(patch: Partial<Settings>) {
      api.calls.push({ method: 'setSettings', args: [patch] });
      if (patch.endpoint !== undefined && !/^https?:\/\//.test(patch.endpoint)) throw new Error('endpoint must be an http(s) URL');
      api.state.settings = { ...api.state.settings, ...patch };
      return structuredClone(api.state);
    },
    async openOptions() {
      api.calls.push({ method: 'openOptions', args: [] });
    },
  };
  return api;
}
