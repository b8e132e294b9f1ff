/**
 * `npm run screenshots`: the store listing's screenshots (1280x800, the size both stores take),
 * taken from the real extension (dist/chrome, rebuilt first if older than the sources) in real
 * Chromium against the real aggregation server on loopback, with the crowd outage the e2e tests
 * use. Writes docs/store/screenshots/*.png and checks each one's pixel size.
 *
 *   npm run screenshots [-- --out <dir>]
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { pngSize } from './package-checks.ts';
import type { RuntimeRequest, ResponseFor } from '../src/shared/runtime-messages.ts';
import { ensureBuild } from '../test/e2e/lib/build.ts';
import { postCrowdOutage, postOperatorMessage } from '../test/e2e/lib/crowd.ts';
import { DIST_CHROME, REPO_ROOT } from '../test/e2e/lib/paths.ts';
import { startBackend } from '../test/e2e/lib/server.ts';
import { waitFor } from '../test/e2e/lib/wait.ts';
import { writeUsualDay } from './lib/usual-day.ts';

export const SCREENSHOT_SIZE = { width: 1280, height: 800 } as const;
export const SCREENSHOTS = ['popup-outage', 'popup-calm', 'options', 'status-page', 'popup-arabic'] as const;
const TIME_ZONE = 'Europe/Paris';
/** 100 networks of 5 (distinct /48s in the documentation range): 500 people failing in France. */
const OUTAGE_NETWORKS = Array.from({ length: 100 }, (_, i) => `2001:db8:${(0x100 + i).toString(16)}::`);

/**
 * The popup is a 360-420 px page: shown alone at 1280x800 it would sit in a corner. Centre it
 * on a neutral background, the way it hangs under the toolbar button.
 */
const POPUP_FRAME_CSS = `
  html { background: #d9dde3 !important; min-height: 100vh; }
  body { margin: 48px auto 0 !important; width: 400px; box-shadow: 0 8px 32px rgba(0,0,0,.25); border-radius: 10px; overflow: hidden; }
  html[data-theme="dark"], html.dark { background: #2b2f36 !important; }
`;

interface Session {
  context: BrowserContext;
  base: string;
  work: string;
}

async function launch(lang: string): Promise<Session> {
  const { chromium } = await import('playwright-core');
  const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  const work = mkdtempSync(join(tmpdir(), 'outage-radar-screenshots-'));
  const context = await chromium.launchPersistentContext(join(work, 'profile'), {
    executablePath,
    headless: true,
    locale: lang,
    timezoneId: TIME_ZONE,
    viewport: SCREENSHOT_SIZE,
    deviceScaleFactor: 1,
    colorScheme: 'light',
    // chrome.i18n follows the browser's UI language, which on Linux comes from --lang and LANGUAGE.
    env: { ...process.env, TZ: TIME_ZONE, LANGUAGE: lang, LANG: `${lang}.UTF-8` },
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      `--lang=${lang}`,
      `--disable-extensions-except=${DIST_CHROME}`,
      `--load-extension=${DIST_CHROME}`,
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--hide-scrollbars',
    ],
  });
  const sw = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 20_000 }));
  return { context, base: `chrome-extension://${new URL(sw.url()).host}/`, work };
}

async function close(s: Session): Promise<void> {
  await s.context.close().catch(() => undefined);
  rmSync(s.work, { recursive: true, force: true });
}

async function send<R extends RuntimeRequest>(page: Page, message: R): Promise<ResponseFor<R>> {
  return page.evaluate(async (m) => (await chrome.runtime.sendMessage(m)) as ResponseFor<R>, message);
}

async function openPopup(s: Session): Promise<Page> {
  const page = await s.context.newPage();
  await page.goto(s.base + 'src/popup/index.html', { waitUntil: 'load' });
  await page.waitForSelector('[data-testid="verdict"]', { timeout: 15_000 });
  await page.addStyleTag({ content: POPUP_FRAME_CSS });
  return page;
}

