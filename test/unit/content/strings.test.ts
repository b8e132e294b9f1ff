import { describe, expect, it } from 'vitest';
import { createStringsLoader, parseStringTable, resolveLocale } from '../../../src/content/strings.ts';

const AVAILABLE = ['en', 'en-GB', 'fr', 'zh', 'zh-Hant', 'ar', 'ar-x-fm', 'he', 'id', 'nb', 'fil', 'pt'];

describe('resolveLocale', () => {
  it.each([
    ['en', 'en'],
    ['EN', 'en'],
    ['en-GB', 'en-GB'],
    ['en-US', 'en'],
    ['en_AU', 'en'],
    ['zh-Hant', 'zh-Hant'],
    ['zh-TW', 'zh-Hant'],
    ['zh-HK', 'zh-Hant'],
    ['zh-Hant-TW', 'zh-Hant'],
    ['zh-CN', 'zh'],
    ['zh-Hans', 'zh'],
    ['ar-x-fm', 'ar-x-fm'],
    ['ar-EG', 'ar'],
    ['iw', 'he'],
    ['in', 'id'],
    ['no', 'nb'],
    ['tl', 'fil'],
    ['pt-BR', 'pt'],
  ])('%s -> %s', (lang, expected) => {
    expect(resolveLocale(lang, AVAILABLE)).toBe(expected);
  });

  it.each(['', 'sw', 'x', 'xx-YY', '  '])('gives null for %j (structure alone then)', (lang) => {
    expect(resolveLocale(lang, AVAILABLE)).toBeNull();
  });
});

describe('parseStringTable', () => {
  it('keeps well-formed entries and skips the rest', () => {
    const table = parseStringTable({
      'something went wrong': ['generic_error', 'failure', 'other'],
      'bad class': ['x', 'maybe', 'other'],
      'bad feature': ['x', 'failure', 'homepage'],
      'bad meaning': ['Not A Meaning!', 'failure', 'other'],
      short: ['x', 'failure'],
      notarray: 'x',
    });
    expect([...table.entries()]).toEqual([['something went wrong', { meaning: 'generic_error', cls: 'failure', feature: 'other' }]]);
    expect(parseStringTable(null).size).toBe(0);
    expect(parseStringTable([1, 2]).size).toBe(0);
  });
});

describe('createStringsLoader', () => {
  it('fetches the index once and each locale once, only when asked', async () => {
    const fetched: string[] = [];
    const load = createStringsLoader(async (file) => {
      fetched.push(file);
      if (file === 'index.json') return { locales: ['en', 'fr'] };
      return { [`hello ${file}`]: ['generic_error', 'failure', 'other'] };
    });
    expect(fetched).toEqual([]);
    const [a, b, c] = await Promise.all([load('en-US'), load('en'), load('fr-CA')]);
    expect(a).toBe(b);
    expect(a?.get('hello en.json')?.meaning).toBe('generic_error');
    expect(c?.has('hello fr.json')).toBe(true);
    expect(await load('sw')).toBeNull();
    expect(fetched.sort()).toEqual(['en.json', 'fr.json', 'index.json']);
  });

  it('gives null instead of throwing when the files cannot be read', async () => {
    const noIndex = createStringsLoader(() => Promise.reject(new Error('Extension context invalidated.')));
    expect(await noIndex('en')).toBeNull();
    const noLocale = createStringsLoader((file) => (file === 'index.json' ? Promise.resolve({ locales: ['en'] }) : Promise.reject(new Error('404'))));
    expect(await noLocale('en')).toBeNull();
  });

  it('tries again after a failed fetch instead of staying blind for the tab\'s life', async () => {
    const failOnce = new Set(['index.json', 'ar.json']);
    const fetched: string[] = [];
    const load = createStringsLoader(async (file) => {
      fetched.push(file);
      if (failOnce.delete(file)) throw new Error('Could not load');
      if (file === 'index.json') return { locales: ['ar'] };
      return { 'نص': ['follow_failed', 'failure', 'follow'] };
    });
    expect(await load('ar')).toBeNull(); // index failed
    expect(await load('ar')).toBeNull(); // index ok, locale failed
    expect((await load('ar'))?.get('نص')?.meaning).toBe('follow_failed');
    expect(fetched).toEqual(['index.json', 'index.json', 'ar.json', 'ar.json']);
  });
});
