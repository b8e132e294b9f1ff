/**
 * The normaliser, the generator (scripts/gen-x-strings.mjs) and its committed output
 * (public/strings/) against the shared data file.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { normaliseMessage } from '../../../src/content/normalise.ts';

const repo = join(import.meta.dirname, '..', '..', '..');
const dataPath = join(repo, '..', 'shared', 'data', 'x-ui-error-strings.json');
const committed = join(repo, 'public', 'strings');
const script = join(repo, 'scripts', 'gen-x-strings.mjs');

interface Data {
  source: { locales: string[] };
  messages: Record<string, Record<string, string>>;
}
const data = JSON.parse(readFileSync(dataPath, 'utf8')) as Data;
const tmp = mkdtempSync(join(tmpdir(), 'x-strings-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const readTable = (dir: string, locale: string) =>
  JSON.parse(readFileSync(join(dir, `${locale}.json`), 'utf8')) as Record<string, [string, string, string]>;

describe('normaliseMessage', () => {
  it.each([
    ['Hmm...this page doesn’t exist.', "hmm...this page doesn't exist"],
    ['  Something\u00a0went   wrong.\nTry reloading.  ', 'something went wrong. try reloading'],
    ['Une erreur s\u2019est produite\u202f!', "une erreur s'est produite"],
    ['問題が発生しました。再読み込みしてください。', '問題が発生しました。再読み込みしてください'],
    ['कुछ गलत हुआ।', 'कुछ गलत हुआ'],
    ['هل أنت متأكد؟', 'هل أنت متأكد'],
    ['Something went wrong — it’s not your fault…', "something went wrong - it's not your fault"],
    ['\u200fRetry\u200e', 'retry'],
    ['ＥＲＲＯＲ！', 'error'],
  ])('%j -> %j', (input, expected) => {
    expect(normaliseMessage(input)).toBe(expected);
  });

  it('keeps joiners that Indic and Persian words need', () => {
    expect(normaliseMessage('می\u200cخواهید')).toBe('می\u200cخواهید');
  });
});

// Apart from the strings folder, whose listing is compared with the committed one.
const meaningsDir = mkdtempSync(join(tmpdir(), 'x-meanings-'));
afterAll(() => rmSync(meaningsDir, { recursive: true, force: true }));
const meanings = join(meaningsDir, 'x-meanings.ts');
const committedMeanings = join(repo, 'src', 'shared', 'x-meanings.ts');

describe('gen-x-strings', () => {
  execFileSync(process.execPath, [script, dataPath, tmp, meanings], { stdio: 'pipe' });

  it('writes one strings file per locale of the data, and an index', () => {
    const files = readdirSync(tmp).sort();
    expect(files).toEqual([...data.source.locales.map((l) => `${l}.json`), 'index.json'].sort());
    const index = JSON.parse(readFileSync(join(tmp, 'index.json'), 'utf8')) as { locales: string[] };
    expect(index.locales).toEqual(data.source.locales);
  });

  it('matches the committed public/strings and src/shared/x-meanings.ts (run `npm run gen:strings` after changing the data)', () => {
    expect(readFileSync(committedMeanings, 'utf8')).toBe(readFileSync(meanings, 'utf8'));
    for (const file of readdirSync(tmp)) {
      expect(readFileSync(join(committed, file), 'utf8'), file).toBe(readFileSync(join(tmp, file), 'utf8'));
    }
    expect(readdirSync(committed).sort()).toEqual(readdirSync(tmp).sort());
  });

  it('agrees with the content script normaliser on every string of every locale', () => {
    let checked = 0;
    for (const locale of data.source.locales) {
      const table = readTable(tmp, locale);
      for (const entry of Object.values(data.messages)) {
        const text = entry[locale];
        if (typeof text !== 'string') continue;
        expect(table[normaliseMessage(text)], `${locale}: ${text}`).toBeDefined();
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(3000);
  });

  it.each(JSON.parse(readFileSync(dataPath, 'utf8')).source.locales as string[])(
    '%s: the inline timeline error matches, with X’s own typography variations',
    (locale) => {
      const table = readTable(tmp, locale);
      const text = data.messages.gd769996?.[locale] ?? '';
      expect(table[normaliseMessage(text)]).toEqual(['timeline_error', 'failure', 'timeline']);
      // The same message with a curly apostrophe, a no-break space and no final full stop.
      const variant = text.replace(/'/g, '\u2019').replace(/ /g, '\u00a0').replace(/[.。।]$/u, '');
      expect(table[normaliseMessage(variant)]?.[0]).toBe('timeline_error');
    },
  );

  it('lets the more cautious class win when two messages read the same (Polish)', () => {
    const pl = readTable(tmp, 'pl');
    expect(normaliseMessage(data.messages.e4a6e006?.pl ?? '')).toBe(normaliseMessage(data.messages.e4ff75aa?.pl ?? ''));
    expect(pl[normaliseMessage(data.messages.e4ff75aa?.pl ?? '')]).toEqual(['connection_error', 'connection', 'other']);
  });

  it('lists the meanings judge.ts can put after banner: and limit:, leaving out messages that never match', () => {
    const small = join(tmp, 'small.json');
    const msg = (meaning: string, cls: string, en: string) => ({ meaning, class: cls, feature: 'other', en });
    writeFileSync(small, JSON.stringify({
      source: { locales: ['en'] },
      messages: {
        a: msg('boom', 'failure', 'Boom.'),
        b: msg('maybe', 'ambiguous', 'Maybe'),
        c: msg('slow_down', 'per_account', 'Slow down'),
        d: msg('shadowed', 'failure', 'Check your connection'),
        e: msg('offline', 'connection', 'Check your connection.'),
        f: msg('gone', 'not_outage', 'Gone'),
        g: msg('retry', 'button', 'Retry'),
      },
    }));
    const out = join(meaningsDir, 'small.ts');
    execFileSync(process.execPath, [script, small, join(tmp, 'out-small'), out], { stdio: 'pipe' });
    const text = readFileSync(out, 'utf8');
    const listed = (name: string) => [...(new RegExp(`${name}: readonly string\\[\\] = \\[([^\\]]*)\\]`).exec(text)?.[1] ?? '').matchAll(/'(\w+)'/g)].map((m) => m[1]);
    expect(listed('BANNER_MEANINGS')).toEqual(['boom', 'maybe']);
    expect(listed('LIMIT_MEANINGS')).toEqual(['slow_down']);
  });

  it('fails with a clear message on a missing or malformed data file', () => {
    const missing = spawnSync(process.execPath, [script, join(tmp, 'nope.json'), join(tmp, 'out-a'), join(meaningsDir, 'a.ts')], { encoding: 'utf8' });
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/cannot read .*nope\.json/);
    const bad = join(tmp, 'bad.json');
    writeFileSync(bad, JSON.stringify({ source: { locales: ['en'] }, messages: { x1: { meaning: 'oops', class: 'weird', feature: 'other', en: 'Oops' } } }));
    const malformed = spawnSync(process.execPath, [script, bad, join(tmp, 'out-b'), join(meaningsDir, 'b.ts')], { encoding: 'utf8' });
    expect(malformed.status).not.toBe(0);
    expect(malformed.stderr).toMatch(/x1: unknown class "weird"/);
  });
});
