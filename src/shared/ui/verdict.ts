/** Which sentence states the verdict for a status and a region. Pure, so each case is tested. */
import type { StatusResponse } from '../protocol.ts';
import { UNKNOWN_REGION } from '../protocol.ts';
import { regionVerdict } from '../../background/badge.ts';

export interface Sentence {
  key: string;
  /** Substitutions; a region code is replaced by its localized name by the caller. */
  region?: string;
}

/** `region` null: the whole world (no country row can sway it, and no country is named). */
export function verdictSentence(status: StatusResponse | null, region: string | null): Sentence & { state: string } {
  const state = regionVerdict(status, region ?? '');
  const named = region !== null && region !== UNKNOWN_REGION ? region : null;
  switch (state) {
    case 'outage':
      return named ? { key: 'verdictOutageIn', region: named, state } : { key: 'verdictOutage', state };
    case 'degraded':
      return named ? { key: 'verdictDegradedIn', region: named, state } : { key: 'verdictDegraded', state };
    case 'operational':
      return { key: 'verdictOperational', state };
    default:
      return { key: 'verdictUnknown', state };
  }
}
