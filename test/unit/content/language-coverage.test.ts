/**
 * Every locale of the shared data file, every message that must be classified (failure,
 * per_account, connection, not_outage), rendered on an x.com-like page with that lang both as a
 * toast in #layers and as the primary column's error card with X's labelled Retry button, through
 * the real runtime, detectors and committed strings files. Texts are varied the way releases vary
 * them (’ vs ', no-break and doubled spaces, line breaks, case): whole normalised messages match.
 * Then pages whose language is missing or unknown: structure alone still finds the card and the
 * timeline cell.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import { DETECTORS } from '../../../src/content/detectors/index.ts';
import { normaliseMessage } from '../../../src/content/normalise.ts';
import { startDetection } from '../../../src/content/runtime.ts';
import type { Observation } from '../../../src/shared/runtime-messages.ts';
import { jsdomInsertions, nextTask, repo, stringsFromDisk, withoutSource } from './dom-harness.ts';

interface Entry {
  meaning: string;
  feature: string;
  class: string;
  [locale: string]: string;
}
const data = JSON.parse(readFileSync(join(repo, '..', 'shared', 'data', 'x-ui-error-strings.json'), 'utf8')) as {
  source: { locales: string[] };
  messages: Record<string, Entry>;
};
const LOCALES = data.source.locales;
const JUDGED = ['not_outage', 'per_account', 'connection', 'failure'];
const RTL = new Set(['ar', 'ar-x-fm', 'fa', 'he', 'ur']);
const RETRY_ICON =
  '<svg viewBox="0 0 24 24"><path d="M12 4c-4.418 0-8 3.58-8 8s3.582 8 8 8c3.806 0 6.993-2.66 7.802-6.22l1.95.45C20.742 18.67 16.683 22 12 22 6.477 22 2 17.52 2 12S6.477 2 12 2c3.072 0 5.82 1.39 7.653 3.56L22 3.5V10h-6.5l2.206-2.2C16.306 5.46 14.26 4 12 4z"></path></svg>';

type Expected = Pick<Observation, 'feature' | 'signal' | 'code'>;

/**
 * What a message must give on /home (route feature: timeline). When two messages of a locale read
 * the same once normalised, the more cautious class wins (first in the data among equals).
 */
function expectedFor(locale: string, text: string): Expected | null {
  const key = normaliseMessage(text);
  let winner: Entry | null = null;
  for (const e of Object.values(data.messages)) {
    const t = e[locale];
    if (typeof t !== 'string' || normaliseMessage(t) !== key) continue;
    const rank = ['not_outage', 'per_account', 'connection', 'failure', 'ambiguous', 'button', 'label'].indexOf(e.class);
    const best = winner ? ['not_outage', 'per_account', 'connection', 'failure', 'ambiguous', 'button', 'label'].indexOf(winner.class) : 99;
    if (rank < best) winner = e;
  }
  if (!winner) throw new Error(`${locale}: ${text} has no entry`);
  const feature = (winner.feature === 'other' ? 'timeline' : winner.feature) as Expected['feature'];
  switch (winner.class) {
    case 'not_outage':
      return null;
    case 'per_account':
      return { feature, signal: 'banner', code: `limit:${winner.meaning}` };
    case 'connection':
      return { feature, signal: 'network', code: 'banner:connection_error' };
    case 'failure':
      return { feature, signal: 'banner', code: `banner:${winner.meaning}` };
    default:
      throw new Error(`${locale}: ${text} is ${winner.class}`);
  }
}

