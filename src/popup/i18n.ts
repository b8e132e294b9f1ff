/**
 * t(): localized strings from _locales through the browser's i18n API. The translator can be
 * swapped (tests render with the real messages.json files, outside any extension).
 */

import type { Translator } from '../shared/ui/i18n.ts';

// The messages.json machinery lives with the shared UI; re-exported for the extension's pages and tests.
export { placeholdersUsed, translatorFromMessages, type MessageEntry, type Translator } from '../shared/ui/i18n.ts';

interface I18nApi {
  getMessage(key: string, subs?: string | string[]): string;
}

function browserI18n(): I18nApi | undefined {
  const g = globalThis as { browser?: { i18n?: I18nApi }; chrome?: { i18n?: I18nApi } };
  return g.browser?.i18n ?? g.chrome?.i18n;
}

const fromBrowser: Translator = (key, subs) => browserI18n()?.getMessage(key, subs?.map(String)) || key;

let current: Translator = fromBrowser;

export function t(key: string, subs?: readonly (string | number)[]): string {
  return current(key, subs);
}

export function setTranslator(fn: Translator | null): void {
  current = fn ?? fromBrowser;
}

/**
 * Each messages.json names its own language and direction (localeCode, textDirection): Chrome's
 * @@ui_locale and @@bidi_dir follow the browser's UI locale, which can differ from the locale
 * whose messages are shown (seen: @@ui_locale "en_US" while the Japanese messages were used).
 */
export function messagesDirection(): 'ltr' | 'rtl' {
  const own = t('textDirection');
  if (own === 'rtl' || own === 'ltr') return own;
  return t('@@bidi_dir') === 'rtl' ? 'rtl' : 'ltr';
}

/** The language of the messages shown, for the lang attribute and Intl formatting. */
export function uiLanguage(): string {
  const own = t('localeCode');
  if (own && own !== 'localeCode') return own.replace('_', '-');
  const lang = t('@@ui_locale');
  return lang && lang !== '@@ui_locale' ? lang.replace('_', '-') : 'en';
}

/** Sets lang and dir (rtl for Arabic) on the document. */
export function applyDocumentLocale(doc: Document): void {
  doc.documentElement.dir = messagesDirection();
  doc.documentElement.lang = uiLanguage();
}
