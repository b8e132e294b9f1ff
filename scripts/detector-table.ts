/**
 * Judges the DOM detectors on the fixture corpus: every fixture page (test/fixtures/dom/) is
 * loaded in jsdom at its x.com path and run through the real detection runtime with every
 * registered detector and the committed strings files; what it emits is compared with what the
 * fixture expects. Prints true positives, false positives and false negatives per state and per
 * language, and writes them to docs/detector-accuracy.md.
 *
 *   npm run detectors:table            (tsx scripts/detector-table.ts [--check])
 *
 * With --check nothing is written; the exit code says whether the committed doc is up to date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { JSDOM } from 'jsdom';
import { DETECTORS } from '../src/content/detectors/index.ts';
import { mutationInsertions, sentinelSelectors } from '../src/content/insertions.ts';
import { startDetection } from '../src/content/runtime.ts';
import { createStringsLoader } from '../src/content/strings.ts';
import type { Observation } from '../src/shared/runtime-messages.ts';

const repo = resolve(fileURLToPath(import.meta.url), '..', '..');
export const FIXTURES_DIR = join(repo, 'test', 'fixtures', 'dom');
export const DOC_PATH = join(repo, 'docs', 'detector-accuracy.md');

type Expected = Pick<Observation, 'feature' | 'signal' | 'code'>;
export interface CorpusFixture {
  file: string;
  lang: string;
  state: string;
  lookalike: boolean;
  path: string;
  expect: Expected[];
}

export interface FixtureResult {
  fixture: CorpusFixture;
  emitted: Expected[];
  tp: number;
  fp: number;
  fn: number;
  /** Detector failures (exceptions), by detector id. */
  errors: string[];
}

export function loadCorpus(dir = FIXTURES_DIR): CorpusFixture[] {
  const json = JSON.parse(readFileSync(join(dir, 'fixtures.json'), 'utf8')) as { fixtures?: unknown };
  if (!Array.isArray(json.fixtures)) throw new Error(`${join(dir, 'fixtures.json')}: no fixtures array`);
  return json.fixtures as CorpusFixture[];
}

const key = (o: Expected) => `${o.feature}|${o.signal}|${o.code ?? ''}`;

/** Multiset comparison: each expected observation may be matched by one emitted observation. */
export function score(expected: readonly Expected[], emitted: readonly Expected[]): { tp: number; fp: number; fn: number } {
  const left = new Map<string, number>();
  for (const e of expected) left.set(key(e), (left.get(key(e)) ?? 0) + 1);
  let tp = 0;
  let fp = 0;
  for (const o of emitted) {
    const n = left.get(key(o)) ?? 0;
    if (n > 0) {
      tp += 1;
      left.set(key(o), n - 1);
    } else {
      fp += 1;
    }
  }
  return { tp, fp, fn: expected.length - tp };
}

/** One fixture through the real runtime and detectors, in jsdom at https://x.com<path>. */
export async function runFixture(fixture: CorpusFixture, dir = FIXTURES_DIR): Promise<FixtureResult> {
  const html = readFileSync(join(dir, fixture.file), 'utf8');
  const dom = new JSDOM(html, { url: `https://x.com${fixture.path}`, pretendToBeVisual: true });
  const emitted: Expected[] = [];
  const errors: string[] = [];
  const detection = startDetection({
    doc: dom.window.document,
    detectors: DETECTORS,
    strings: createStringsLoader(async (file) => JSON.parse(readFileSync(join(repo, 'public', 'strings', file), 'utf8')) as unknown),
    emit: ({ feature, signal, code }) => emitted.push({ feature, signal, code }),
    onError: (id) => errors.push(id),
    schedule: (run) => void setTimeout(run, 0),
    // jsdom has no style engine for the sentinel stylesheet: the same candidates from its mutations.
    insertions: mutationInsertions(dom.window.document, sentinelSelectors(DETECTORS.map((d) => d.selector))),
  });
  try {
    await detection.idle();
  } finally {
    detection.stop();
    dom.window.close();
  }
  return { fixture, emitted, errors, ...score(fixture.expect, emitted) };
}

export async function evaluateCorpus(fixtures = loadCorpus(), dir = FIXTURES_DIR): Promise<FixtureResult[]> {
  const results: FixtureResult[] = [];
  // One at a time: the runtime's batches are timers, and the order of results must be stable.
  for (const f of fixtures) results.push(await runFixture(f, dir));
  return results;
}

interface Row {
  pages: number;
  tp: number;
  fp: number;
  fn: number;
  /** Failure pages that expect nothing: text-only states in a language the detectors cannot read. */
  blind: number;
}

