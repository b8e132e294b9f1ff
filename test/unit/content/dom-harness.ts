/**
 * Runs the real detection runtime and detectors on a jsdom page served "at" https://x.com, with
 * the committed strings files read from public/strings/ through the real loader.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { JSDOM } from 'jsdom';
import { DETECTORS } from '../../../src/content/detectors/index.ts';
import type { RegisteredDetector } from '../../../src/content/detector.ts';
import { mutationInsertions, sentinelSelectors, type InsertionSource } from '../../../src/content/insertions.ts';
import { startDetection, type Detection } from '../../../src/content/runtime.ts';
import { createStringsLoader } from '../../../src/content/strings.ts';
import type { Observation } from '../../../src/shared/runtime-messages.ts';

export const repo = join(import.meta.dirname, '..', '..', '..');
export const fixturesDir = join(repo, 'test', 'fixtures', 'dom');

export interface Fixture {
  file: string;
  /** The page's lang attribute ('' when it has none). */
  lang: string;
  /** The error state (or look-alike) the page shows, e.g. timeline-error, not-found. */
  state: string;
  /** Not an outage: nothing may be reported. */
  lookalike: boolean;
  path: string;
  about: string;
  expect: Array<Pick<Observation, 'feature' | 'signal' | 'code'>>;
}
export const FIXTURES = (JSON.parse(readFileSync(join(fixturesDir, 'fixtures.json'), 'utf8')) as { fixtures: Fixture[] }).fixtures;
export const fixtureHtml = (file: string) => readFileSync(join(fixturesDir, file), 'utf8');

export function stringsFromDisk(fetched: string[] = []) {
  return createStringsLoader(async (file) => {
    fetched.push(file);
    return JSON.parse(readFileSync(join(repo, 'public', 'strings', file), 'utf8')) as unknown;
  });
}

export interface Harness {
  dom: JSDOM;
  doc: Document;
  emitted: Observation[];
  errors: Array<[string, unknown]>;
  fetched: string[];
  detection: Detection;
}

/**
 * jsdom has no style engine to run the sentinel stylesheet: the runtime gets the same candidates
 * (the sentinel's selectors, outside #layers) from a document MutationObserver instead.
 */
export function jsdomInsertions(doc: Document, detectors: readonly RegisteredDetector[] = DETECTORS): InsertionSource {
  return mutationInsertions(doc, sentinelSelectors(detectors.map((d) => d.selector)));
}

/** Batches on the next macrotask instead of jsdom's 60 Hz animation frames: same runtime, faster corpus runs. */
export const nextTask = (run: () => void) => void setTimeout(run, 0);

export function run(
  html: string,
  path: string,
  detectors: readonly RegisteredDetector[] = DETECTORS,
  schedule?: (run: () => void) => void,
): Harness {
  const dom = new JSDOM(html, { url: `https://x.com${path}`, pretendToBeVisual: true });
  const emitted: Observation[] = [];
  const errors: Array<[string, unknown]> = [];
  const fetched: string[] = [];
  const detection = startDetection({
    doc: dom.window.document,
    detectors,
    strings: stringsFromDisk(fetched),
    emit: (o) => emitted.push(o),
    onError: (id, err) => errors.push([id, err]),
    insertions: jsdomInsertions(dom.window.document, detectors),
    ...(schedule ? { schedule } : {}),
  });
  return { dom, doc: dom.window.document, emitted, errors, fetched, detection };
}

/** What the page shows once rendered, split off the fixture: the empty shell, and each container's content. */
export function splitFixture(html: string) {
  const dom = new JSDOM(html);
  const doc = dom.window.document;
  const primary = doc.querySelector('[data-testid="primaryColumn"]');
  const layers = doc.getElementById('layers');
  const parts = { primary: primary?.innerHTML ?? '', layers: layers?.innerHTML ?? '' };
  if (primary) primary.innerHTML = '';
  if (layers) layers.innerHTML = '';
  return { shell: dom.serialize(), ...parts };
}

export const withoutSource = (list: Observation[]) => list.map(({ source: _s, ...rest }) => rest);
