/**
 * The server's public status page in real Chromium, against the real server (tsx
 * src/server/main.ts on a fresh SQLite file) during a crowd outage in France: readable with
 * JavaScript off, operable from the keyboard alone (the country form submits without scripts),
 * no axe-core violations (English, Arabic right to left, one country, the privacy policy), and,
 * with JavaScript on, its own script (allowed by the page's CSP) swaps in a newer status
 * without reloading the page.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { postCrowdOutage, postOperatorMessage } from './lib/crowd.ts';
import { REPO_ROOT } from './lib/paths.ts';
import { AggregationServer } from './lib/server.ts';
import { withTimeout } from './lib/wait.ts';

const AXE_SOURCE = readFileSync(join(REPO_ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');

let server: AggregationServer;
let browser: Browser;

function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!existsSync(path)) {
    throw new Error(`chromium is not installed: no browser at ${path}. Install the Debian package with "apt-get install -y chromium" (or set CHROMIUM_PATH).`);
  }
  return path;
}

beforeAll(async () => {
  server = await new AggregationServer().start();
  await postCrowdOutage(server.url, { region: 'FR', feature: 'timeline' });
  await postOperatorMessage(server.url, { site: 'x.com', author: '@Support', text: 'We are looking into problems loading the timeline.', url: 'https://status.example/incidents/1', lang: 'en' });
  const { chromium } = await import('playwright-core');
  browser = await withTimeout(
    chromium.launch({
      executablePath: chromiumPath(),
      headless: true,
      args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    }),
    60_000,
    'launching Chromium',
  );
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function withPage<T>(options: Parameters<Browser['newContext']>[0], fn: (page: Page, context: BrowserContext) => Promise<T>): Promise<T> {
  const context = await browser.newContext({ locale: 'en-US', ...options });
  try {
    const page = await context.newPage();
    return await fn(page, context);
  } finally {
    await context.close();
  }
}

interface AxeResult {
  violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[]; failureSummary?: string }[] }[];
}

async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(() => (window as unknown as { axe: { run(ctx: Document): Promise<unknown> } }).axe.run(document) as Promise<unknown>);
  return (result as AxeResult).violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => `${JSON.stringify(n.target)} ${n.failureSummary ?? ''}`).join(' | ')}`);
}

describe('status page in Chromium', () => {
  it('is readable with JavaScript off and works from the keyboard alone', async () => {
    await withPage({ javaScriptEnabled: false }, async (page) => {
      const res = await page.goto(`${server.url}/`);
      expect(res?.status()).toBe(200);
      expect(await page.locator('[data-testid="verdict"]').textContent()).toMatch(/^X (is down|is having problems)$/);
      expect(await page.locator('[data-testid="region-FR"]').getAttribute('data-state')).toBe('outage');
      expect(await page.locator('[data-testid="message"]').first().textContent()).toContain('We are looking into problems loading the timeline.');

      // Tab through the page and note what takes the focus.
      const reached: string[] = [];
      for (let i = 0; i < 40; i++) {
        await page.keyboard.press('Tab');
        reached.push(
          await page.evaluate(() => {
            const el = document.activeElement;
            if (!el || el === document.body) return 'body';
            return `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.getAttribute('href') ? `[${el.getAttribute('href')}]` : ''}`;
          }),
        );
      }
      for (const control of ['a[/?region=FR]', 'a[https://status.example/incidents/1]', 'select#region', 'select#lang', 'button', 'a[/privacy]', 'a[/v1/feed.atom]']) {
        expect(reached, control).toContain(control);
      }

      // Choose Germany by typing, then submit with Enter: a plain GET form, no script needed.
      await page.focus('#region');
      await page.keyboard.type('Germany');
      expect(await page.locator('#region').inputValue()).toBe('DE');
      await page.focus('[data-testid="controls-submit"]');
      await Promise.all([page.waitForURL(/region=DE/), page.keyboard.press('Enter')]);
      expect(new URL(page.url()).searchParams.get('region')).toBe('DE');
      expect(await page.locator('[data-testid="verdict"]').textContent()).toBe('X is working normally');
    });
  });

  it.each([
    ['the worldwide page', '/'],
    ['a country during its outage', '/?region=FR'],
    ['the Arabic page (right to left)', '/?lang=ar'],
    ['the privacy policy', '/privacy'],
    ['the 400 page', '/?region=XYZ'],
  ])('has no axe-core violations on %s', async (_name, path) => {
    await withPage({ bypassCSP: true }, async (page) => {
      await page.goto(`${server.url}${path}`);
      expect(await axeViolations(page)).toEqual([]);
    });
  });

  it('would see a violation: the same check on the page with its form label removed', async () => {
    // So a check that could never fire is caught: axe must flag a select without a name.
    await withPage({ bypassCSP: true }, async (page) => {
      await page.goto(`${server.url}/`);
      await page.evaluate(() => document.querySelector('label[for="region"]')?.remove());
      expect((await axeViolations(page)).join('\n')).toMatch(/^select-name /m);
    });
  });

  it('refreshes itself with its own script, which the CSP allows, without reloading', async () => {
    await withPage({}, async (page) => {
      const cspErrors: string[] = [];
      page.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text())) cspErrors.push(m.text());
      });
      await page.goto(`${server.url}/?region=FR`);
      expect(await page.locator('[data-testid="verdict"]').textContent()).toBe('X is down in France');
      await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));
      await postOperatorMessage(server.url, { site: 'x.com', author: '@Support', text: 'The timeline is loading again for most people.', url: 'https://status.example/incidents/1#update', lang: 'en' });
      // The script fetches its own address through the browser's cache, which honours the
      // page's max-age; rather than wait that out, the test moves the page to an address not yet
      // cached (an unknown parameter the server ignores), then asks for a refresh as a tab
      // coming back into view does.
      await page.evaluate(() => history.replaceState(null, '', `${location.pathname}${location.search}&t=${Date.now()}`));
      await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
      await page.waitForFunction(() => document.getElementById('live')?.textContent?.includes('The timeline is loading again'), undefined, { timeout: 15_000 });
      expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
      expect(await page.locator('#status').getAttribute('data-refreshed-at')).toMatch(/^\d+$/);
      expect(cspErrors).toEqual([]);
    });
  });
});
