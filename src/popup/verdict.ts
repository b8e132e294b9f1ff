/** Which sentence the popup shows for a status and a local diagnosis. Pure, so each case is tested. */
import type { StatusResponse } from '../shared/protocol.ts';
import { UNKNOWN_REGION } from '../shared/protocol.ts';
import type { LocalDiagnosis } from '../shared/runtime-messages.ts';
import { regionVerdict } from '../background/badge.ts';

export interface Sentence {
  key: string;
  /** Substitutions; a region code is replaced by its localized name by the caller. */
  region?: string;
}

export function verdictSentence(status: StatusResponse | null, region: string): Sentence & { state: string } {
  const state = regionVerdict(status, region);
  const named = region !== UNKNOWN_REGION;
  switch (state) {
    case 'outage':
      return named ? { key: 'verdictOutageIn', region, state } : { key: 'verdictOutage', state };
    case 'degraded':
      return named ? { key: 'verdictDegradedIn', region, state } : { key: 'verdictDegraded', state };
    case 'operational':
      return { key: 'verdictOperational', state };
    default:
      return { key: 'verdictUnknown', state };
  }
}

const DIAGNOSIS_KEYS: Record<LocalDiagnosis, string | null> = {
  ok: null,
  offline: 'localOffline',
  'down-for-many': 'localDownForMany',
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
