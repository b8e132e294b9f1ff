/** Display helpers for the shared UI: names and times in the language of the strings shown. */
import { UNKNOWN_REGION } from '../protocol.ts';
import type { Translator } from './i18n.ts';

export function regionName(region: string, t: Translator, lang: string): string {
  if (region === UNKNOWN_REGION) return t('regionUnknown');
  try {
    return new Intl.DisplayNames([lang], { type: 'region' }).of(region) ?? region;
  } catch {
    return region;
  }
}

/** `timeZone`: format there and name it (a server page cannot know the reader's zone); default the reader's own. */
export function formatTime(ms: number, lang: string, timeZone?: string): string {
  try {
    // dateStyle cannot be combined with timeZoneName, hence the spelled-out parts for a named zone.
    const options: Intl.DateTimeFormatOptions = timeZone
      ? { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZone, timeZoneName: 'short' }
      : { dateStyle: 'medium', timeStyle: 'short' };
    return new Intl.DateTimeFormat(lang, options).format(ms);
  } catch {
    return new Date(ms).toISOString();
  }
}

/** "Updated just now" / "Updated N min ago" / hours for long-stale caches. */
export function updatedAgo(fetchedAt: number | null, now: number, t: Translator): string {
  if (fetchedAt === null) return t('neverUpdated');
  const minutes = Math.max(0, Math.floor((now - fetchedAt) / 60_000));
  if (minutes < 1) return t('updatedJustNow');
  if (minutes < 120) return t('updatedMinutesAgo', [minutes]);
  return t('updatedHoursAgo', [Math.floor(minutes / 60)]);
}
