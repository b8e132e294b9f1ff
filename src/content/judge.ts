/**
 * Turns what a detector read (texts matched against X's strings, and structure) into an
 * observation, or into nothing. Pure: the rules are tested on plain values.
 */
import { PER_ACCOUNT_CODE_PREFIX, type Feature, type Signal } from '../shared/protocol.ts';
import { normaliseMessage } from './normalise.ts';
import { STRING_CLASSES, type StringEntry, type StringTable } from './strings.ts';

export interface Finding {
  feature: Feature;
  signal: Signal;
  code: string;
}

/** Which class wins when a widget's texts match several: exclusions first, then the most cautious (the classes' own order). */
const rank = (entry: StringEntry): number => STRING_CLASSES.indexOf(entry.cls);

/** The strongest match among whole texts, or null when none is a known message. */
export function bestMatch(texts: readonly string[], table: StringTable | null): StringEntry | null {
  if (!table) return null;
  let best: StringEntry | null = null;
  for (const text of texts) {
    const hit = table.get(normaliseMessage(text));
    if (hit && (!best || rank(hit) < rank(best))) best = hit;
  }
  return best;
}

export interface Evidence {
  /** The widget's message, matched against the page language's strings (null: unknown text or language). */
  match: StringEntry | null;
  /** The structure alone says "an error with a way to retry" (used when the text is unknown). */
  structural: boolean;
  /** Feature when the string names none: the detector's own, or the page path's. */
  fallbackFeature: Feature;
}

/**
 * - not_outage (page doesn't exist, suspended, Space ended, post unavailable): nothing.
 * - per_account: banner, code limit:<meaning>, so the server counts it apart from outages.
 * - connection: network, code banner:connection_error (the user's own connection).
 * - failure: banner, code banner:<meaning>.
 * - ambiguous, a bare button/label, or unknown text: banner only if the structure says error
 *   (banner:<meaning> for ambiguous, banner:unrecognised otherwise).
 */
export function judge({ match, structural, fallbackFeature }: Evidence): Finding | null {
  const feature = match && match.feature !== 'other' ? match.feature : fallbackFeature;
  switch (match?.cls) {
    case 'not_outage':
      return null;
    case 'per_account':
      return { feature, signal: 'banner', code: `${PER_ACCOUNT_CODE_PREFIX}${match.meaning}` };
    case 'connection':
      return { feature, signal: 'network', code: 'banner:connection_error' };
    case 'failure':
      return { feature, signal: 'banner', code: `banner:${match.meaning}` };
    case 'ambiguous':
      return structural ? { feature, signal: 'banner', code: `banner:${match.meaning}` } : null;
    default:
      return structural ? { feature, signal: 'banner', code: 'banner:unrecognised' } : null;
  }
}

