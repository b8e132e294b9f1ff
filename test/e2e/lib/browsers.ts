/**
 * The two real browsers behind one small interface, so each scenario is written once and run in
 * Chromium (playwright-core) and Firefox (puppeteer-core over WebDriver BiDi) with the system
 * browsers. Both load the built extension, see the fixture site at real https://x.com URLs, and
 * run in the Europe/Paris time zone so the extension's region is FR.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { RuntimeRequest, ResponseFor } from '../../../src/shared/runtime-messages.ts';
import type { BrowserContext, Page as PlaywrightPage } from 'playwright-core';
import type { Page as PuppeteerPage } from 'puppeteer-core';
import { DIST_CHROME, DIST_FIREFOX } from './paths.ts';
import { waitFor, withTimeout } from './wait.ts';

export const TIME_ZONE = 'Europe/Paris';
export const POPUP_PATH = 'src/popup/index.html';
export const FIREFOX_ADDON_ID = 'outage-radar@outage-radar.org';

export interface Tab {
  evaluate<A, T>(fn: (arg: A) => T | Promise<T>, arg: A): Promise<T>;
  /** Polls `fn` in the page until it returns something truthy. */
  waitFor<A, T>(fn: (arg: A) => T | Promise<T>, arg: A, what: string, timeoutMs?: number): Promise<Exclude<T, undefined | null | false>>;
  screenshot(path: string): Promise<void>;
  close(): Promise<void>;
}

export interface ExtensionBrowser {
  readonly name: 'chromium' | 'firefox';
  /** The extension's base URL, e.g. chrome-extension://<id>/ */
  readonly extensionBase: string;
  /** Sends a runtime message to the background from an extension page; returns its answer. */
  send<R extends RuntimeRequest>(message: R): Promise<ResponseFor<R>>;
  badgeText(): Promise<string>;
  /** Opens `url` in a new tab and waits for it to load. */
  open(url: string, viewport?: { width: number; height: number }): Promise<Tab>;
  close(): Promise<void>;
}

export interface LaunchOptions {
  /** Port of the fixture HTTPS server (Chromium maps x.com there). */
  sitePort: number;
  /** Port of the fixture CONNECT proxy (Firefox tunnels x.com through it). */
  proxyPort: number;
  /** Unpacked extensions installed beside ours (Firefox only), e.g. one that blocks x.com. */
  otherExtensions?: string[];
  /** An unpacked extension to load instead of dist/chrome or dist/firefox (e.g. a store zip's contents). */
  extensionDir?: string;
}

function requireBrowser(envVar: string, fallback: string, debianPackage: string): string {
  const path = process.env[envVar] || fallback;
  if (!existsSync(path)) {
    throw new Error(
      `${debianPackage} is not installed: no browser at ${path}. Install the Debian package with ` +
        `"apt-get install -y ${debianPackage}" (or set ${envVar} to the browser's path).`,
    );
  }
  return path;
}

/**
 * Copies the build into `into` and returns the copy: a rebuild of dist/ while the browser runs
 * (another `npm run build`, a watcher) must not pull files from under the loaded extension.
 */
function snapshotBuild(dir: string, into: string): string {
  if (!existsSync(join(dir, 'manifest.json'))) {
    throw new Error(`no extension build in ${dir}: run "npm run build" first`);
  }
  const copy = join(into, 'extension');
  try {
    cpSync(dir, copy, { recursive: true });
    if (!existsSync(join(copy, 'manifest.json'))) throw new Error('no manifest.json in the copy');
  } catch (err) {
    rmSync(into, { recursive: true, force: true });
    throw new Error(`${dir} changed while it was being copied (${(err as Error).message}): run the tests again`);
  }
  mkdirSync(join(into, 'profile'));
  return copy;
}

/** No script in a page may hang a test: an answer that never comes is an error after this long. */
const EVALUATE_TIMEOUT_MS = 20_000;

function bounded<T>(p: Promise<T>, where: string): Promise<T> {
  return withTimeout(p, EVALUATE_TIMEOUT_MS, `a script in ${where} did not answer`);
}

async function sendFromPage<R extends RuntimeRequest>(tab: Tab, message: R): Promise<ResponseFor<R>> {
  return sendScript(tab, message).catch((err: Error) => {
    throw new Error(`the background did not answer the runtime message ${JSON.stringify(message)}: ${err.message}`);
  });
}

