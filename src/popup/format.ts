/** Small display helpers shared by the popup and the options pages. */
import { UNKNOWN_REGION } from '../shared/protocol.ts';
import { t, uiLanguage } from './i18n.ts';

export function regionName(region: string): string {
  if (region === UNKNOWN_REGION) return t('regionUnknown');
  try {
    return new Intl.DisplayNames([uiLanguage()], { type: 'region' }).of(region) ?? region;
  } catch {
    return region;
  }
}

export function formatTime(ms: number): string {
  try {
    return new Intl.DateTimeFormat(uiLanguage(), { dateStyle: 'medium', timeStyle: 'short' }).format(ms);
  } catch {
    return new Date(ms).toISOString();
  }
}

/** "Updated just now" / "Updated N min ago" / hours for long-stale caches. */
export function updatedAgo(fetchedAt: number | null, now: number): string {
  if (fetchedAt === null) return t('neverUpdated');
  const minutes = Math.max(0, Math.floor((now - fetchedAt) / 60_000));
  if (minutes < 1) return t('updatedJustNow');
  if (minutes < 120) return t('updatedMinutesAgo', [minutes]);
  return t('updatedHoursAgo', [Math.floor(minutes / 60)]);
}