/** ’ <-> ', no-break spaces: as X's releases and translators vary them. */
const typography = (t: string) => t.replace(/['’]/g, (c) => (c === "'" ? '\u2019' : "'")).replace(/ /g, '\u00a0');
/** Upper case when the script has case and it round-trips (not Turkish ı, not Greek final ς), doubled spaces, a line break. */
function spacingAndCase(t: string): string {
  const upper = t.toUpperCase();
  const cased = upper.toLowerCase() === t.toLowerCase() ? upper : t;
  return `\n  ${cased.replace(/ /g, '  ')}\n`;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const shell = (lang: string | null, dir: string) =>
  `<!DOCTYPE html><html${lang === null ? '' : ` lang="${lang}"`} dir="${dir}"><head><title>Home / X</title></head><body>` +
  '<div id="react-root"><main><div data-testid="primaryColumn"></div></main><div id="layers"></div></div></body></html>';

function page(lang: string | null, dir = 'ltr') {
  const dom = new JSDOM(shell(lang, dir), { url: 'https://x.com/home', pretendToBeVisual: true });
  const doc = dom.window.document;
  const emitted: Observation[] = [];
  const errors: unknown[] = [];
  const detection = startDetection({
    doc,
    detectors: DETECTORS,
    strings: stringsFromDisk(),
    emit: (o) => emitted.push(o),
    onError: (_id, err) => errors.push(err),
    schedule: nextTask,
    insertions: jsdomInsertions(doc),
  });
  const primary = doc.querySelector('[data-testid="primaryColumn"]') as Element;
  const layers = doc.getElementById('layers') as Element;
  /** Renders, waits for the detectors, returns what they emitted, and clears the page again. */
  const show = async (primaryHtml: string, layersHtml: string) => {
    emitted.length = 0;
    primary.innerHTML = primaryHtml;
    layers.innerHTML = layersHtml;
    await detection.idle();
    primary.innerHTML = '';
    layers.innerHTML = '';
    return withoutSource(emitted);
  };
  return { show, errors, stop: () => detection.stop() };
}

const toast = (text: string, dir: string) => `<div data-testid="toast" role="alert"><div dir="${dir}"><span>${esc(text)}</span></div></div>`;
const card = (text: string, retry: string, dir: string) =>
  `<div data-testid="error-detail"><div dir="${dir}"><span>${esc(text)}</span></div>` +
  `<button role="button" type="button">${RETRY_ICON}<span>${esc(retry)}</span></button></div>`;
const timelineCell = (text: string, retry: string) =>
  '<div aria-label="Timeline"><div data-testid="cellInnerDiv"><article data-testid="tweet"><span>🌍</span></article></div>' +
  `<div data-testid="cellInnerDiv"><div><span>${esc(text)}</span><button role="button" type="button">${RETRY_ICON}<span>${esc(retry)}</span></button></div></div></div>`;

const sortObs = (list: Expected[]) => [...list].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

describe.each(LOCALES)('%s', (locale) => {
  it('classifies every failure, per-account, connection and not-outage message as a toast and as the primary-column error', async () => {
    const dir = RTL.has(locale) ? 'rtl' : 'ltr';
    const retry = data.messages.a0493514?.[locale] ?? data.messages.a0493514?.en ?? 'Retry';
    const p = page(locale, dir);
    let checked = 0;
    try {
      for (const [id, entry] of Object.entries(data.messages)) {
        const text = entry[locale];
        if (!JUDGED.includes(entry.class) || typeof text !== 'string') continue;
        const want = expectedFor(locale, text);
        const got = await p.show(card(spacingAndCase(text), retry, dir), toast(typography(text), dir));
        expect(sortObs(got), `${locale} ${id}: ${text}`).toEqual(want ? [want, want] : []);
        checked += 1;
      }
    } finally {
      p.stop();
    }
    expect(p.errors).toEqual([]);
    expect(checked).toBeGreaterThan(40);
  });
});

describe.each([
  ['no lang attribute', null],
  ['an unknown language (lang="xx-YY")', 'xx-YY'],
])('a page with %s', (_name, lang) => {
  it('still finds the primary-column error and the timeline-cell error by structure, whatever the text', async () => {
    const p = page(lang);
    try {
      for (const locale of LOCALES) {
        const text = data.messages.gd769996?.[locale] as string;
        const retry = data.messages.a0493514?.[locale] as string;
        const unrecognised = { feature: 'timeline', signal: 'banner', code: 'banner:unrecognised' };
        expect(await p.show(card(text, retry, 'ltr'), ''), locale).toEqual([unrecognised]);
        expect(await p.show(timelineCell(text, retry), ''), locale).toEqual([unrecognised]);
        // Toasts need a known text: without the language, nothing.
        expect(await p.show('', toast(text, 'ltr')), locale).toEqual([]);
      }
    } finally {
      p.stop();
    }
    expect(p.errors).toEqual([]);
  });
});
