/**
 * The end-to-end scenarios, written once and run by chromium.test.ts and firefox.test.ts. Each
 * file gets its own fixture site and browser profile; each test gets its own aggregation server
 * (fresh SQLite file) behind a recording proxy, so counts and verdicts start from zero.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateStatusResponse, type Report, type StatusResponse } from '../../../src/shared/protocol.ts';
import type { PopupState } from '../../../src/shared/runtime-messages.ts';
import type { ExtensionBrowser, LaunchOptions, Tab } from './browsers.ts';
import { ensureBuild } from './build.ts';
import { describeReports, findLeaks, findUrls, isPerAccount, parseReportPost, unmet, type Leak, type ReportExpectation } from './checks.ts';
import { getJson, postCrowdOutage, postOperatorMessage } from './crowd.ts';
import {
  ALL_PAGES,
  BANNER_PAGES,
  CORPUS,
  corpusUrl,
  DEADLINE_EXCEEDED_ERROR,
  FIXTURE_COOKIE_VALUE,
  FIXTURE_HANDLE,
  FIXTURE_POST_TEXT,
  FIXTURE_USER_ID,
  FRENCH_TIMELINE_PAGE,
  FixtureSite,
  NOT_FOUND_PAGE,
  TIMELINE_CALLS,
  type CorpusPage,
  type FixturePage,
} from './fixture-site.ts';
import { sharedDataFile } from './paths.ts';
import { startBackend, type AggregationServer, type RecordingProxy } from './server.ts';
import { makeCert } from './tls.ts';
import { sleep, waitFor } from './wait.ts';
import { POLL_POLICY } from '../../../src/shared/poll-policy.ts';
import { floorToMinute } from '../../../src/shared/protocol.ts';
import { homeTimeline } from '../../unit/page/x-answers.ts';

/** The contract: reports reach the server within about 10 s. */
const REPORT_DEADLINE_MS = 30_000;
/** How long "nothing was sent" is watched for: longer than the 10 s a report may take. */
const QUIET_WINDOW_MS = 12_000;
/**
 * Bounds of the badge-delay scenario, from the poll rule (src/shared/poll-policy.ts): a failure
 * seen here asks at once (bound: a page load and a request, with room for a slow machine), and
 * a verdict that flips just after that request is fetched by the follow-up 5 s later (bound:
 * the follow-up plus 25 s). The old once-a-minute alarm fails both: up to 60 s for either.
 */
const AT_ONCE_BOUND_MS = 12_000;
const BADGE_BOUND_MS = POLL_POLICY.followUpMs + 25_000;

export const OPERATOR_NOTICE = {
  site: 'x.com',
  author: '@OutageRadarOps',
  text: 'Timelines are failing to load for many users in Europe. We are watching it (e2e notice 4b7f).',
  url: 'https://status.example.org/incidents/e2e-4b7f',
  lang: 'en',
};

export interface PopupView {
  verdict: string | null;
  features: Record<string, string | null>;
  messages: string[];
}

/** Runs in the popup page. */
function readPopupInPage(): PopupView {
  const features: Record<string, string | null> = {};
  for (const el of Array.from(document.querySelectorAll('[data-testid^="feature-"]'))) {
    features[(el.getAttribute('data-testid') ?? '').slice('feature-'.length)] = el.getAttribute('data-state');
  }
  return {
    verdict: document.querySelector('[data-testid="verdict"]')?.textContent?.trim() || null,
    features,
    messages: Array.from(document.querySelectorAll('[data-testid="message"]')).map((e) => e.textContent ?? ''),
  };
}

export async function readPopup(tab: Tab): Promise<PopupView> {
  return tab.evaluate(readPopupInPage, undefined);
}

export async function openPopup(ext: ExtensionBrowser): Promise<Tab> {
  return ext.open(ext.extensionBase + 'src/popup/index.html', { width: 380, height: 600 });
}

