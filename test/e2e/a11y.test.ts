/**
 * Accessibility of the extension's own pages in real Chromium (issue 11): axe-core finds no
 * violation on the popup, options and welcome pages (light and dark colour schemes), every
 * control is reached with Tab and works from the keyboard, and in Arabic the popup is laid out
 * right to left (a screenshot is kept in the test's temporary folder for a person to look at).
 *
 * The popup shows a real server's answer with a crowd outage in FR, an operator message and
 * the per-feature and per-country lists, so axe sees the full page and not an empty shell.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import type { PopupState } from '../../src/shared/runtime-messages.ts';
import { ensureBuild } from './lib/build.ts';
import { postCrowdOutage, postOperatorMessage } from './lib/crowd.ts';
import { DIST_CHROME, REPO_ROOT } from './lib/paths.ts';
import { AggregationServer } from './lib/server.ts';
import { OPERATOR_NOTICE } from './lib/suite.ts';
import { waitFor, withTimeout } from './lib/wait.ts';

const AXE_SOURCE = readFileSync(join(REPO_ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');
const POPUP = 'src/popup/index.html';
const OPTIONS = 'src/options/index.html';
const WELCOME = 'src/options/welcome.html';

interface Launched {
  context: BrowserContext;
  base: string;
  work: string;
}

/** Chromium with a private copy of dist/chrome, in the given UI language. */
async function launch(lang: string): Promise<Launched> {
  const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!existsSync(executablePath)) throw new Error(`chromium is not installed: no browser at ${executablePath} ("apt-get install -y chromium", or set CHROMIUM_PATH)`);
  const { chromium } = await import('playwright-core');
  const work = mkdtempSync(join(tmpdir(), `outage-radar-e2e-a11y-${lang}-`));
  const ext = join(work, 'extension');
  cpSync(DIST_CHROME, ext, { recursive: true });
  const context = await withTimeout(
    chromium.launchPersistentContext(join(work, 'profile'), {
      executablePath,
      headless: true,
      locale: lang,
      timezoneId: 'Europe/Paris',
      // The extension's language is the browser's UI language: --lang, and LANGUAGE on Linux.
      env: { ...process.env, TZ: 'Europe/Paris', LANGUAGE: lang, LANG: `${lang}.UTF-8` },
      args: [
        '--headless=new',
        '--no-sandbox',
        '--disable-gpu',
        `--lang=${lang}`,
        `--disable-extensions-except=${ext}`,
        `--load-extension=${ext}`,
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    }),
    60_000,
    'launching Chromium',
  );
  const sw = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 20_000 }));
  return { context, base: `chrome-extension://${new URL(sw.url()).host}/`, work };
}

async function close(l: Launched | undefined): Promise<void> {
  if (!l) return;
  await withTimeout(l.context.close(), 20_000, 'closing Chromium').catch(() => undefined);
  rmSync(l.work, { recursive: true, force: true });
}

async function open(l: Launched, path: string, ready: string, viewport = { width: 800, height: 900 }): Promise<Page> {
  const page = await l.context.newPage();
  await page.setViewportSize(viewport);
  await page.goto(l.base + path, { waitUntil: 'load', timeout: 20_000 });
  await page.waitForSelector(ready, { timeout: 15_000 });
  return page;
}

async function send<T>(page: Page, message: unknown): Promise<T> {
  return page.evaluate((m) => chrome.runtime.sendMessage(m) as Promise<T>, message);
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/**
 * Runs axe-core in the page. The script goes in through the DevTools protocol (page.evaluate of
 * its source), which the extension pages' CSP does not apply to, as it does to a <script> tag.
 */
async function axe(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const w = window as unknown as { axe: { run: (ctx: Document, opts: unknown) => Promise<{ violations: AxeViolation[] }> } };
    const r = await w.axe.run(document, { resultTypes: ['violations'] });
    return r.violations;
  });
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary ?? ''}`).join(' | ')}`);
}

