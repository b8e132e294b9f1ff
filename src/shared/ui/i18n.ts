/**
 * Strings for the UI shared by the popup and the server's status page: a translator over
 * messages.json (the same substitution rules as browser.i18n.getMessage) and a preact context,
 * so one component tree renders in the popup (browser i18n) and on the server (any locale per
 * request, with no global state between requests).
 */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

export type Translator = (key: string, subs?: readonly (string | number)[]) => string;

export interface MessageEntry {
  message: string;
  description?: string;
  placeholders?: Record<string, { content: string; example?: string }>;
}

/** Named placeholders ($REGION$) used in a message. */
export function placeholdersUsed(message: string): string[] {
  return [...message.matchAll(/\$([A-Za-z0-9_@]+)\$/g)].map((m) => m[1]!.toLowerCase());
}

/** The same substitution rules as browser.i18n.getMessage, for a messages.json loaded outside the browser. */
export function translatorFromMessages(messages: Record<string, MessageEntry>, bidiDir: 'ltr' | 'rtl' = 'ltr', uiLocale = 'en'): Translator {
  return (key, subs) => {
    if (key === '@@bidi_dir') return bidiDir;
    if (key === '@@ui_locale') return uiLocale;
    const entry = messages[key];
    if (!entry) return key;
    const args = (subs ?? []).map(String);
    const positional = (s: string) => s.replace(/\$(\d)/g, (_, d: string) => args[Number(d) - 1] ?? '');
    return entry.message
      .replace(/\$([A-Za-z0-9_@]+)\$/g, (whole, name: string) => {
        const ph = entry.placeholders?.[name.toLowerCase()];
        return ph ? positional(ph.content) : whole;
      })
      .replace(/\$\$/g, '$');
  };
}

/** What a shared component needs to speak: the translator and the BCP 47 language its strings are in. */
export interface UiLocale {
  t: Translator;
  lang: string;
}

// Without a provider a component shows its keys: visible in a test, never a crash.
export const LocaleContext = createContext<UiLocale>({ t: (key) => key, lang: 'en' });

export function useLocale(): UiLocale {
  return useContext(LocaleContext);
}