/** Opens a fixture page and waits until its web app has made its calls and shown its error UI. */
async function visit(ext: ExtensionBrowser, page: FixturePage): Promise<Tab> {
  const tab = await ext.open(`https://x.com${page.path}`);
  await tab.waitFor(() => document.body.getAttribute('data-fixture-done') === 'true', undefined, `fixture page ${page.path} to finish`);
  return tab;
}

async function closeAll(tabs: Tab[]): Promise<void> {
  await Promise.all(tabs.map((t) => t.close().catch(() => undefined)));
}

/** Points the extension at this test's server (through the recording proxy). */
async function useEndpoint(ext: ExtensionBrowser, proxy: RecordingProxy): Promise<PopupState> {
  const state = await ext.send({ type: 'setSettings', patch: { endpoint: proxy.url } });
  expect(state.settings.endpoint, 'the background should keep the endpoint it was given').toBe(proxy.url);
  return state;
}

function allReports(proxy: RecordingProxy): Report[] {
  return proxy.reportPosts().flatMap((e) => parseReportPost(e.body).reports);
}

/** Values that appear in the fixture pages, their URLs or cookies, and must never leave. */
function forbiddenValues(): Leak[] {
  const strings = (JSON.parse(readFileSync(sharedDataFile('x-ui-error-strings.json'), 'utf8')) as { messages: Record<string, Record<string, string>> }).messages;
  const leaks: Leak[] = [
    { needle: FIXTURE_HANDLE, why: 'the account handle shown on the page and in the API query' },
    { needle: FIXTURE_USER_ID, why: 'the user id in the API answer' },
    { needle: FIXTURE_POST_TEXT, why: 'post text' },
    { needle: 'quokka', why: 'a word of the post text' },
    { needle: FIXTURE_COOKIE_VALUE, why: "x.com's cookie" },
    { needle: 'auth_token', why: "x.com's cookie name" },
    { needle: '/i/api', why: 'an API path' },
    { needle: 'graphql', why: 'an API path' },
    { needle: 'variables', why: 'the API query string' },
    { needle: 'screen_name', why: 'the API query string' },
    ...TIMELINE_CALLS.map((c) => ({ needle: c.queryId, why: 'a GraphQL query id (part of the URL)' })),
    ...ALL_PAGES.map((p) => ({ needle: p.path, why: 'a page path' })),
  ];
  for (const page of ALL_PAGES) {
    const text = page.banner ? strings[page.banner.stringKey]?.[page.lang] : undefined;
    if (text) leaks.push({ needle: text, why: `the ${page.lang} banner text itself` });
  }
  return leaks;
}

function expectNothingPrivate(proxy: RecordingProxy): void {
  const forbidden = forbiddenValues();
  for (const e of proxy.exchanges) {
    // Scan the bytes as sent and decoded, so \u-escaped text cannot slip through.
    let decoded = e.body;
    try {
      decoded = JSON.stringify(JSON.parse(e.body));
    } catch {
      /* not JSON: the raw scan still applies */
    }
    const where = `${e.method} ${e.path}`;
    expect(findLeaks(e.body + '\n' + decoded, forbidden), `private values in the body of ${where}: ${e.body}`).toEqual([]);
    // The server's own routes (/v1/messages) share names with x.com pages: check only the query.
    const query = e.path.includes('?') ? e.path.slice(e.path.indexOf('?')) : '';
    expect(findLeaks(query, forbidden), `private values in the query of ${where}`).toEqual([]);
    expect(findUrls(e.body + '\n' + decoded), `URLs in the body of ${where}`).toEqual([]);
    expect(e.requestHeaders.cookie, `${where} must carry no cookie`).toBeUndefined();
    const referer = String(e.requestHeaders.referer ?? '');
    expect(referer.includes('x.com'), `${where} must not carry an x.com referer (${referer})`).toBe(false);
  }
}

async function statusOf(server: AggregationServer, region?: string): Promise<StatusResponse> {
  const body = await getJson<unknown>(`${server.url}/v1/status?site=x.com${region ? `&region=${region}` : ''}`);
  const v = validateStatusResponse(body);
  if (!v.ok) throw new Error(`the server's status answer is invalid: ${JSON.stringify(v.problems)}`);
  return v.value;
}