function group(results: readonly FixtureResult[], by: (r: FixtureResult) => string): Map<string, Row> {
  const rows = new Map<string, Row>();
  for (const r of results) {
    const k = by(r);
    const row = rows.get(k) ?? { pages: 0, tp: 0, fp: 0, fn: 0, blind: 0 };
    row.pages += 1;
    if (!r.fixture.lookalike && r.fixture.expect.length === 0) row.blind += 1;
    row.tp += r.tp;
    row.fp += r.fp;
    row.fn += r.fn;
    rows.set(k, row);
  }
  return rows;
}

const cells = (row: Row) => `${row.pages} | ${row.tp} | ${row.fp} | ${row.fn} | ${row.blind}`;
const langName = (lang: string) => (lang === '' ? '(no lang)' : lang);

/** The markdown report; deterministic (no dates, no timings) so the committed copy can be compared. */
export function renderMarkdown(results: readonly FixtureResult[]): string {
  const total = group(results, () => 'all').get('all') ?? { pages: 0, tp: 0, fp: 0, fn: 0, blind: 0 };
  const lookalikeFp = results.filter((r) => r.fixture.lookalike).reduce((n, r) => n + r.fp, 0);
  const byState = group(results, (r) => r.fixture.state);
  const kind = new Map(results.map((r) => [r.fixture.state, r.fixture.lookalike ? 'look-alike' : 'failure']));
  const byLang = group(results, (r) => r.fixture.lang);
  const states = [...byState.keys()].sort((a, b) => (kind.get(a) ?? '').localeCompare(kind.get(b) ?? '') || a.localeCompare(b));
  const langs = [...byLang.keys()].sort((a, b) => (a === '' ? 1 : b === '' ? -1 : a.localeCompare(b)));
  const wrong = results.filter((r) => r.fp || r.fn || r.errors.length);
  const lines = [
    '# Detector accuracy on the fixture corpus',
    '',
    'Generated by `npm run detectors:table` (scripts/detector-table.ts); a unit test checks this file is up to date.',
    'Every page of test/fixtures/dom/ (generated by scripts/gen-dom-fixtures.mjs from X’s own strings) is loaded in',
    'jsdom at its x.com path and run through the real content-script runtime with every registered detector',
    `(${DETECTORS.map((d) => d.id).join(', ')}) and the committed strings files.`,
    'A true positive is an expected observation (feature, signal, code) that was emitted; a false positive is one',
    'emitted but not expected (on a look-alike page: any report at all); a false negative is one expected but not emitted.',
    '"Blind" counts failure pages that expect nothing by design: a toast, a DM notice or a player message in a',
    'language the detectors cannot read (only X’s known texts may report there; guessing would report good-news toasts).',
    '',
    `**${total.pages} pages: ${total.tp} true positives, ${total.fp} false positives (${lookalikeFp} on look-alikes), ${total.fn} false negatives; ${total.blind} blind by design.**`,
    '',
    '## By state',
    '',
    '| state | kind | pages | TP | FP | FN | blind |',
    '|---|---|---:|---:|---:|---:|---:|',
    ...states.map((s) => `| ${s} | ${kind.get(s)} | ${cells(byState.get(s) as Row)} |`),
    '',
    '## By language',
    '',
    '`sw` (no strings file) and `(no lang)` pages show X’s Hausa texts under a language the detectors cannot resolve:',
    'only the structure can find the error there (primary-column card with a labelled button, Retry in the last timeline cell).',
    '',
    '| language | pages | TP | FP | FN | blind |',
    '|---|---:|---:|---:|---:|---:|',
    ...langs.map((l) => `| ${langName(l)} | ${cells(byLang.get(l) as Row)} |`),
    '',
    '## Mismatches',
    '',
    ...(wrong.length === 0
      ? ['None.']
      : wrong.map(
          (r) =>
            `- ${r.fixture.file}: expected ${JSON.stringify(r.fixture.expect)}, emitted ${JSON.stringify(r.emitted)}` +
            (r.errors.length ? `, failing detectors ${r.errors.join(', ')}` : ''),
        )),
    '',
  ];
  return lines.join('\n');
}

async function main() {
  const check = process.argv.includes('--check');
  const markdown = renderMarkdown(await evaluateCorpus());
  console.log(markdown);
  if (check) {
    let committed = '';
    try {
      committed = readFileSync(DOC_PATH, 'utf8');
    } catch {
      /* missing: out of date */
    }
    if (committed !== markdown) {
      console.error('detector-table: docs/detector-accuracy.md is out of date; run `npm run detectors:table`');
      process.exitCode = 1;
    }
    return;
  }
  writeFileSync(DOC_PATH, markdown);
  console.error(`detector-table: wrote ${DOC_PATH}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((err: unknown) => {
    console.error(`detector-table: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  });
}
