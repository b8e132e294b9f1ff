/**
 * The store packages as a user gets them: `npm run package` (which also rebuilds both zips from
 * the sources zip in a temporary folder and fails unless they come out byte for byte the same),
 * then each zip unpacked and loaded into the real browser, whose background must start and whose
 * popup must render, with the production endpoint as its default server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { readZip, type ZipEntry } from '../../scripts/package-zip.ts';
import { launchChromium, launchFirefox, POPUP_PATH, type ExtensionBrowser } from './lib/browsers.ts';
import { REPO_ROOT } from './lib/paths.ts';

// .invalid never resolves: the packaged extension cannot reach a real server from a test.
const ENDPOINT = 'https://outage-radar.invalid';
const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const zipPath = (kind: string) => join(REPO_ROOT, 'dist', `outage-radar-${kind}-${VERSION}.zip`);
// Nothing listens there: these tests open no x.com page, so the fixture site is not started.
const UNUSED_PORT = 9;

const work = mkdtempSync(join(tmpdir(), 'outage-radar-packages-'));
let packageLog = '';

function unpack(entries: ZipEntry[], into: string): string {
  for (const e of entries) {
    const target = join(into, ...e.path.split('/'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, e.data);
  }
  return into;
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

beforeAll(async () => {
  const { stdout, stderr } = await promisify(execFile)('npm', ['run', 'package'], {
    cwd: REPO_ROOT,
    env: { ...process.env, OUTAGE_RADAR_ENDPOINT: ENDPOINT, OUTAGE_RADAR_ALLOW_HTTP: '' },
    timeout: 240_000,
    maxBuffer: 32 * 1024 * 1024,
  }).catch((err: Error & { stdout?: string; stderr?: string }) => {
    throw new Error(`npm run package failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
  });
  packageLog = stdout + stderr;
}, 300_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('npm run package', () => {
  it('rebuilt both store zips from the sources zip byte for byte, and wrote their checksums', () => {
    expect(packageLog).toContain('rebuilt from the sources zip: both store zips are identical byte for byte');
    const sums = readFileSync(join(REPO_ROOT, 'dist', `outage-radar-${VERSION}.sha256`), 'utf8');
    for (const kind of ['chrome', 'firefox', 'sources']) {
      expect(sums).toContain(`${sha256(readFileSync(zipPath(kind)))}  outage-radar-${kind}-${VERSION}.zip`);
    }
    const building = readZip(readFileSync(zipPath('sources'))).find((e) => e.path === 'BUILDING.md');
    expect(building?.data.toString('utf8')).toContain(`${sha256(readFileSync(zipPath('firefox')))}  dist/outage-radar-firefox-${VERSION}.zip`);
    expect(building?.data.toString('utf8')).toContain(`OUTAGE_RADAR_ENDPOINT=${ENDPOINT} npm run package`);
  });

  it("keeps each browser's manifest keys to its own zip", () => {
    const manifest = (kind: string) => JSON.parse(readZip(readFileSync(zipPath(kind))).find((e) => e.path === 'manifest.json')!.data.toString('utf8')) as Record<string, unknown>;
    const chrome = manifest('chrome');
    const firefox = manifest('firefox');
    expect(chrome.version).toBe(VERSION);
    expect(chrome).not.toHaveProperty('browser_specific_settings');
    expect(chrome.background).toEqual({ service_worker: expect.any(String), type: 'module' });
    expect(firefox).not.toHaveProperty('minimum_chrome_version');
    expect(firefox.background).toEqual({ scripts: [expect.any(String)], type: 'module' });
  });
});

async function checkLoaded(browser: ExtensionBrowser): Promise<void> {
  // The background answers a runtime message only once it has started.
  const state = await browser.send({ type: 'getState' });
  expect(state.settings.endpoint).toBe(ENDPOINT);
  const popup = await browser.open(browser.extensionBase + POPUP_PATH, { width: 380, height: 600 });
  const verdict = await popup.waitFor(() => document.querySelector('[data-testid="verdict"]')?.textContent?.trim(), undefined, 'the popup verdict');
  expect(verdict.length).toBeGreaterThan(3);
  const name = await popup.evaluate(() => {
    const g = globalThis as unknown as { browser?: typeof chrome; chrome?: typeof chrome };
    return (g.browser ?? g.chrome)!.runtime.getManifest().name;
  }, undefined);
  expect(name).toBe('Outage Radar for X');
}

describe('the unpacked store zips in the real browsers', () => {
  it('Chromium starts the service worker of the Chrome zip and renders its popup', async () => {
    const dir = unpack(readZip(readFileSync(zipPath('chrome'))), join(work, 'chrome'));
    const browser = await launchChromium({ sitePort: UNUSED_PORT, proxyPort: UNUSED_PORT, extensionDir: dir });
    try {
      await checkLoaded(browser);
    } finally {
      await browser.close();
    }
  });

  it('Firefox starts the background of the Firefox zip and renders its popup', async () => {
    const dir = unpack(readZip(readFileSync(zipPath('firefox'))), join(work, 'firefox'));
    const browser = await launchFirefox({ sitePort: UNUSED_PORT, proxyPort: UNUSED_PORT, extensionDir: dir });
    try {
      await checkLoaded(browser);
    } finally {
      await browser.close();
    }
  });
});