async function waitForBadge(ext: ExtensionBrowser, want: string, what: string, timeoutMs = 15_000): Promise<void> {
  let last = '(never read)';
  await waitFor(
    async () => {
      last = await ext.badgeText();
      return last === want;
    },
    { timeoutMs, what: `${what} (badge now ${JSON.stringify(last)})`, intervalMs: 100 },
  ).catch(async (err: Error) => {
    const state = await ext.send({ type: 'getState' }).catch(() => null);
    throw new Error(`${err.message}\nbadge ${JSON.stringify(last)}; extension state: ${JSON.stringify(state)?.slice(0, 1500)}`);
  });
}

interface Forwarded { url: string; source: string; feature: string; signal: string; code?: string }

/** Runs in an extension page: keeps every observation a content script sends to the background. */
function listenForObservations(): void {
  const w = window as unknown as { __forwarded?: Forwarded[] };
  if (w.__forwarded) return;
  w.__forwarded = [];
  const rt = ((globalThis as unknown as { browser?: typeof chrome }).browser ?? chrome).runtime;
  rt.onMessage.addListener((m: unknown, sender: chrome.runtime.MessageSender) => {
    const msg = m as { type?: string; observation?: Omit<Forwarded, 'url'> };
    if (msg?.type === 'observe' && msg.observation) w.__forwarded!.push({ url: sender.url ?? '', ...msg.observation });
  });
}

/**
 * Corpus pages for the real browsers: every state in English, right-to-left Arabic and Japanese,
 * plus the pages in a language X has no strings for and with no language at all, where structure
 * alone must do. The detector table covers all of it in jsdom; here the style engine, not a
 * MutationObserver, has to find each candidate.
 */
export const BROWSER_CORPUS: CorpusPage[] = CORPUS.filter((p) => ['en', 'ar', 'ja', 'sw', ''].includes(p.lang));

const corpusKey = (o: { feature: string; signal: string; code?: string }) => `${o.feature}/${o.signal}/${o.code ?? ''}`;

