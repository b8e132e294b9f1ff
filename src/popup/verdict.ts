/** The popup's local diagnosis sentence (the verdict sentence is shared with the status page: src/shared/ui/verdict.ts). */
import type { LocalDiagnosis } from '../shared/runtime-messages.ts';

const DIAGNOSIS_KEYS: Record<LocalDiagnosis, string | null> = {
  ok: null,
  offline: 'localOffline',
  'down-for-many': 'localDownForMany',
  'down-elsewhere': 'localDownElsewhere',
  'just-you': 'localJustYou',
  'maybe-blocked': 'localMaybeBlocked',
  'account-limited': 'localAccountLimited',
  unknown: 'localUnknown',
  'captive-portal': 'localCaptivePortal',
  'blocked-here': 'localBlockedHere',
};

export function diagnosisKey(local: LocalDiagnosis): string | null {
  return DIAGNOSIS_KEYS[local];
}
