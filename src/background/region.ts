/** The user's country, guessed from the browser's time zone: no location permission, no IP lookup. */
import { REGION_RE, UNKNOWN_REGION } from '../shared/protocol.ts';
import { TZ_REGIONS } from './tz-regions.ts';

export function regionFromTimeZone(timeZone: string | undefined | null): string {
  if (!timeZone) return UNKNOWN_REGION;
  return TZ_REGIONS[timeZone] ?? UNKNOWN_REGION;
}

/** The region reports carry and the verdict describes: the user's override wins ("ZZ" hides it). */
export function effectiveRegion(override: string | null, timeZone: string | undefined | null): string {
  if (override !== null && REGION_RE.test(override)) return override;
  return regionFromTimeZone(timeZone);
}

/** The time zone the browser reports; undefined where Intl cannot say. */
export function browserTimeZone(): string | undefined {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}