export function defineExtensionSuite(browserName: string, launch: (opts: LaunchOptions) => Promise<ExtensionBrowser>): void {
  describe(`Outage Radar in ${browserName}`, () => {
    let dir = '';
    let site: FixtureSite;
    let ext: ExtensionBrowser;

    beforeAll(async () => {
      ensureBuild();
      dir = mkdtempSync(join(tmpdir(), `outage-radar-e2e-${browserName}-`));
      site = await new FixtureSite(makeCert(dir)).start();
      ext = await launch({ sitePort: site.port, proxyPort: site.proxyPort });
    });

    afterAll(async () => {
      await ext?.close();
      await site?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    async function withBackend(fn: (server: AggregationServer, proxy: RecordingProxy) => Promise<void>, env: Record<string, string> = {}): Promise<void> {
      const backend = await startBackend(env);
      try {
        await fn(backend.server, backend.proxy);
      } catch (err) {
        const log = backend.server.log.trim().split('\n').slice(-15).join('\n');
        if (err instanceof Error) err.message += `\n--- last server output ---\n${log}`;
        throw err;
      } finally {
        await backend.stop();
      }
    }

    it('sends nothing without consent, but still fetches the status', async () => {
      await withBackend(async (_server, proxy) => {
        const state = await useEndpoint(ext, proxy);
        expect(state.consent, 'a fresh install must not have consent').not.toBe('granted');
        site.setApi('HomeTimeline', { kind: 'status', status: 503 });
        site.setApi('UserTweets', { kind: 'errors200', errors: [DEADLINE_EXCEEDED_ERROR] });
        site.setApi('SearchTimeline', { kind: 'rateLimited' });
        const tabs = [await visit(ext, BANNER_PAGES[0]!), await visit(ext, FRENCH_TIMELINE_PAGE)];
        expect(site.hitsFor('HomeTimeline').some((h) => h.status === 503), 'the page made its failing call').toBe(true);

        const refreshed = await ext.send({ type: 'refresh' });
        await waitFor(() => proxy.statusGets().length > 0, { timeoutMs: 15_000, what: 'the extension to fetch /v1/status without consent' });
        expect(refreshed.consent).not.toBe('granted');

        // Nothing may arrive during a window longer than a report needs to get here.
        await sleep(QUIET_WINDOW_MS);
        await closeAll(tabs);
        expect(proxy.reportPosts().map((e) => e.body), 'reports sent without consent').toEqual([]);
        expect(proxy.exchanges.filter((e) => e.method !== 'GET' && e.method !== 'OPTIONS').map((e) => `${e.method} ${e.path}`)).toEqual([]);
        const after = await ext.send({ type: 'getState' });
        expect(after.queue.sent, 'the queue says it sent reports').toBe(0);
        expectNothingPrivate(proxy);
      });
    });

    it('with consent, reports banners in four languages and failing API calls, and nothing private', async () => {
      await withBackend(async (server, proxy) => {
        await useEndpoint(ext, proxy);
        const consented = await ext.send({ type: 'setConsent', granted: true });
        expect(consented.consent).toBe('granted');
        expect(consented.region, 'the region from the Europe/Paris time zone').toBe('FR');
        site.setApi('HomeTimeline', { kind: 'status', status: 503 });
        site.setApi('UserTweets', { kind: 'errors200', errors: [DEADLINE_EXCEEDED_ERROR] });
        site.setApi('SearchTimeline', { kind: 'rateLimited' });

        // The page that does not exist comes first: anything it caused is sent before the rest.
        const tabs = [await visit(ext, NOT_FOUND_PAGE)];
        for (const page of BANNER_PAGES) tabs.push(await visit(ext, page));

        const expectations: ReportExpectation[] = [
          ...BANNER_PAGES.map((p) => ({
            what: `banner report ${p.expect!.feature} ${p.expect!.code} for the ${p.lang} page ${p.path}`,
            match: (r: Report) => r.signal === 'banner' && r.feature === p.expect!.feature && r.detail?.code === p.expect!.code,
          })),
          {
            what: 'http_5xx timeline {status:503, op:HomeTimeline} for the XHR answered 503',
            match: (r) => r.signal === 'http_5xx' && r.feature === 'timeline' && r.detail?.status === 503 && r.detail.op === 'HomeTimeline',
          },
          {
            what: 'http_5xx profile {status:200, op:UserTweets, code:x:DeadlineExceeded|x:29} for the fetch answered 200 with errors[]',
            match: (r) =>
              r.signal === 'http_5xx' && r.feature === 'profile' && r.detail?.status === 200 && r.detail.op === 'UserTweets' && /^x:(DeadlineExceeded|29)$/.test(r.detail.code ?? ''),
          },
          {
            what: 'http_429 search {code:limit:...} for the fetch answered 429',
            match: (r) => r.signal === 'http_429' && r.feature === 'search' && (r.detail?.code ?? '').startsWith('limit:'),
          },
        ];
        await waitFor(() => unmet(allReports(proxy), expectations).length === 0, {
          timeoutMs: REPORT_DEADLINE_MS,
          what: 'the expected reports',
        }).catch((err: Error) => {
          const missing = unmet(allReports(proxy), expectations).map((e) => e.what);
          throw new Error(`${err.message}\nmissing:\n  ${missing.join('\n  ')}\nreceived:\n  ${describeReports(allReports(proxy))}\nserver answers: ${proxy.reportPosts().map((e) => `${e.status} ${e.responseBody}`).join(' | ')}`);
        });
        // The error cards were found through the sentinel animation; the pages' own listeners saw none of its events.
        for (const tab of tabs) expect(await tab.evaluate(() => document.documentElement.getAttribute('data-sentinel-events-seen'), undefined)).toBeNull();
        await closeAll(tabs);

        const posts = proxy.reportPosts();
        for (const post of posts) {
          expect(parseReportPost(post.body).problems, `a batch the browser sent fails validateReportBatch: ${post.body}`).toEqual([]);
          expect(post.status, `the server refused a batch: ${post.responseBody}`).toBe(202);
          expect(String(post.requestHeaders['content-type'])).toMatch(/^application\/json/);
        }
        const reports = allReports(proxy);
        if (process.env.OUTAGE_RADAR_E2E_VERBOSE) console.log(`[e2e ${browserName}] reports received:\n  ${describeReports(reports)}\nraw: ${posts.map((p) => p.body).join('\n')}`);
        expect(reports.filter((r) => r.region !== 'FR').map((r) => r.region), 'every report says region FR').toEqual([]);
        expect(reports.every((r) => r.site === 'x.com')).toBe(true);
        // Every call to these operations failed: a healthy sample for one would dilute the failures.
        const failingOps = TIMELINE_CALLS.map((c) => c.op);
        expect(
          reports.filter((r) => r.signal === 'ok' && failingOps.includes(r.detail?.op ?? '')).map((r) => JSON.stringify(r.detail)),
          'ok samples for API calls that all failed (e.g. HTTP 200 with errors[])',
        ).toEqual([]);
        expect(
          reports.filter((r) => r.signal === 'banner' && (r.feature === 'other' || /not_found|not_outage/.test(r.detail?.code ?? ''))).map((r) => JSON.stringify(r)),
          'the page that does not exist must not be reported as a banner',
        ).toEqual([]);
        expectNothingPrivate(proxy);

        // The server counted what it accepted.
        const ids = new Set(reports.map((r) => r.id));
        const accepted = posts.reduce((n, p) => n + (JSON.parse(p.responseBody) as { accepted: number }).accepted, 0);
        expect(accepted, 'accepted reports = distinct report ids sent').toBe(ids.size);
        const status = await statusOf(server);
        const failures = [...new Map(reports.map((r) => [r.id, r])).values()].filter((r) => r.signal !== 'ok');
        for (const feature of new Set(failures.filter((r) => !isPerAccount(r)).map((r) => r.feature))) {
          const counted = status.features.find((f) => f.feature === feature);
          const siteFailures = failures.filter((r) => r.feature === feature && !isPerAccount(r)).length;
          const allFailures = failures.filter((r) => r.feature === feature).length;
          expect(counted, `/v1/status lists feature ${feature}`).toBeDefined();
          expect(counted!.reports15m, `/v1/status reports15m for ${feature}`).toBeGreaterThanOrEqual(siteFailures);
          expect(counted!.reports15m, `/v1/status reports15m for ${feature}`).toBeLessThanOrEqual(allFailures);
          expect(counted!.reporters15m, `/v1/status reporters15m for ${feature} (one browser)`).toBe(1);
        }
        // One browser is one reporter: the server must show its counts (PRIVACY_K=1 here).
      }, { PRIVACY_K: '1' });
    });

    it('turns the badge to DOWN and the popup to outage when the crowd reports an outage in FR', async () => {
      await withBackend(async (server, proxy) => {
        await useEndpoint(ext, proxy);
        const before = await ext.send({ type: 'refresh' });
        expect(before.region).toBe('FR');
        await waitForBadge(ext, '', 'an empty badge while x.com is operational');
        const calm = await openPopup(ext);
        const calmView = await calm.waitFor(() => document.querySelector('[data-testid="verdict"]')?.textContent?.trim(), undefined, 'the popup verdict');
        await calm.close();

        const accepted = await postCrowdOutage(server.url);
        expect(accepted).toBe(60);
        const serverSays = await statusOf(server, 'FR');
        expect(serverSays.overall.state, `the server's own verdict for FR after the crowd recipe: ${JSON.stringify(serverSays.regions)}`).toBe('outage');

        const after = await ext.send({ type: 'refresh' });
        expect(after.status?.overall.state, 'the status the extension fetched').toBe('outage');
        await waitForBadge(ext, 'DOWN', 'the badge to say DOWN');

        const popup = await openPopup(ext);
        const view = await popup.waitFor(
          (calmVerdict) => {
            const verdict = document.querySelector('[data-testid="verdict"]')?.textContent?.trim();
            const timeline = document.querySelector('[data-testid="feature-timeline"]')?.getAttribute('data-state');
            return verdict && verdict !== calmVerdict && timeline === 'outage' ? { verdict, timeline } : undefined;
          },
          calmView,
          'the popup to show the outage',
        ).catch(async (err: Error) => {
          throw new Error(`${err.message}\npopup shows: ${JSON.stringify(await readPopup(popup))}`);
        });
        expect(view.verdict).toMatch(/down|outage/i);
        await popup.close();
      });
    });

    // Earlier tests' failures are watched for POLL_POLICY.watchMs (a request every follow-up): the
    // quiet wait below can take that long, hence the longer timeout.
    it('asks for the status at once when x.com fails here, and shows the outage by the follow-up', { timeout: 300_000 }, async () => {
      await withBackend(async (server, proxy) => {
        await useEndpoint(ext, proxy);
        // Failure-timed requests are for people who agreed to report (they tell the server X failed).
        await ext.send({ type: 'setConsent', granted: true });
        await waitForBadge(ext, '', 'an empty badge while x.com is operational');
        // The endpoint change asked at once, and failures of the earlier tests may still have a
        // follow-up due: wait until no request came for the follow-up spacing, so the failure's
        // own request is not held back (the rule keeps failure-driven requests a follow-up apart).
        for (;;) {
          const quietFor = POLL_POLICY.followUpMs + 1_000 - (Date.now() - (proxy.statusGets().at(-1)?.at ?? 0));
          if (quietFor <= 0) break;
          await sleep(quietFor);
        }

        site.setApi('HomeTimeline', { kind: 'status', status: 503 });
        const gets = proxy.statusGets().length;
        const hits = site.hitsFor('HomeTimeline').length;
        const tab = await visit(ext, BANNER_PAGES[0]!);
        const failedAt = site.hitsFor('HomeTimeline').slice(hits).find((h) => h.status === 503)?.at;
        expect(failedAt, 'the page made its failing call').toBeDefined();
        const asked = await waitFor(() => proxy.statusGets().slice(gets).find((e) => e.at >= failedAt!), {
          timeoutMs: AT_ONCE_BOUND_MS,
          what: `a GET /v1/status at once after the page's 503 (status requests so far: ${proxy.statusGets().map((e) => e.at - failedAt!).join(', ')} ms from the failure)`,
        });
        await tab.close();

        // Right after that request, the crowd turns the server's verdict for FR to outage.
        expect(await postCrowdOutage(server.url)).toBe(60);
        const flippedAt = Date.now();
        expect((await statusOf(server, 'FR')).overall.state, "the server's verdict for FR").toBe('outage');
        expect(await ext.badgeText(), 'the badge before the next poll').toBe('');

        await waitForBadge(ext, 'DOWN', 'the badge to say DOWN without a refresh', BADGE_BOUND_MS);
        const badgeAt = Date.now();
        const after = proxy.statusGets().filter((e) => e.at > asked.at).map((e) => e.at - asked.at);
        console.log(
          `[e2e ${browserName}] badge delay: failure -> status request ${asked.at - failedAt!} ms; verdict flip -> badge DOWN ${badgeAt - flippedAt} ms ` +
            `(the request that brought it ${after[0] ?? '?'} ms after the failure's request; bounds ${AT_ONCE_BOUND_MS} and ${BADGE_BOUND_MS} ms)`,
        );
        expect(badgeAt - flippedAt).toBeLessThan(BADGE_BOUND_MS);
      });
    });

    it('sends a manual report when the user presses "Report a problem" in the popup', async () => {
      await withBackend(async (_server, proxy) => {
        await useEndpoint(ext, proxy);
        await ext.send({ type: 'setConsent', granted: true });
        const popup = await openPopup(ext);
        await popup.waitFor(
          () => {
            const button = document.querySelector<HTMLButtonElement>('[data-testid="report-problem"]');
            return button !== null && !button.disabled;
          },
          undefined,
          'an enabled "Report a problem" button',
        );
        // Pick the feature when the popup offers a choice (the contract names only the button).
        const choseDm = await popup.evaluate(() => {
          const select = document.querySelector<HTMLSelectElement>('[data-testid="report-feature"]');
          if (select) {
            select.value = 'dm';
            select.dispatchEvent(new Event('change', { bubbles: true }));
          }
          document.querySelector<HTMLButtonElement>('[data-testid="report-problem"]')!.click();
          return select !== null;
        }, undefined);
        const manual = await waitFor(() => allReports(proxy).find((r) => r.signal === 'manual'), {
          timeoutMs: REPORT_DEADLINE_MS,
          what: `a manual report at the server (received: ${describeReports(allReports(proxy))})`,
        });
        await popup.close();
        expect(manual.region).toBe('FR');
        if (choseDm) expect(manual.feature, 'the feature chosen in the popup').toBe('dm');
        for (const post of proxy.reportPosts()) expect(parseReportPost(post.body).problems).toEqual([]);
        expectNothingPrivate(proxy);
      });
    });

    it('finds in the real page what the detector table finds in jsdom, on the DOM corpus', async () => {
      const listener = await openPopup(ext);
      await listener.evaluate(listenForObservations, undefined);
      const read = () => listener.evaluate(() => (window as unknown as { __forwarded: Forwarded[] }).__forwarded.slice(), undefined);
      const domFor = (seen: Forwarded[], page: CorpusPage) =>
        seen.filter((o) => o.source === 'dom' && new URL(o.url).searchParams.get('corpus') === page.file).map(corpusKey).sort();
      const wrong: string[] = [];
      // One page at a time, in the foreground: a background tab is not rendered, so its
      // candidates are announced only once it is shown.
      for (const page of BROWSER_CORPUS) {
        const tab = await ext.open(corpusUrl(page));
        const want = page.expect.map(corpusKey).sort();
        if (want.length > 0) {
          await waitFor(async () => domFor(await read(), page).length >= want.length, { timeoutMs: 5_000, what: `${page.file}: ${want.join(', ')}` }).catch(() => undefined);
        }
        // Long enough for a wrong report to arrive: the first frame, the strings and the message.
        await sleep(want.length > 0 ? 100 : 400);
        await tab.close();
        const got = domFor(await read(), page);
        if (JSON.stringify(got) !== JSON.stringify(want)) wrong.push(`${page.file} (${page.state}): expected [${want.join(', ')}], got [${got.join(', ')}]`);
      }
      await listener.close();
      expect(BROWSER_CORPUS.length).toBeGreaterThan(100);
      expect(wrong).toEqual([]);
    }, 600_000);

    it("shows the operator's message in the popup", async () => {
      await withBackend(async (server, proxy) => {
        await useEndpoint(ext, proxy);
        await postOperatorMessage(server.url, OPERATOR_NOTICE);
        const state = await ext.send({ type: 'refresh' });
        await waitFor(() => proxy.messageGets().some((e) => e.status === 200 && e.responseBody.includes('4b7f')), {
          timeoutMs: 15_000,
          what: 'the extension to fetch /v1/messages and get the notice',
        });
        expect(state.messages.map((m) => m.text).concat((await ext.send({ type: 'getState' })).messages.map((m) => m.text))).toContain(OPERATOR_NOTICE.text);
        const popup = await openPopup(ext);
        await popup
          .waitFor((text) => Array.from(document.querySelectorAll('[data-testid="message"]')).some((e) => (e.textContent ?? '').includes(text)), OPERATOR_NOTICE.text, 'the notice in the popup')
          .catch(async (err: Error) => {
            throw new Error(`${err.message}\npopup shows: ${JSON.stringify(await readPopup(popup))}`);
          });
        await popup.close();
      });
    });

    it('shows only the @Support post of an API answer, and the server publishes it when k browsers agree; a forged text never appears', async () => {
      const SUPPORT_TEXT = 'e2e 51f0: we are aware some posts do not load';
      const OTHER_TEXT = 'e2e 51f0: private words of somebody else';
      const FORGED = 'e2e 51f0: forged, send us your password';
      const postId = '1866000000000051001';
      site.setApi(
        'HomeTimeline',
        { kind: 'body', body: homeTimeline([
          { id: '1866000000000051002', userId: '44196397', handle: 'someone_e2e', text: OTHER_TEXT },
          { id: postId, userId: '17874544', handle: 'Support', text: SUPPORT_TEXT, createdAt: new Date(Date.now() - 600_000).toUTCString().replace('GMT', '+0000') },
          { id: '1866000000000051003', userId: '12', handle: 'jack_e2e', text: `RT @Support: ${SUPPORT_TEXT}`, newerUser: true },
        ]) },
      );
      try {
        await withBackend(async (server, proxy) => {
          await useEndpoint(ext, proxy);
          await ext.send({ type: 'setConsent', granted: true });
          const tab = await visit(ext, BANNER_PAGES[0]!);
          const state = await waitFor(async () => {
            const s = await ext.send({ type: 'getState' });
            return s.sightings.some((p) => p.postId === postId) && s;
          }, { timeoutMs: 20_000, what: 'the background to keep the @Support post' });
          await tab.close();
          expect(state.sightings.map((p) => [p.postId, p.authorId, p.handle, p.text])).toEqual([[postId, '17874544', 'Support', SUPPORT_TEXT]]);
          // Seen here: in the popup, labelled, with nothing of anyone else.
          const popup = await openPopup(ext);
          await popup.waitFor((text) => Array.from(document.querySelectorAll('[data-testid="message"][data-seen-here="true"]')).some((e) => (e.textContent ?? '').includes(text)), SUPPORT_TEXT, 'the @Support post in the popup');
          const shown = (await readPopup(popup)).messages.join('\n');
          expect(shown).not.toContain('private words');
          expect(shown).not.toContain('someone_e2e');
          expect(shown).not.toContain('jack_e2e');
          await popup.close();
          // The browser's sighting reached the server (one of k = 3).
          const sent = await waitFor(() => {
            const list = proxy.exchanges.filter((e) => e.path.startsWith('/v1/sightings') && e.status === 202);
            return list.length > 0 && list;
          }, { timeoutMs: 20_000, what: 'the sighting POST' });
          expect(sent[0]!.body).not.toContain('private words');
          // Two forgers on two networks, then two more browsers agreeing with the real text.
          const send = async (text: string, network: string) => {
            const res = await fetch(`${server.url}/v1/sightings`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'x-forwarded-for': network },
              body: JSON.stringify({ sightings: [{ ...JSON.parse(sent[0]!.body).sightings[0], id: crypto.randomUUID(), text, reporter: `e2e_reporter_${network.replace(/\W/g, '_')}`, at: floorToMinute(Date.now()) }] }),
            });
            expect(res.status).toBe(202);
          };
          await send(FORGED, '198.51.100.7');
          await send(FORGED, '203.0.113.7');
          await send(SUPPORT_TEXT, '192.0.2.7');
          await send(SUPPORT_TEXT, '2001:db8:51::7');
          await send(FORGED, '2001:db8:52::7');
          const published = await getJson(`${server.url}/v1/messages?site=x.com`) as { messages: { source: string; text: string; seenBy?: number }[] };
          expect(published.messages.filter((m) => m.source === 'x-sighting').map((m) => [m.text, m.seenBy])).toEqual([[SUPPORT_TEXT, 3]]);
          // Another browser's view: the published message in the popup, and never the forgery.
          await ext.send({ type: 'refresh' });
          const again = await openPopup(ext);
          await again.waitFor(() => Array.from(document.querySelectorAll('[data-testid="message"][data-source="x-sighting"]')).some((e) => !e.hasAttribute('data-seen-here')), undefined, 'the published sighting in the popup');
          const view = (await readPopup(again)).messages.join('\n');
          expect(view).toContain(SUPPORT_TEXT);
          expect(view).not.toContain('forged');
          await again.close();
        }, { SIGHTING_K: '3' });
      } finally {
        site.setApi('HomeTimeline', { kind: 'ok' });
      }
    });
  });
}