function sendScript<R extends RuntimeRequest>(tab: Tab, message: R): Promise<ResponseFor<R>> {
  return tab.evaluate(
    // Serialised into the page: it cannot use anything from this module's scope.
    async (msg: R) => {
      const g = globalThis as unknown as { browser?: typeof chrome; chrome?: typeof chrome };
      const api = g.browser ?? g.chrome;
      if (!api?.runtime) throw new Error('not an extension page: no runtime API');
      return (await api.runtime.sendMessage(msg)) as ResponseFor<R>;
    },
    message,
  );
}

async function badgeFromPage(tab: Tab): Promise<string> {
  return tab.evaluate(async () => {
    const g = globalThis as unknown as { browser?: typeof chrome; chrome?: typeof chrome };
    const api = g.browser ?? g.chrome;
    if (!api?.action) throw new Error('not an extension page: no action API');
    return api.action.getBadgeText({});
  }, undefined);
}

// ------------------------------------------------------------------------------------------
// Chromium

/**
 * Chromium with our unpacked extension loaded and x.com's hosts mapped to the fixture server on
 * `sitePort`; for benchmarks that need the browser context itself as well as for launchChromium.
 */
export async function launchChromiumContext(executablePath: string, extensionDir: string, profile: string, sitePort: number): Promise<BrowserContext> {
  const { chromium } = await import('playwright-core');
  const map = ['x.com', 'api.x.com', 'twitter.com', 'mobile.x.com'].map((h) => `MAP ${h} 127.0.0.1:${sitePort}`).join(', ');
  return withTimeout(
    chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      ignoreHTTPSErrors: true,
      timezoneId: TIME_ZONE,
      locale: 'en-US',
      // The service worker has no page to emulate a time zone for: give the whole process one.
      env: { ...process.env, TZ: TIME_ZONE },
      args: [
        '--headless=new',
        '--no-sandbox',
        '--disable-gpu',
        `--disable-extensions-except=${extensionDir}`,
        `--load-extension=${extensionDir}`,
        `--host-resolver-rules=${map}, EXCLUDE 127.0.0.1`,
        '--ignore-certificate-errors',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    }),
    60_000,
    'launching Chromium',
  );
}

