// @vitest-environment jsdom
/**
 * What jsdom can check of the extension pages' accessibility, in every language: axe-core's
 * rules that need no layout (names, labels, landmarks, headings, lang, dir, ARIA), and that every
 * control is a native, focusable one (so Tab reaches it and Enter/Space work without extra code).
 * Contrast, focus rings and real key presses are checked in Chromium (test/e2e/a11y.test.ts).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import axe from 'axe-core';
import { act } from 'preact/test-utils';
import { Options } from '../../../src/options/OptionsPage.tsx';
import { Welcome } from '../../../src/options/WelcomePage.tsx';
import { App } from '../../../src/popup/App.tsx';
import { createMockApi } from '../../../src/popup/mock-api.ts';
import { applyDocumentLocale, setTranslator } from '../../../src/popup/i18n.ts';
import { NOW, popupState, status } from '../background/fixtures.ts';
import { byTestId, mount, settle, useLocale } from '../popup/render.ts';

const LOCALES = readdirSync(join(process.cwd(), 'public/_locales')).sort();

async function violations(): Promise<string[]> {
  const r = await axe.run(document, {
    resultTypes: ['violations'],
    // No layout in jsdom: contrast and target sizes are measured in Chromium.
    rules: { 'color-contrast': { enabled: false }, 'target-size': { enabled: false } },
  });
  return r.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/** Controls a person uses must be native and focusable; a clickable <div> or <span> is not. */
function keyboardProblems(root: HTMLElement): string[] {
  const problems: string[] = [];
  for (const el of Array.from(root.querySelectorAll<HTMLElement>('button, input, select, textarea, a'))) {
    if (el.tabIndex < 0) problems.push(`${el.outerHTML.slice(0, 80)} is out of the Tab order`);
    if (el.tagName === 'A' && !el.hasAttribute('href')) problems.push(`${el.outerHTML.slice(0, 80)} is a link without href (not focusable)`);
    if (el.tagName === 'BUTTON' && (el as HTMLButtonElement).type === 'submit' && !el.closest('form')) problems.push(`${el.outerHTML.slice(0, 80)} submits nothing`);
  }
  for (const el of Array.from(root.querySelectorAll<HTMLElement>('[role="button"], [onclick]'))) problems.push(`${el.outerHTML.slice(0, 80)} is a clickable non-control`);
  return problems;
}

function setup(locale: string) {
  const messages = useLocale(locale, locale === 'ar' ? 'rtl' : 'ltr');
  applyDocumentLocale(document);
  document.title = messages.optionsTitle!.message;
}

afterEach(() => setTranslator(null));

it('the checks can fail: an unnamed field and a clickable <span> are caught', async () => {
  setup('en');
  const root = await mount(
    <main>
      <h1>x</h1>
      <input type="text" />
      <span role="button">go</span>
    </main>,
  );
  expect((await violations()).map((v) => v.split(':')[0])).toEqual(expect.arrayContaining(['label']));
  expect(keyboardProblems(root)).toHaveLength(1);
});

describe.each(LOCALES)('extension pages in %s', (locale) => {
  it('options: no axe violations, every control native and focusable', async () => {
    setup(locale);
    const root = await mount(<Options api={createMockApi(popupState({ consent: 'granted' }))} browserName="chrome" defaultEndpoint="http://127.0.0.1:8787" timeZone="Europe/Paris" />);
    expect(byTestId(root, 'consent-toggle')).not.toBeNull();
    expect(await violations()).toEqual([]);
    expect(keyboardProblems(root)).toEqual([]);
    // With a country chosen, the list is enabled and needs its own name.
    await act(async () => (byTestId(root, 'region-override') as HTMLInputElement).click());
    await settle();
    expect((byTestId(root, 'region-select') as HTMLSelectElement).disabled).toBe(false);
    expect(await violations()).toEqual([]);
  });

  it('welcome: no axe violations, every control native and focusable', async () => {
    setup(locale);
    const root = await mount(<Welcome api={createMockApi(popupState({ consent: 'unasked' }))} browserName="chrome" />);
    expect(await violations()).toEqual([]);
    expect(keyboardProblems(root)).toEqual([]);
  });

  it('popup: no axe violations, every control native and focusable', async () => {
    setup(locale);
    const state = popupState({ status: status('outage', { region: 'FR', regions: [['FR', 'outage']] }), consent: 'declined' });
    const root = await mount(<App api={createMockApi(state)} now={() => NOW} />);
    expect(byTestId(root, 'verdict')).not.toBeNull();
    expect(document.documentElement.getAttribute('dir')).toBe(locale === 'ar' ? 'rtl' : 'ltr');
    expect(await violations()).toEqual([]);
    expect(keyboardProblems(root)).toEqual([]);
  });
});
