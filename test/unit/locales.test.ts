import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { placeholdersUsed, translatorFromMessages } from '../../src/popup/i18n.ts';
import type { MessageEntry } from '../../src/popup/i18n.ts';

const dir = join(process.cwd(), 'public/_locales');
const locales = readdirSync(dir);
const load = (l: string) => JSON.parse(readFileSync(join(dir, l, 'messages.json'), 'utf8')) as Record<string, MessageEntry>;
const en = load('en');

/** Every t('key') in the UI and background sources, so a key used but never defined fails here. */
function keysUsedInSources(): string[] {
  const keys = new Set<string>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (/\.(ts|tsx)$/.test(entry.name)) {
        for (const m of readFileSync(p, 'utf8').matchAll(/\bt\(\s*'([A-Za-z][A-Za-z0-9_]*)'/g)) keys.add(m[1]!);
      }
    }
  };
  for (const d of ['src/popup', 'src/options', 'src/background']) walk(join(process.cwd(), d));
  return [...keys];
}

describe('locales', () => {
  // Twelve of the languages X's own users use most (issue 11).
  const EXPECTED = ['en', 'fr', 'hi', 'ar', 'es', 'ja', 'de', 'pt_BR', 'it', 'ko', 'tr', 'id'];
  it('has the twelve expected languages', () => {
    for (const l of EXPECTED) expect(locales).toContain(l);
  });

  // Chrome refuses to load an extension with a locale folder it does not know; these are the
  // folder names both Chrome and Firefox accept that this project may use.
  it.each(locales)('%s is a locale folder name the browsers accept', (l) => {
    expect(l).toMatch(/^[a-z]{2,3}(_[A-Z]{2}|_419)?$/);
    expect(['pt', 'zh'].includes(l), `${l}: Chrome wants a region for this language (pt_BR, zh_CN, ...)`).toBe(false);
  });

  it.each(locales)('%s has exactly the keys of en', (l) => {
    expect(Object.keys(load(l)).sort()).toEqual(Object.keys(en).sort());
  });

  it.each(locales)('%s defines every placeholder it uses, and uses the same ones as en', (l) => {
    const messages = load(l);
    for (const [key, entry] of Object.entries(messages)) {
      expect(entry.message, `${l}/${key}`).toBeTruthy();
      const used = placeholdersUsed(entry.message);
      for (const name of used) expect(entry.placeholders?.[name], `${l}/${key} uses $${name}$`).toBeDefined();
      expect(new Set(used), `${l}/${key}`).toEqual(new Set(placeholdersUsed(en[key]!.message)));
    }
  });

  it.each(locales)('%s defines each placeholder exactly as en does (same names, same $n)', (l) => {
    const messages = load(l);
    for (const [key, entry] of Object.entries(en)) {
      const norm = (p: MessageEntry['placeholders']) =>
        Object.fromEntries(Object.entries(p ?? {}).map(([name, d]) => [name.toLowerCase(), d.content]));
      expect(norm(messages[key]!.placeholders), `${l}/${key}`).toEqual(norm(entry.placeholders));
    }
  });

  // The store limits for what the manifest shows (__MSG_extName__, __MSG_extDescription__).
  it.each(locales)('%s keeps the name and description within the store limits', (l) => {
    const messages = load(l);
    expect([...messages.extName!.message].length, `${l}/extName`).toBeLessThanOrEqual(45);
    expect([...messages.extDescription!.message].length, `${l}/extDescription`).toBeLessThanOrEqual(132);
  });

  // Words that are spelled the same in both languages.
  const SAME_AS_ENGLISH: Record<string, string[]> = { fr: ['feature_notifications', 'notificationsHeading'] };
  it.each(locales)('%s is actually translated (not a copy of en)', (l) => {
    if (l === 'en') return;
    const messages = load(l);
    const same = Object.keys(en).filter(
      (k) => messages[k]!.message === en[k]!.message && en[k]!.message.length > 12 && !SAME_AS_ENGLISH[l]?.includes(k),
    );
    expect(same, `${l}: strings identical to English`).toEqual([]);
  });

  it.each(locales)('%s names its own language and writing direction', (l) => {
    const messages = load(l);
    expect(messages.localeCode!.message).toBe(l.replace('_', '-'));
    expect(messages.textDirection!.message).toBe(['ar', 'he', 'fa', 'ur'].includes(l) ? 'rtl' : 'ltr');
  });

  it('keeps the keys the manifest uses', () => {
    const manifest = readFileSync(join(process.cwd(), 'manifest.json'), 'utf8');
    for (const m of manifest.matchAll(/__MSG_([A-Za-z0-9_]+)__/g)) expect(en[m[1]!], m[1]).toBeDefined();
    for (const k of ['extName', 'extDescription', 'actionTitle']) expect(en[k]).toBeDefined();
  });

  it('defines every key the code asks for', () => {
    for (const key of keysUsedInSources()) expect(en[key], `t('${key}')`).toBeDefined();
  });

  it('substitutes placeholders like the browser does', () => {
    const t = translatorFromMessages(load('fr'));
    expect(t('verdictOutageIn', ['France'])).toBe('X est en panne — France');
    expect(t('updatedMinutesAgo', [3])).toBe('Mis à jour il y a 3 min');
  });
});