export async function launchChromium(opts: LaunchOptions): Promise<ExtensionBrowser> {
  const executablePath = requireBrowser('CHROMIUM_PATH', '/usr/bin/chromium', 'chromium');
  const work = mkdtempSync(join(tmpdir(), 'outage-radar-e2e-chromium-'));
  const extensionDir = snapshotBuild(opts.extensionDir ?? DIST_CHROME, work);
  const context = await launchChromiumContext(executablePath, extensionDir, join(work, 'profile'), opts.sitePort);
  try {
    const sw = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 20_000 }));
    const id = new URL(sw.url()).host;
    const extensionBase = `chrome-extension://${id}/`;

    const wrap = (page: PlaywrightPage): Tab => ({
      // The page functions take plain JSON arguments, which playwright passes through unchanged.
      evaluate: (fn, arg) => bounded(page.evaluate(fn as (a: unknown) => never, arg) as never, page.url()),
      waitFor: (fn, arg, what, timeoutMs = 15_000) =>
        waitFor(() => bounded(page.evaluate(fn as (a: unknown) => never, arg) as never, page.url()), { timeoutMs, what: `${what} (in ${page.url()})` }),
      screenshot: async (path) => {
        await page.screenshot({ path });
      },
      close: () => page.close(),
    });
    const open = async (url: string, viewport?: { width: number; height: number }): Promise<Tab> => {
      const page = await context.newPage();
      if (viewport) await page.setViewportSize(viewport);
      await page.goto(url, { waitUntil: 'load', timeout: 20_000 });
      return wrap(page);
    };
    let control: Tab | null = null;
    const controlTab = async () => (control ??= await open(extensionBase + POPUP_PATH));
    return {
      name: 'chromium',
      extensionBase,
      send: async (m) => sendFromPage(await controlTab(), m),
      badgeText: async () => badgeFromPage(await controlTab()),
      open,
      close: async () => {
        await withTimeout(context.close(), 20_000, 'closing Chromium').catch(() => undefined);
        rmSync(work, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await context.close().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
    throw err;
  }
}

// ------------------------------------------------------------------------------------------
// Firefox

export async function launchFirefox(opts: LaunchOptions): Promise<ExtensionBrowser> {
  const executablePath = requireBrowser('FIREFOX_PATH', '/usr/bin/firefox-esr', 'firefox-esr');
  const puppeteer = (await import('puppeteer-core')).default;
  const work = mkdtempSync(join(tmpdir(), 'outage-radar-e2e-firefox-'));
  const extensionDir = snapshotBuild(opts.extensionDir ?? DIST_FIREFOX, work);
  const profile = join(work, 'profile');
  // A fixed moz-extension UUID so the test knows the popup's URL.
  const uuid = randomUUID();
  const prefs: Record<string, unknown> = {
    'extensions.webextensions.uuids': JSON.stringify({ [FIREFOX_ADDON_ID]: uuid }),
    // x.com and friends go through the fixture's CONNECT proxy; loopback (the server) does not.
    'network.proxy.type': 1,
    'network.proxy.ssl': '127.0.0.1',
    'network.proxy.ssl_port': opts.proxyPort,
    'network.proxy.http': '127.0.0.1',
    'network.proxy.http_port': opts.proxyPort,
    'network.proxy.no_proxies_on': 'localhost, 127.0.0.1',
    'network.proxy.allow_hijacking_localhost': false,
    'network.dns.disablePrefetch': true,
    'intl.locale.requested': 'en-US',
    'intl.accept_languages': 'en-US, en',
    'privacy.resistFingerprinting': false,
    'datareporting.policy.dataSubmissionEnabled': false,
    'app.update.auto': false,
    'extensions.update.enabled': false,
    'browser.safebrowsing.malware.enabled': false,
    'browser.safebrowsing.phishing.enabled': false,
  };
  const browser = await withTimeout(
    puppeteer.launch({
      browser: 'firefox',
      executablePath,
      headless: true,
      protocol: 'webDriverBiDi',
      acceptInsecureCerts: true,
      userDataDir: profile,
      extraPrefsFirefox: prefs,
      // WebDriver BiDi refuses to navigate to moz-extension:// pages without this flag.
      args: ['--remote-allow-system-access'],
      env: { ...process.env, TZ: TIME_ZONE } as Record<string, string>,
    }),
    60_000,
    'launching Firefox',
  );
  try {
    const installed = await withTimeout(browser.installExtension(extensionDir), 30_000, 'installing the add-on in Firefox');
    if (installed !== FIREFOX_ADDON_ID) throw new Error(`Firefox installed the add-on as ${installed}, expected ${FIREFOX_ADDON_ID}`);
    for (const dir of opts.otherExtensions ?? []) await withTimeout(browser.installExtension(dir), 30_000, `installing ${dir} in Firefox`);
    const extensionBase = `moz-extension://${uuid}/`;

    const wrap = (page: PuppeteerPage): Tab => ({
      evaluate: (fn, arg) => bounded(page.evaluate(fn as (a: unknown) => never, arg) as never, page.url()),
      waitFor: (fn, arg, what, timeoutMs = 15_000) =>
        waitFor(() => bounded(page.evaluate(fn as (a: unknown) => never, arg) as never, page.url()), { timeoutMs, what: `${what} (in ${page.url()})` }),
      screenshot: async (path) => {
        await page.screenshot({ path });
      },
      close: () => page.close(),
    });
    const open = async (url: string, viewport?: { width: number; height: number }): Promise<Tab> => {
      const page = await browser.newPage();
      if (viewport) await page.setViewport(viewport);
      if (!url.startsWith('moz-extension:')) {
        await page.goto(url, { waitUntil: 'load', timeout: 20_000 });
        return wrap(page);
      }
      // Firefox moves the tab into the extension process, and puppeteer then never sees the
      // navigation finish: start it, and poll the page itself until it has loaded.
      page.goto(url, { waitUntil: 'load', timeout: 20_000 }).catch(() => undefined);
      const tab = wrap(page);
      await tab.waitFor((u) => location.href === u && document.readyState === 'complete', url, `${url} to load`, 20_000);
      return tab;
    };
    let control: Tab | null = null;
    const controlTab = async () => (control ??= await open(extensionBase + POPUP_PATH));
    return {
      name: 'firefox',
      extensionBase,
      send: async (m) => sendFromPage(await controlTab(), m),
      badgeText: async () => badgeFromPage(await controlTab()),
      open,
      close: async () => {
        await withTimeout(browser.close(), 20_000, 'closing Firefox').catch(() => {
          browser.process()?.kill('SIGKILL');
        });
        rmSync(work, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await browser.close().catch(() => browser.process()?.kill('SIGKILL'));
    rmSync(work, { recursive: true, force: true });
    throw err;
  }
}