async function shoot(page: Page, dir: string, name: (typeof SCREENSHOTS)[number]): Promise<string> {
  // Fonts and the chart settle after the first paint.
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  await page.waitForTimeout(400);
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  const size = pngSize(readFileSync(path));
  if (size?.width !== SCREENSHOT_SIZE.width || size.height !== SCREENSHOT_SIZE.height) {
    throw new Error(`${path} is ${size ? `${size.width}x${size.height}` : 'not a PNG'}, expected ${SCREENSHOT_SIZE.width}x${SCREENSHOT_SIZE.height}`);
  }
  console.log(`[screenshots] ${path}`);
  return path;
}

async function verdictSays(page: Page, state: string): Promise<void> {
  await waitFor(
    async () => {
      await send(page, { type: 'refresh' });
      await page.reload({ waitUntil: 'load' });
      await page.addStyleTag({ content: POPUP_FRAME_CSS });
      return page.evaluate((st) => document.querySelector(`[data-testid="verdict-card"].state-${st}`) !== null, state);
    },
    { timeoutMs: 30_000, intervalMs: 1000, what: `the popup's verdict card in state "${state}"` },
  );
}

async function main(argv: string[]): Promise<void> {
  const outIndex = argv.indexOf('--out');
  const out = resolve(outIndex >= 0 && argv[outIndex + 1] ? argv[outIndex + 1]! : join(REPO_ROOT, 'docs/store/screenshots'));
  mkdirSync(out, { recursive: true });
  ensureBuild();
  // A day of ordinary traffic first, so the chart and its usual level look like a live server's.
  const history = mkdtempSync(join(tmpdir(), 'outage-radar-screenshots-db-'));
  const database = join(history, 'db.sqlite');
  const reports = await writeUsualDay(database, Date.now());
  console.log(`[screenshots] ${reports} reports of an ordinary day written to ${database}`);
  const backend = await startBackend({ DATABASE_URL: `sqlite:${database}` }).catch((err: unknown) => {
    rmSync(history, { recursive: true, force: true });
    throw err;
  });
  const skipped: string[] = [];
  try {
    const en = await launch('en-US');
    try {
      const popup = await openPopup(en);
      await send(popup, { type: 'setSettings', patch: { endpoint: backend.server.url } });
      await send(popup, { type: 'setConsent', granted: true });
      await verdictSays(popup, 'operational');
      await shoot(popup, out, 'popup-calm');

      const options = await en.context.newPage();
      await options.goto(en.base + 'src/options/index.html', { waitUntil: 'load' });
      await shoot(options, out, 'options');

      // Against a few thousand active people in France, an outage is hundreds failing at once.
      await postCrowdOutage(backend.server.url, { networks: OUTAGE_NETWORKS });
      await postOperatorMessage(backend.server.url, {
        site: 'x.com',
        author: 'Outage Radar',
        text: 'Timelines fail to load for many people in France since 14:05 UTC. X has not said anything yet; we will post here when it does.',
        url: 'https://status.outage-radar.org/',
        lang: 'en',
      });
      await verdictSays(popup, 'outage');
      await shoot(popup, out, 'popup-outage');

      const status = await en.context.newPage();
      const res = await status.goto(`${backend.server.url}/?region=FR`, { waitUntil: 'load' });
      if (res?.status() === 200) await shoot(status, out, 'status-page');
      else skipped.push(`status-page (GET / answered ${res?.status() ?? 'nothing'})`);
    } finally {
      await close(en);
    }

    const ar = await launch('ar');
    try {
      const popup = await openPopup(ar);
      await send(popup, { type: 'setSettings', patch: { endpoint: backend.server.url } });
      await send(popup, { type: 'setConsent', granted: true });
      await verdictSays(popup, 'outage');
      const dir = await popup.evaluate(() => document.documentElement.dir || getComputedStyle(document.body).direction);
      if (dir !== 'rtl') throw new Error(`the Arabic popup is laid out ${dir}, not rtl: is the browser's UI language Arabic?`);
      await shoot(popup, out, 'popup-arabic');
    } finally {
      await close(ar);
    }
  } finally {
    await backend.stop();
    rmSync(history, { recursive: true, force: true });
  }
  if (skipped.length) console.log(`[screenshots] skipped: ${skipped.join('; ')}`);
}

main(process.argv.slice(2)).catch((err: Error) => {
  console.error(`[screenshots] ${err.message}`);
  process.exit(1);
});
