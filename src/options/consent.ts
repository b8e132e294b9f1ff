/**
 * Opting in. On Firefox, reports are also backed by the optional data collection permissions the
 * manifest declares (technicalAndInteraction, browsingActivity, locationInfo, and websiteContent
 * for the official accounts' posts seen on the timeline), requested at the moment the user opts in. Elsewhere (Chrome) there is no such API and the in-extension consent
 * is the whole story.
 */
import type { ExtensionApi } from '../popup/api.ts';
import type { PopupState } from '../shared/runtime-messages.ts';

export const DATA_COLLECTION = ['technicalAndInteraction', 'browsingActivity', 'locationInfo', 'websiteContent'] as const;

export interface PermissionsLike {
  request(p: { data_collection?: string[]; permissions?: string[] }): Promise<boolean>;
  remove?(p: { data_collection?: string[]; permissions?: string[] }): Promise<boolean>;
}

export type OptInResult = { state: PopupState; permission: 'granted' | 'denied' | 'unsupported' };

function supportsDataCollection(browserName: string, permissions: PermissionsLike | undefined): permissions is PermissionsLike {
  return browserName === 'firefox' && typeof permissions?.request === 'function';
}

/**
 * Must be called straight from the click handler, before any other await: Firefox only shows a
 * permission prompt inside the user's gesture.
 */
export async function optIn(api: ExtensionApi, browserName: string, permissions: PermissionsLike | undefined): Promise<OptInResult> {
  let permission: OptInResult['permission'] = 'unsupported';
  if (supportsDataCollection(browserName, permissions)) {
    try {
      permission = (await permissions.request({ data_collection: [...DATA_COLLECTION] })) ? 'granted' : 'denied';
    } catch {
      // Firefox before data collection permissions rejects the unknown key: consent stays in-extension.
      permission = 'unsupported';
    }
  }
  if (permission === 'denied') return { state: await api.getState(), permission };
  return { state: await api.setConsent(true), permission };
}

export async function optOut(api: ExtensionApi, browserName: string, permissions: PermissionsLike | undefined): Promise<PopupState> {
  const state = await api.setConsent(false);
  if (supportsDataCollection(browserName, permissions) && permissions.remove) {
    await permissions.remove({ data_collection: [...DATA_COLLECTION] }).catch(() => false);
  }
  return state;
}
