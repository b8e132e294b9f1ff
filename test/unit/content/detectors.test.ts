/**
 * Every committed DOM fixture (test/fixtures/dom/fixtures.json) through the real runtime and
 * detectors: each failure found once, with the right feature, signal and code; no look-alike
 * (404 page, suspended account, Space ended, video replay icon, benign toast) reported.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DETECTORS } from '../../../src/content/detectors/index.ts';
import { FIXTURES, fixtureHtml, fixturesDir, nextTask, repo, run, splitFixture, withoutSource } from './dom-harness.ts';

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
    for (const lang of ['en', 'fr', 'es', 'ar', 'fa', 'he', 'ur', 'hi', 'ja', 'zh', 'zh-Hant', 'ko', 'sw', '']) expect(langs).toContain(lang);
    // Self-contained: no external resources, so browsers can load them offline.
    for (const page of pages) expect(fixtureHtml(page)).not.toMatch(/\b(?:src|href)="(?:https?:)?\/\//);
  });
});

describe('gen-dom-fixtures', () => {
  const script = join(repo, 'scripts', 'gen-dom-fixtures.mjs');
  const dataPath = join(repo, '..', 'shared', 'data', 'x-ui-error-strings.json');
  const tmp = mkdtempSync(join(tmpdir(), 'dom-fixtures-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('reproduces the committed corpus exactly (run `node scripts/gen-dom-fixtures.mjs` after changing it)', () => {
    const out = join(tmp, 'out');
    execFileSync(process.execPath, [script, dataPath, out], { stdio: 'pipe' });
    expect(readdirSync(out).sort()).toEqual(readdirSync(fixturesDir).sort());
    for (const file of readdirSync(out)) expect(readFileSync(join(fixturesDir, file), 'utf8'), file).toBe(readFileSync(join(out, file), 'utf8'));
  });

  it('takes every text from the data file, and fails clearly when one is missing', () => {
    const missing = spawnSync(process.execPath, [script, join(tmp, 'nope.json'), join(tmp, 'a')], { encoding: 'utf8' });
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/cannot read .*nope\.json/);
    const data = JSON.parse(readFileSync(dataPath, 'utf8')) as { messages: Record<string, Record<string, string>> };
    delete data.messages.gd769996?.ko;
    const partial = join(tmp, 'partial.json');
    writeFileSync(partial, JSON.stringify(data));
    const gap = spawnSync(process.execPath, [script, partial, join(tmp, 'b')], { encoding: 'utf8' });
    expect(gap.status).not.toBe(0);
    expect(gap.stderr).toMatch(/message gd769996 has no ko text/);
  });
});

describe.each(FIXTURES)('$file ($about)', (fixture) => {
  it('is detected as expected when the page is already rendered at start', async () => {
    const h = run(fixtureHtml(fixture.file), fixture.path, undefined, nextTask);
    await h.detection.idle();
    expect(withoutSource(h.emitted)).toEqual(fixture.expect);
    expect(h.emitted.every((o) => o.source === 'dom')).toBe(true);
    expect(h.errors).toEqual([]);
    h.detection.stop();
  });

  it('is detected as expected when the app renders after document_start', async () => {
    const { shell, primary, layers } = splitFixture(fixtureHtml(fixture.file));
    // document_start: nothing but <head> yet.
    const h = run(shell.replace(/<body>[\s\S]*<\/body>/, '<body></body>'), fixture.path, undefined, nextTask);
    const body = /<body>([\s\S]*)<\/body>/.exec(shell)?.[1] ?? '';
    h.doc.body.innerHTML = body;
    await h.detection.idle();
    expect(h.emitted).toEqual([]);
    // Only #layers is watched (and the title, for navigations); the primary column is left to
    // the insertion source.
    const column = h.doc.querySelector('[data-testid="primaryColumn"]');
    expect(h.detection.observers()).toEqual(['layers', 'title']);
    // React renders into the containers.
    if (column) column.innerHTML = primary;
    h.doc.getElementById('layers')!.innerHTML = layers;
    await h.detection.idle();
    expect(withoutSource(h.emitted)).toEqual(fixture.expect);
    h.detection.stop();
  });
});
