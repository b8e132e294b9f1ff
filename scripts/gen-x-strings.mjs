#!/usr/bin/env node
/**
 * Turns the shared X UI string data (x-ui-error-strings.json) into one small JSON file per UI
 * locale under public/strings/, so the content script fetches only the page's language, and only
 * when a candidate error node appears: the strings never enter the content-script bundle.
 *
 *   node scripts/gen-x-strings.mjs [path/to/x-ui-error-strings.json] [out-dir] [meanings.ts]
 *
 * Each <locale>.json maps a normalised message to [meaning, class, feature]. index.json lists the
 * locales. meanings.ts (src/shared/x-meanings.ts) lists the meanings the content script can put in
 * a code, so the background lets no other word leave after banner: or limit:. Output is sorted and
 * stable, so regenerating from the same data changes nothing.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import process from 'node:process';
import { defaultStringsDataPath, failWith, readStringsData } from './lib/strings-data.mjs';
/* global console */

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dataPath = resolve(process.argv[2] ?? defaultStringsDataPath(repo));
const outDir = resolve(process.argv[3] ?? join(repo, 'public', 'strings'));
const meaningsPath = resolve(process.argv[4] ?? join(repo, 'src', 'shared', 'x-meanings.ts'));

// Must stay identical to normaliseMessage in src/content/normalise.ts; a unit test checks every
// string of the data file through both.
const INVISIBLE = /[\u00ad\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]/g;
const APOSTROPHES = /[\u2018\u2019\u201b\u02bc\u2032]/g;
const QUOTES = /[\u201c\u201d\u201e\u201f\u00ab\u00bb]/g;
const DASHES = /[\u2010-\u2015\u2212]/g;
const TRAILING = /[\s.!?\u3002\u0964\u0965\u061f\u06d4]+$/u;
function normaliseMessage(text) {
  return text
    .normalize('NFKC')
    .replace(INVISIBLE, '')
    .replace(APOSTROPHES, "'")
    .replace(QUOTES, '"')
    .replace(DASHES, '-')
    .replace(/\s+/g, ' ')
    .toLowerCase()
    .replace(TRAILING, '')
    .trim();
}

/**
 * When two messages of one locale normalise to the same text (Polish uses one sentence for "try
 * again" and "check your connection and try again"), the more cautious class wins: an exclusion
 * beats a per-account limit, which beats "your connection", which beats a site failure.
 */
const CLASS_RANK = ['not_outage', 'per_account', 'connection', 'failure', 'ambiguous', 'button', 'label'];
const FEATURES = new Set(['timeline', 'post', 'dm', 'login', 'media', 'notifications', 'search', 'profile', 'follow', 'spaces', 'other']);

const fail = failWith('gen-x-strings');
const data = readStringsData(dataPath, fail);
const locales = data?.source?.locales;
const messages = data?.messages;
if (!Array.isArray(locales) || typeof messages !== 'object' || messages === null) {
  fail(`${dataPath} has no source.locales array or messages object`);
}

const tables = new Map(locales.map((l) => [l, new Map()]));
for (const [id, entry] of Object.entries(messages)) {
  const { meaning, class: cls, feature } = entry;
  if (typeof meaning !== 'string' || !/^[a-z0-9_]{1,40}$/.test(meaning)) fail(`${id}: bad meaning ${JSON.stringify(meaning)}`);
  if (!CLASS_RANK.includes(cls)) fail(`${id}: unknown class ${JSON.stringify(cls)}`);
  if (!FEATURES.has(feature)) fail(`${id}: unknown feature ${JSON.stringify(feature)}`);
  for (const locale of locales) {
    const text = entry[locale];
    if (typeof text !== 'string' || text.trim() === '') continue;
    const key = normaliseMessage(text);
    const table = tables.get(locale);
    const had = table.get(key);
    if (!had || CLASS_RANK.indexOf(cls) < CLASS_RANK.indexOf(had[1])) table.set(key, [meaning, cls, feature]);
  }
}

mkdirSync(outDir, { recursive: true });
// Remove locale files of locales that left the data, so the folder mirrors the data exactly.
for (const file of readdirSync(outDir)) {
  if (file.endsWith('.json')) rmSync(join(outDir, file));
}
const counts = {};
for (const [locale, table] of tables) {
  const sorted = Object.fromEntries([...table.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  counts[locale] = table.size;
  writeFileSync(join(outDir, `${locale}.json`), JSON.stringify(sorted) + '\n');
}
const index = {
  source: { repo: data.source.repo ?? null, commit: data.source.commit ?? null },
  locales: [...locales],
  counts,
};
writeFileSync(join(outDir, 'index.json'), JSON.stringify(index) + '\n');

// From the tables rather than the data: a message that lost to a more cautious one in every locale
// can never be matched, so its meaning can never leave either. The classes follow src/content/judge.ts.
const meaningsOf = (classes) => {
  const found = new Set();
  for (const table of tables.values()) for (const [meaning, cls] of table.values()) if (classes.includes(cls)) found.add(meaning);
  return [...found].sort();
};
const list = (values) => values.map((v) => `  '${v}',\n`).join('');
mkdirSync(dirname(meaningsPath), { recursive: true });
writeFileSync(
  meaningsPath,
  `// Generated by scripts/gen-x-strings.mjs from x-ui-error-strings.json (npm run gen:strings): do not edit.

/** Meanings of failure and ambiguous messages: the words judge.ts can put after \`banner:\`. */
export const BANNER_MEANINGS: readonly string[] = [
${list(meaningsOf(['failure', 'ambiguous']))}];

/** Meanings of per-account messages: the words judge.ts can put after \`limit:\`. */
export const LIMIT_MEANINGS: readonly string[] = [
${list(meaningsOf(['per_account']))}];
`,
);
console.log(`gen-x-strings: ${locales.length} locales written to ${outDir}, meanings to ${meaningsPath}`);