/** Marks every control a person could use (visible, enabled) with data-kb, and returns their labels. */
async function markControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const els = Array.from(document.querySelectorAll<HTMLElement>('a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])'));
    const out: string[] = [];
    els.forEach((el, i) => {
      const disabled = (el as HTMLButtonElement).disabled === true;
      const visible = el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
      if (disabled || !visible) return;
      // A radio group is one Tab stop (arrows move inside it): mark the group once, by its name.
      const key = el instanceof HTMLInputElement && el.type === 'radio' ? `radio:${el.name}` : `${el.tagName.toLowerCase()}#${i}`;
      el.dataset.kb = key;
      if (!out.includes(key)) out.push(key);
    });
    return out;
  });
}

/** Presses Tab until focus has gone round the page, and returns the controls focused (with a visible focus ring). */
async function tabThrough(page: Page, count: number): Promise<{ reached: string[]; noRing: string[] }> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  const reached: string[] = [];
  const noRing: string[] = [];
  for (let i = 0; i < count + 3; i++) {
    await page.keyboard.press('Tab');
    const seen = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) return null;
      const s = getComputedStyle(el);
      const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
      return { key: el.dataset.kb ?? `unmarked ${el.tagName}`, ring };
    });
    if (!seen) continue;
    if (!reached.includes(seen.key)) reached.push(seen.key);
    if (!seen.ring && !noRing.includes(seen.key)) noRing.push(seen.key);
  }
  return { reached, noRing };
}

/** Focuses the control with this data-testid by Tab presses alone; fails if Tab never gets there. */
async function tabTo(page: Page, testId: string, limit = 40): Promise<void> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((id) => document.activeElement?.getAttribute('data-testid') === id, testId)) return;
  }
  throw new Error(`Tab never reached [data-testid="${testId}"]`);
}

async function expectKeyboardReachable(page: Page, name: string): Promise<void> {
  const controls = await markControls(page);
  expect(controls.length, `${name}: controls found`).toBeGreaterThan(0);
  const { reached, noRing } = await tabThrough(page, controls.length);
  expect(controls.filter((c) => !reached.includes(c)), `${name}: controls Tab never reached`).toEqual([]);
  expect(noRing, `${name}: controls focused without a visible focus indicator`).toEqual([]);
}

