import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchFirefox, type ExtensionBrowser } from './lib/browsers.ts';
import { ensureBuild } from './lib/build.ts';
import { FixtureSite } from './lib/fixture-site.ts';
import { REPO_ROOT } from './lib/paths.ts';
import { defineExtensionSuite } from './lib/suite.ts';
import { makeCert } from './lib/tls.ts';
import { waitFor } from './lib/wait.ts';

defineExtensionSuite('firefox', launchFirefox);

// Firefox names another extension's cancel NS_ERROR_ABORT, where Chromium says ERR_BLOCKED_BY_CLIENT.
describe('firefox: x.com blocked by another extension', () => {
  let dir = '';
  let site: FixtureSite | undefined;
  let ext: ExtensionBrowser | undefined;

  beforeAll(async () => {
    ensureBuild();
    dir = mkdtempSync(join(tmpdir(), 'outage-radar-e2e-firefox-blocked-'));
    site = await new FixtureSite(makeCert(dir)).start();
    ext = await launchFirefox({ sitePort: site.port, proxyPort: site.proxyPort, otherExtensions: [join(REPO_ROOT, 'test/fixtures/blocker-extension')] });
  });

  afterAll(async () => {
    await ext?.close();
    await site?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('says "blocked here" in the popup and reports nothing', async () => {
    const browser = ext!;
    await browser.send({ type: 'setConsent', granted: true });
    expect((await browser.send({ type: 'getState' })).local).toBe('ok');
    // The blocker's rule cancels the page load, so the tab never loads: only the attempt matters.
    await browser.open('https://x.com/home').catch(() => undefined);
    const state = await waitFor(
      async () => {
        const s = await browser.send({ type: 'getState' });
        return s.local === 'blocked-here' ? s : null;
      },
      { timeoutMs: 15_000, what: 'the popup state to say blocked-here' },
    );
    expect(site!.pageHits).not.toContain('/home');
    expect(state.queue.pending + state.queue.sent).toBe(0);
  });

  it("reports nothing when the page's own API calls are blocked", async () => {
    const browser = ext!;
    const tab = await browser.open('https://x.com/i/fixture-page-that-does-not-exist');
    // Through the page hook (MAIN world): the page sees a TypeError, the same as for a reset.
    const rejected = await tab.evaluate(async () => {
      const url = 'https://x.com/i/api/graphql/Fx1HomeTl999/HomeTimeline';
      const fetched = await fetch(url).then(() => 'answered', (e: unknown) => (e instanceof TypeError ? 'TypeError' : String(e)));
      const xhr = await new Promise<string>((resolve) => {
        const r = new XMLHttpRequest();
        r.open('GET', url);
        r.onload = () => resolve('answered');
        r.onerror = () => resolve('error');
        r.send();
      });
      return [fetched, xhr];
    }, undefined);
    expect(rejected).toEqual(['TypeError', 'error']);
    await waitFor(
      async () => ((await browser.send({ type: 'getState' })).local === 'blocked-here' ? true : null),
      { timeoutMs: 15_000, what: 'the popup state to say blocked-here' },
    );
    // Give a wrongly sent observation time to arrive before reading the queue.
    await new Promise((r) => setTimeout(r, 1500));
    const state = await browser.send({ type: 'getState' });
    expect(site!.apiHits).toEqual([]);
    expect(state.queue.pending + state.queue.sent).toBe(0);
    await tab.close();
  });
});
