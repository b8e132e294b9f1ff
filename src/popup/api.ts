/**
 * The façade the popup and the options pages talk to. The real implementation sends runtime
 * messages to the background; tests render the UI over mock-api.ts instead.
 */
import type { Feature } from '../shared/protocol.ts';
import type { PopupState, ResponseFor, RuntimeRequest, RuntimeResponses, Settings } from '../shared/runtime-messages.ts';

export interface ExtensionApi {
  getState(): Promise<PopupState>;
  refresh(): Promise<PopupState>;
  reportProblem(feature: Feature): Promise<RuntimeResponses['reportProblem']>;
  setConsent(granted: boolean): Promise<PopupState>;
  setSettings(patch: Partial<Settings>): Promise<PopupState>;
  openOptions(): Promise<void>;
}

export type SendMessage = (message: RuntimeRequest) => Promise<unknown>;

export function createRuntimeApi(sendMessage: SendMessage, openOptionsPage: () => Promise<void>): ExtensionApi {
  const send = <R extends RuntimeRequest>(request: R) => sendMessage(request) as Promise<ResponseFor<R>>;
  return {
    getState: () => send({ type: 'getState' }),
    refresh: () => send({ type: 'refresh' }),
    reportProblem: (feature) => send({ type: 'reportProblem', feature }),
    setConsent: (granted) => send({ type: 'setConsent', granted }),
    setSettings: (patch) => send({ type: 'setSettings', patch }),
    openOptions: openOptionsPage,
  };
}
