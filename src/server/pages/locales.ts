/**
 * The extension's own translations (public/_locales/<lang>/messages.json) for the server's
 * pages: discovered from the directory at startup, so a new translation is served without a
 * code change, and chosen per request from Accept-Language (RFC 9110 q-values).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { translatorFromMessages, type MessageEntry, type UiLocale } from '../../shared/ui/i18n.ts';

export const DEFAULT_LOCALES_DIR = fileURLToPath(new URL('../../../public/_locales', import.meta.url));
const FALLBACK = 'en';

export interface PageLocale extends UiLocale {
  /** The folder name, e.g. "pt_BR". */
  id: string;
  dir: 'ltr' | 'rtl';
  /** The language's name in itself, for the language menu. */
  autonym: string;
}

export interface LocaleSet {
  readonly all: readonly PageLocale[];
  get(id: string): PageLocale | undefined;
  readonly fallback: PageLocale;
  /** The best locale for an Accept-Language header (the fallback when none fits). */
  negotiate(acceptLanguage: string | undefined): PageLocale;
}

function load(dir: string, id: string): PageLocale {
  const messages = JSON.parse(readFileSync(join(dir, id, 'messages.json'), 'utf8')) as Record<string, MessageEntry>;
  const lang = (messages.localeCode?.message ?? id).replace('_', '-');
  const dirValue = messages.textDirection?.message === 'rtl' ? 'rtl' : 'ltr';
  let autonym = lang;
  try {
    autonym = new Intl.DisplayNames([lang], { type: 'language' }).of(lang) ?? lang;
  } catch {
    // An odd tag still gets a menu entry, under its code.
  }
  return { id, lang, dir: dirValue, autonym, t: translatorFromMessages(messages, dirValue, lang) };
}

interface Range {
  tag: string;
  q: number;
  order: number;
}

/** Accept-Language as ranges, best first; malformed parts are skipped, never fatal. */
export function parseAcceptLanguage(header: string | undefined): Range[] {
  if (!header) return [];
  const ranges: Range[] = [];
  header
    .split(',')
    .slice(0, 50)
    .forEach((part, order) => {
      const [rawTag, ...params] = part.trim().split(';');
      const tag = rawTag?.trim().toLowerCase() ?? '';
      if (!/^(\*|[a-z]{1,8}(-[a-z0-9]{1,8})*)$/.test(tag)) return;
      let q = 1;
      for (const p of params) {
        if (!/^\s*q\s*=/i.test(p)) continue;
        const m = /^\s*q\s*=\s*(0(\.\d{0,3})?|1(\.0{0,3})?)\s*$/i.exec(p);
        // A weight that is not a weight makes the whole range unreadable: skip it.
        q = m ? Number(m[1]) : 0;
      }
      if (q > 0) ranges.push({ tag, q, order });
    });
  return ranges.sort((a, b) => b.q - a.q || a.order - b.order);
}

export function loadLocales(dir: string = DEFAULT_LOCALES_DIR): LocaleSet {
  const ids = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, 'messages.json')))
    .map((e) => e.name)
    .sort();
  const all = ids.map((id) => load(dir, id));
  const byLang = new Map(all.map((l) => [l.lang.toLowerCase(), l]));
  const fallback = byLang.get(FALLBACK) ?? all[0];
  if (!fallback) throw new Error(`no translations found in ${dir}`);
  const byId = new Map(all.map((l) => [l.id, l]));
  return {
    all,
    fallback,
    get: (id) => byId.get(id) ?? byLang.get(id.toLowerCase()),
    negotiate(header) {
      for (const { tag } of parseAcceptLanguage(header)) {
        if (tag === '*') return fallback;
        // "fr-CA" takes "fr-ca" if there is one, else "fr"; "zh" takes the first "zh-*".
        const exact = byLang.get(tag);
        if (exact) return exact;
        const base = byLang.get(tag.split('-')[0]!);
        if (base) return base;
        const sibling = all.find((l) => l.lang.toLowerCase().startsWith(`${tag}-`));
        if (sibling) return sibling;
      }
      return fallback;
    },
  };
}
