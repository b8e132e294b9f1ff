/** The shared display helpers bound to the extension's own strings, for the popup and the options pages. */
import * as shared from '../shared/ui/format.ts';
import { t, uiLanguage } from './i18n.ts';

export function regionName(region: string): string {
  return shared.regionName(region, t, uiLanguage());
}

export function formatTime(ms: number): string {
  return shared.formatTime(ms, uiLanguage());
}

export function updatedAgo(fetchedAt: number | null, now: number): string {
  return shared.updatedAgo(fetchedAt, now, t);
}