describe('accessibility of the extension pages in Chromium', () => {
  let en: Launched | undefined;
  let server: AggregationServer | undefined;

  beforeAll(async () => {
    ensureBuild();
    server = await new AggregationServer().start();
    expect(await postCrowdOutage(server.url)).toBe(60);
    await postOperatorMessage(server.url, OPERATOR_NOTICE);
    en = await launch('en-US');
  });

  afterAll(async () => {
    await close(en);
    await server?.stop();
  });

  it('popup: no axe violations in light and dark, every control reached by Tab, refresh with Enter, report with Space', async () => {
    const l = en!;
    const page = await open(l, POPUP, '[data-testid="verdict"]', { width: 400, height: 700 });
    // With consent the report controls are enabled, so they are checked too.
    await send(page, { type: 'setConsent', granted: true });
    const state = await send<PopupState>(page, { type: 'setSettings', patch: { endpoint: server!.url } });
    expect(state.status?.overall.state, "the server's verdict for FR").toBe('outage');
    await page.reload();
    await page.waitForSelector('[data-testid="message"]', { timeout: 15_000 });
    expect(await axe(page), 'light').toEqual([]);
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await axe(page), 'dark').toEqual([]);
    await page.emulateMedia({ colorScheme: 'light' });

    await expectKeyboardReachable(page, 'popup');
    const before = (await send<PopupState>(page, { type: 'getState' })).statusFetchedAt!;
    await tabTo(page, 'refresh');
    await page.keyboard.press('Enter');
    await waitFor(async () => ((await send<PopupState>(page, { type: 'getState' })).statusFetchedAt ?? 0) > before, {
      timeoutMs: 15_000,
      what: 'Enter on "Refresh" to fetch the status again',
    });
    await tabTo(page, 'report-feature');
    await page.keyboard.press('ArrowDown');
    await tabTo(page, 'report-problem');
    await page.keyboard.press('Space');
    await page.waitForSelector('[data-testid="report-result"]', { timeout: 10_000 });
    const queued = await send<PopupState>(page, { type: 'getState' });
    expect(queued.queue.pending + queued.queue.sent, 'Space on "Report a problem" queued a report').toBeGreaterThan(0);
    expect(await axe(page), 'after reporting').toEqual([]);
    await page.close();
  });

  it('options: no axe violations, every control reached by Tab and operable from the keyboard', async () => {
    const l = en!;
    const page = await open(l, OPTIONS, '[data-testid="consent-toggle"]');
    expect(await axe(page), 'light').toEqual([]);
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await axe(page), 'dark').toEqual([]);
    await page.emulateMedia({ colorScheme: 'light' });
    await expectKeyboardReachable(page, 'options');

    // Space on the consent checkbox.
    const consentBefore = (await send<PopupState>(page, { type: 'getState' })).consent;
    await tabTo(page, 'consent-toggle');
    await page.keyboard.press('Space');
    await waitFor(async () => (await send<PopupState>(page, { type: 'getState' })).consent !== consentBefore, { timeoutMs: 10_000, what: 'Space to change consent' });

    // Arrow keys in the country radio group, then the country list, which the choice enables.
    await tabTo(page, 'region-auto');
    await page.keyboard.press('ArrowDown');
    await waitFor(async () => (await send<PopupState>(page, { type: 'getState' })).settings.regionOverride === 'FR', {
      timeoutMs: 10_000,
      what: 'ArrowDown in the country group to choose "Choose a country" (FR, from the time zone)',
    });
    await tabTo(page, 'region-select');
    await page.keyboard.press('End');
    await waitFor(async () => !['FR', null].includes((await send<PopupState>(page, { type: 'getState' })).settings.regionOverride), {
      timeoutMs: 10_000,
      what: 'End in the country list to choose the last country',
    });

    // Typing an address and Enter saves it (the form's submit).
    await tabTo(page, 'endpoint');
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type(`${server!.url}/`);
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid="notice"]', { timeout: 10_000 });
    expect((await send<PopupState>(page, { type: 'getState' })).settings.endpoint).toBe(`${server!.url}/`);
    await page.close();
  });

  it('welcome: no axe violations, both choices reached by Tab, Enter declines', async () => {
    const l = en!;
    const page = await open(l, WELCOME, '[data-testid="consent-decline"]');
    expect(await axe(page), 'light').toEqual([]);
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await axe(page), 'dark').toEqual([]);
    await page.emulateMedia({ colorScheme: 'light' });
    await expectKeyboardReachable(page, 'welcome');
    await tabTo(page, 'consent-decline');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid="consent-outcome"]', { timeout: 10_000 });
    expect((await send<PopupState>(page, { type: 'getState' })).consent).toBe('declined');
    await page.close();
  });

  it('Arabic: the popup is right to left, has no axe violations, and a screenshot is kept', async () => {
    const ar = await launch('ar');
    try {
      const page = await open(ar, POPUP, '[data-testid="verdict"]', { width: 400, height: 700 });
      await send(page, { type: 'setSettings', patch: { endpoint: server!.url } });
      await page.reload();
      await page.waitForSelector('[data-testid="message"]', { timeout: 15_000 });
      const layout = await page.evaluate(() => {
        const card = document.querySelector('[data-testid="verdict-card"]')!.getBoundingClientRect();
        const h1 = document.querySelector('[data-testid="verdict"]') as HTMLElement;
        const text = document.createRange();
        text.selectNodeContents(h1);
        const textBox = text.getBoundingClientRect();
        return {
          lang: document.documentElement.lang,
          dir: document.documentElement.getAttribute('dir'),
          direction: getComputedStyle(document.body).direction,
          verdict: h1.textContent,
          // Right to left: the verdict's text hugs the card's right edge, not its left.
          rightGap: card.right - textBox.right,
          leftGap: textBox.left - card.left,
        };
      });
      expect(layout.lang).toBe('ar');
      expect(layout.dir).toBe('rtl');
      expect(layout.direction).toBe('rtl');
      expect(layout.verdict).toMatch(/[\u0600-\u06FF]/);
      expect(layout.rightGap).toBeLessThan(layout.leftGap);
      const shot = join(ar.work, 'popup-ar.png');
      await page.screenshot({ path: shot });
      expect(statSync(shot).size).toBeGreaterThan(5_000);
      if (process.env.OUTAGE_RADAR_A11Y_SCREENSHOT) cpSync(shot, process.env.OUTAGE_RADAR_A11Y_SCREENSHOT);
      expect(await axe(page), 'Arabic popup').toEqual([]);
    } finally {
      await close(ar);
    }
  });
});
