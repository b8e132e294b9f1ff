/**
 * Every committed DOM fixture (test/fixtures/dom/fixtures.json) through the real runtime and
 * detectors: each failure found once, with the right feature, signal and code; no look-alike
 * (404 page, suspended account, Space ended, video replay icon, benign toast) reported.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DETECTORS } from '../../../src/content/detectors/index.ts';
import { FIXTURES, fixtureHtml, fixturesDir, repo, run, splitFixture, withoutSource } from './dom-harness.ts';

describe('detector registry', () => {
  it('registers every file of src/content/detectors/ under its file name', () => {
    const files = readdirSync(join(repo, 'src', 'content', 'detectors'))
      .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
      .map((f) => f.replace(/\.ts$/, ''))
      .sort();
    expect(DETECTORS.map((d) => d.id).sort()).toEqual(files);
    expect(new Set(DETECTORS.map((d) => d.id)).size).toBe(DETECTORS.length);
  });
});

describe('fixtures', () => {
  it('lists every fixture page, covering the required languages and an unknown one', () => {
    const pages = readdirSync(fixturesDir).filter((f) => f.endsWith('.html')).sort();
    expect(FIXTURES.map((f) => f.file).sort()).toEqual(pages);
    const langs = new Set(FIXTURES.map((f) => f.lang));
    for (const lang of ['en', 'fr', 'hi', 'ar', 'es', 'ja', 'sw']) expect(langs).toContain(lang);
    // Self-contained: no external resources, so browsers can load them offline.
    for (const page of pages) expect(fixtureHtml(page)).not.toMatch(/\b(?:src|href)="(?:https?:)?\/\//);
  });
});

describe.each(FIXTURES)('$file ($about)', (fixture) => {
  it('is detected as expected when the page is already rendered at start', async () => {
    const h = run(fixtureHtml(fixture.file), fixture.path);
    await h.detection.idle();
    expect(withoutSource(h.emitted)).toEqual(fixture.expect);
    expect(h.emitted.every((o) => o.source === 'dom')).toBe(true);
    expect(h.errors).toEqual([]);
    h.detection.stop();
  });

  it('is detected as expected when the app renders after document_start', async () => {
    const { shell, primary, layers } = splitFixture(fixtureHtml(fixture.file));
    // document_start: nothing but <head> yet.
    const h = run(shell.replace(/<body>[\s\S]*<\/body>/, '<body></body>'), fixture.path);
    const body = /<body>([\s\S]*)<\/body>/.exec(shell)?.[1] ?? '';
    h.doc.body.innerHTML = body;
    await h.detection.idle();
    expect(h.emitted).toEqual([]);
    expect(h.detection.observers()).toEqual(['layers', 'primaryColumn', 'title']);
    // React renders into the containers.
    h.doc.querySelector('[data-testid="primaryColumn"]')!.innerHTML = primary;
    h.doc.getElementById('layers')!.innerHTML = layers;
    await h.detection.idle();
    expect(withoutSource(h.emitted)).toEqual(fixture.expect);
    h.detection.stop();
  });
});
