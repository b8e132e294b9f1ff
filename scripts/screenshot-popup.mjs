#!/usr/bin/env node
// Takes docs/popup.png for the README: the popup as a user in France sees it during a crowd
// outage, with an operator's message. It drives the real extension (dist/chrome, which it does
// not build: run `npm run build` first) in Chromium against a real local server, with the same
// helpers as the end-to-end tests (test/e2e/lib).
//
//   node scripts/screenshot-popup.mjs [output.png]
/* global URL, process, console, document -- Node script; `document` is used only in functions run in the page */
import { register } from 'tsx/esm/api';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

register();
const lib = (name) => import(new URL(`../test/e2e/lib/${name}`, import.meta.url).href);
const { launchChromium } = await lib('browsers.ts');
const { FixtureSite } = await lib('fixture-site.ts');
const { makeCert } = await lib('tls.ts');
const { startBackend } = await lib('server.ts');
const { postCrowdOutage, postOperatorMessage } = await lib('crowd.ts');
const { waitFor, sleep } = await lib('wait.ts');

const repoRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));
const output = resolve(process.argv[2] ?? join(repoRoot, 'docs/popup.png'));
const dir = mkdtempSync(join(tmpdir(), 'outage-radar-screenshot-'));

const { writeUsualDay } = await import(new URL('./lib/usual-day.ts', import.meta.url).href);

const site = await new FixtureSite(makeCert(dir)).start();
// A day of ordinary traffic first, so the chart and its usual level look like a live server's.
const database = join(dir, 'history.sqlite');
await writeUsualDay(database, Date.now());
const backend = await startBackend({ DATABASE_URL: `sqlite:${database}` });
let ext = null;
try {
  ext = await launchChromium({ sitePort: site.port, proxyPort: site.proxyPort });
  await ext.send({ type: 'setSettings', patch: { endpoint: backend.server.url } });
  await ext.send({ type: 'setConsent', granted: true });

  // Against a few thousand active people in France, an outage is hundreds failing at once:
  // 100 networks of 5 (distinct /48s in the documentation range).
  await postCrowdOutage(backend.server.url, { networks: Array.from({ length: 100 }, (_, i) => `2001:db8:${(0x100 + i).toString(16)}::`) });
  await postOperatorMessage(backend.server.url, {
    site: 'x.com',
    author: 'Outage Radar',
    text: 'Timelines fail to load for many people in France and Belgium since 14:05 UTC. X has not said anything yet; we will post here when it does.',
    url: 'https://status.outage-radar.org/',
    lang: 'en',
  });

  // This user's own timeline fails too, as it would during the outage.
  site.setApi('HomeTimeline', { kind: 'status', status: 503 });
  const home = await ext.open('https://x.com/home');
  await home.waitFor(() => document.body.getAttribute('data-fixture-done') === 'true', undefined, 'the fixture timeline');

  await ext.send({ type: 'refresh' });
  await waitFor(async () => (await ext.badgeText()) === 'DOWN', { timeoutMs: 15_000, what: 'the DOWN badge' });

  const popup = await ext.open(ext.extensionBase + 'src/popup/index.html', { width: 380, height: 600 });
  await popup.waitFor(
    () => document.querySelector('[data-testid="verdict"]') && document.querySelector('[data-testid="message"]'),
    undefined,
    'the verdict and the message in the popup',
  );
  // Let fonts and the chart settle before the picture.
  await sleep(500);
  await popup.screenshot(output);
  console.log(`saved ${output}`);
} finally {
  await ext?.close();
  await backend.stop();
  await site.stop();
  rmSync(dir, { recursive: true, force: true });
}
