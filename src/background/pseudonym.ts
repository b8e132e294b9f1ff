/**
 * The reporter pseudonym: random, regenerated every UTC day, so the server can count distinct
 * people within a day but nobody can link one day's reports to another's. Never derived from
 * anything stable (no hash of an id, no date plus secret).
 */
import { REPORTER_RE } from '../shared/protocol.ts';

export interface StoredPseudonym {
  /** UTC day the pseudonym belongs to, YYYY-MM-DD. */
  day: string;
  value: string;
}

export function utcDay(now: number): string {
  return new Date(now).toISOString().slice(0, 10);
}

/** 18 random bytes as base64url: 24 characters, inside the protocol's 16..64 [A-Za-z0-9_-]. */
export function newPseudonym(randomBytes: (n: number) => Uint8Array): string {
  const bytes = randomBytes(18);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Returns today's pseudonym, making a new one when the stored one is from another day or malformed. */
export function pseudonymFor(
  stored: StoredPseudonym | undefined,
  now: number,
  randomBytes: (n: number) => Uint8Array,
): { pseudonym: StoredPseudonym; changed: boolean } {
  const day = utcDay(now);
  if (stored && stored.day === day && REPORTER_RE.test(stored.value)) return { pseudonym: stored, changed: false };
  return { pseudonym: { day, value: newPseudonym(randomBytes) }, changed: true };
}
