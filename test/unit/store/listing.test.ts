import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pngSize } from '../../../scripts/package-checks.ts';
import { REPO_ROOT } from '../../e2e/lib/paths.ts';

const LOCALES_DIR = join(REPO_ROOT, 'public/_locales');
const DESCRIPTIONS_DIR = join(REPO_ROOT, 'docs/store/descriptions');
const SCREENSHOTS_DIR = join(REPO_ROOT, 'docs/store/screenshots');
/** The Chrome Web Store's limit for the detailed description (AMO's is larger). */
const DESCRIPTION_LIMIT = 16_000;

const locales = readdirSync(LOCALES_DIR).sort();
const message = (locale: string, key: string) =>
  (JSON.parse(readFileSync(join(LOCALES_DIR, locale, 'messages.json'), 'utf8')) as Record<string, { message: string }>)[key]?.message;

describe('docs/store/descriptions', () => {
  it('has one description per UI locale, and none for a locale the extension lacks', () => {
    expect(locales.length).toBeGreaterThanOrEqual(6);
    expect(readdirSync(DESCRIPTIONS_DIR).sort()).toEqual(locales.map((l) => `${l}.md`));
  });

  it.each(locales)('%s: starts with the name and summary the extension shows, then a description within the limit', (locale) => {
    const text = readFileSync(join(DESCRIPTIONS_DIR, `${locale}.md`), 'utf8');
    const [heading, , summary, , ...rest] = text.split('\n');
    expect(heading).toBe(`# ${message(locale, 'extName')}`);
    expect(summary).toBe(`> ${message(locale, 'extDescription')}`);
    const body = rest.join('\n').trim();
    expect(body.length).toBeGreaterThan(400);
    expect(body.length).toBeLessThanOrEqual(DESCRIPTION_LIMIT);
    // Every language says the same three things: opt-in, what a report holds, open source.
    expect(body).toContain('DOWN');
    expect(body).toContain('MIT');
  });
});

describe('docs/store/screenshots', () => {
  it('holds the five listing screenshots at 1280x800', () => {
    const names = readdirSync(SCREENSHOTS_DIR).filter((f) => f.endsWith('.png')).sort();
    expect(names).toEqual(['options.png', 'popup-arabic.png', 'popup-calm.png', 'popup-outage.png', 'status-page.png']);
    for (const name of names) expect(pngSize(readFileSync(join(SCREENSHOTS_DIR, name))), name).toEqual({ width: 1280, height: 800 });
  });
});
