/**
 * The public pages (src/server/http/public-pages.ts) on a real app over real SQLite, driven
 * through app.request(): the status page's language, direction, country and errors, escaping,
 * the Atom feed (parsed by a real feed parser), the badge, caching headers and /privacy.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFeed } from '@rowanmanning/feed-parser';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/server/http/app.ts';
import type { StatusBuilder } from '../../src/server/aggregation/status.ts';
import { parseAcceptLanguage } from '../../src/server/pages/locales.ts';
import { renderToString } from 'preact-render-to-string';
import { Markdown } from '../../src/server/pages/markdown.tsx';
import { translatorFromMessages, type MessageEntry } from '../../src/shared/ui/i18n.ts';
import type { Report } from '../../src/shared/protocol.ts';
import { makeHarness, MIDDAY_UTC, type Harness } from './lib/harness.ts';
import { postKnownCrowd } from './lib/crowd.ts';

let h: Harness | null = null;
async function harness(env: Record<string, string> = {}, now?: number): Promise<Harness> {
  // The crowds here browsed fine half an hour before they fail: a fixed midday (MIDDAY_UTC says why).
  h = await makeHarness({ TRUST_PROXY: '127.0.0.1', ...env }, now ?? MIDDAY_UTC);
  return h;
}
afterEach(async () => {
  await h?.close();
  h = null;
});

function strings(locale: string) {
  const messages = JSON.parse(readFileSync(join(process.cwd(), 'public/_locales', locale, 'messages.json'), 'utf8')) as Record<string, MessageEntry>;
  return translatorFromMessages(messages);
}
const en = strings('en');

/** The e2e contract's crowd failing on the FR timeline now, every report taken. */
async function crowdOutage(h: Harness, overrides: Partial<Report> = {}): Promise<void> {
  for (const r of await postKnownCrowd(h, overrides)) expect(r.status).toBe(202);
}

async function page(h: Harness, path: string, headers: Record<string, string> = {}): Promise<{ res: Response; html: string }> {
  const res = await h.request(path, { headers });
  return { res, html: await res.text() };
}

const attr = (html: string, name: string) => new RegExp(`<html[^>]* ${name}="([^"]*)"`).exec(html)?.[1];
const verdictText = (html: string) => /data-testid="verdict">(?:<span[^>]*><\/span>)?([^<]*)</.exec(html)?.[1];

describe('status page language', () => {
  it.each([
    ['fr-CA,fr;q=0.9,en;q=0.5', 'fr'],
    ['xx-YY, ja;q=0.5', 'ja'],
    ['es;q=0.1, hi;q=0.8', 'hi'],
    ['en-GB', 'en'],
    ['*', 'en'],
    ['', 'en'],
    ['de;q=0, es', 'es'],
    ['garbage;;;, ;q=abc', 'en'],
  ])('Accept-Language %j gives %s, with the verdict in that language', async (header, lang) => {
    const h = await harness();
    const { res, html } = await page(h, '/', header ? { 'accept-language': header } : {});
    expect(res.status).toBe(200);
    expect(attr(html, 'lang')).toBe(lang);
    expect(attr(html, 'dir')).toBe('ltr');
    expect(verdictText(html)).toBe(strings(lang)('verdictOperational'));
    expect(res.headers.get('vary')).toMatch(/Accept-Language/i);
  });

  it('serves Arabic right to left', async () => {
    const h = await harness();
    const { html } = await page(h, '/', { 'accept-language': 'ar-EG,ar;q=0.9' });
    expect(attr(html, 'lang')).toBe('ar');
    expect(attr(html, 'dir')).toBe('rtl');
    expect(html).toContain(strings('ar')('featuresHeading'));
  });

  it('lets ?lang= override Accept-Language, keeps it in country links, and ignores an unknown one', async () => {
    const h = await harness();
    await crowdOutage(h);
    const chosen = await page(h, '/?lang=ja', { 'accept-language': 'fr' });
    expect(attr(chosen.html, 'lang')).toBe('ja');
    expect(chosen.html).toContain('href="/?region=FR&amp;lang=ja"');
    const unknown = await page(h, '/?lang=tlh', { 'accept-language': 'fr' });
    expect(unknown.res.status).toBe(200);
    expect(attr(unknown.html, 'lang')).toBe('fr');
  });

  it('offers every translation in public/_locales in the language menu', async () => {
    const h = await harness();
    const { html } = await page(h, '/');
    const menu = /<select id="lang"[\s\S]*?<\/select>/.exec(html)?.[0] ?? '';
    const offered = [...menu.matchAll(/value="([^"]+)"/g)].map((m) => m[1]).sort();
    const { readdirSync } = await import('node:fs');
    expect(offered).toEqual(readdirSync(join(process.cwd(), 'public/_locales')).sort());
  });

  it('parses q-values, drops q=0 and malformed ranges, keeps order among equals', () => {
    expect(parseAcceptLanguage('da, en-gb;q=0.8, en;q=0.7, fr;q=0, x;q=2, ;q=0.5, ja;q=0.8').map((r) => [r.tag, r.q])).toEqual([
      ['da', 1],
      ['en-gb', 0.8],
      ['ja', 0.8],
      ['en', 0.7],
    ]);
  });
});

describe('status page content', { timeout: 30_000 }, () => {
  it('shows an outage in France for ?region=FR, not for DE, and lists France worldwide with a link', async () => {
    const h = await harness();
    await crowdOutage(h);
    const fr = await page(h, '/?region=FR');
    expect(fr.res.status).toBe(200);
    expect(verdictText(fr.html)).toBe(en('verdictOutageIn', ['France']));
    expect(fr.html).toMatch(/data-testid="feature-timeline" data-state="outage"/);
    expect(fr.html).toContain('<option value="FR" selected>');
    // The same answer for lower case.
    expect(verdictText((await page(h, '/?region=fr')).html)).toBe(en('verdictOutageIn', ['France']));
    const de = await page(h, '/?region=DE');
    expect(verdictText(de.html)).toBe(en('verdictOperational'));
    const world = await page(h, '/');
    expect(['verdictOutage', 'verdictDegraded'].map((k) => en(k))).toContain(verdictText(world.html));
    expect(world.html).toMatch(/data-testid="region-FR" data-state="outage"[^>]*><span class="name"><a href="\/\?region=FR">France<\/a>/);
    // The chart and the regions are the shared components the popup renders.
    expect(world.html).toContain('data-testid="chart-reports"');
    expect(world.html).toContain(en('chartHeading'));
  });

  it.each(['FRA', 'F1', '<script>alert(1)</script>', ' FR'])('answers ?region=%j with a clear 400 page, escaped', async (bad) => {
    const h = await harness();
    const { res, html } = await page(h, `/?region=${encodeURIComponent(bad)}`);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(html).toContain(en('pageBadRequestTitle'));
    expect(html).not.toContain('<script>alert');
    // preact escapes & and < in text (enough to keep any tag out).
    const shown = bad.replace(/&/g, '&amp;').replace(/</g, '&lt;');
    expect(html).toContain(en('pageBadRegion', [shown]));
  });

  it('escapes a hostile message everywhere and never links a non-http(s) URL', async () => {
    const h = await harness();
    const now = h.clock.now;
    await h.storage.insertMessages([
      { id: 'operator:evil', site: 'x.com', source: 'operator', author: '"><img src=x onerror=alert(1)>', text: '<script>alert("x")</script> & </textarea>]]>\u0001', url: 'javascript:alert(1)', publishedAt: now - 60_000, lang: 'en' },
      { id: 'operator:good', site: 'x.com', source: 'operator', author: '@Support', text: 'All fixed.', url: 'https://status.example/incident/1', publishedAt: now - 30_000, lang: 'en' },
    ]);
    const { html } = await page(h, '/');
    expect(html).not.toMatch(/<script>alert|<img src=x|javascript:/);
    expect(html).toContain('&lt;script>alert(&quot;x&quot;)&lt;/script> &amp; &lt;/textarea>]]>');
    expect(html).toContain('href="https://status.example/incident/1"');
    // Newest first, as in the popup.
    expect(html.indexOf('All fixed.')).toBeLessThan(html.indexOf('&lt;script>'));

    const feedRes = await h.request('/v1/feed.atom');
    const xml = await feedRes.text();
    expect(xml).not.toMatch(/<script>|<img |javascript:/);
    expect(xml).not.toContain('\u0001');
    const feed = parseFeed(xml);
    const evil = feed.items.find((i) => i.id?.endsWith('/message/operator%3Aevil'));
    expect(evil?.content).toContain('<script>alert("x")</script> & </textarea>]]>');
    expect(evil?.url).toBe('http://localhost/');
  });
});

describe('Atom feed', { timeout: 30_000 }, () => {
  it('parses as Atom with the outage, its end and the messages, newest first, with stable ids', async () => {
    const start = Date.UTC(2026, 10, 21, 12, 0, 30);
    const h = await harness({}, start);
    await crowdOutage(h);
    await h.storage.insertMessages([{ id: 'operator:1', site: 'x.com', source: 'operator', author: 'Ops', text: 'We are looking into it.', url: '', publishedAt: start + 2 * 60_000, lang: 'en' }]);
    // Half an hour later: the crowd has gone quiet, the outage has ended.
    h.clock.now = start + 30 * 60_000;
    h.services.store.compact(h.clock.now);
    const res = await h.request('/v1/feed.atom', { headers: { 'accept-language': 'en' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
    expect(res.headers.get('cache-control')).toMatch(/^public, max-age=\d+/);
    const xml = await res.text();
    const feed = parseFeed(xml);
    expect(feed.meta.type).toBe('atom');
    expect(feed.title).toBe(en('feedTitle'));
    const titles = feed.items.map((i) => i.title);
    const outageAt = Math.floor(start / 60_000) * 60_000;
    const fr = feed.items.filter((i) => i.id?.includes('/state/FR/all/'));
    expect(fr.map((i) => i.title)).toEqual([en('notifyRecovered', ['France']), en('verdictOutageIn', ['France'])]);
    expect(fr[1]!.updated?.getTime()).toBe(outageAt);
    expect(fr[0]!.updated!.getTime()).toBeGreaterThan(outageAt);
    expect(fr[1]!.url).toBe('http://localhost/?region=FR');
    expect(titles).toContain(en('feedFeatureChange', [en('feature_timeline'), en('state_outage')]));
    expect(titles).toContain(en('feedMessageTitle', ['Ops', en('sourceOperator')]));
    const times = feed.items.map((i) => i.updated!.getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(new Set(feed.items.map((i) => i.id)).size).toBe(feed.items.length);
    // The same entries keep their ids on the next request.
    const again = parseFeed(await (await h.request('/v1/feed.atom')).text());
    expect(again.items.map((i) => i.id)).toEqual(feed.items.map((i) => i.id));
  });

  it('publishes no change made by fewer than k people', async () => {
    // k = 100: the 60-person outage is real for the detector but below the privacy threshold.
    const h = await harness({ PRIVACY_K: '100' });
    await crowdOutage(h);
    const feed = parseFeed(await (await h.request('/v1/feed.atom')).text());
    expect(feed.items).toEqual([]);
  });
});

describe('badge', { timeout: 30_000 }, () => {
  const stateOf = async (h: Harness, path: string) => {
    const res = await h.request(path);
    const svg = await res.text();
    return { res, svg, state: /data-state="([a-z]+)"/.exec(svg)?.[1] };
  };

  it('says operational, then outage where there is one, as an SVG image with a short cache', async () => {
    const h = await harness();
    const calm = await stateOf(h, '/badge.svg');
    expect(calm.state).toBe('operational');
    expect(calm.res.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
    expect(calm.res.headers.get('cache-control')).toMatch(/^public, max-age=([1-9]|[1-5]\d|60)\b/);
    expect(calm.svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]* role="img" aria-label="X status: operational"/);
    await crowdOutage(h);
    expect((await stateOf(h, '/badge.svg?region=FR')).state).toBe('outage');
    expect((await stateOf(h, '/badge.svg?region=FR')).svg).toContain('>X status FR</text>');
    expect((await stateOf(h, '/badge.svg?region=DE')).state).toBe('operational');
    expect(['outage', 'degraded']).toContain((await stateOf(h, '/badge.svg')).state);
  });

  it('says invalid region for a bad ?region= (400) and unknown when no status can be built', async () => {
    const h = await harness();
    const bad = await stateOf(h, '/badge.svg?region=%3Cx%3E');
    expect(bad.res.status).toBe(400);
    expect(bad.state).toBe('invalid');
    expect(bad.svg).not.toContain('<x>');
    const broken = { build: () => { throw new Error('aggregates unavailable'); } } as unknown as StatusBuilder;
    const app = createApp({ ...h.services.deps, status: broken });
    const res = await app.request('/badge.svg');
    expect(res.status).toBe(200);
    expect(/data-state="([a-z]+)"/.exec(await res.text())?.[1]).toBe('unknown');
  });
});

describe('caching and safety headers', () => {
  it('lets a CDN keep the page briefly, revalidates by ETag, and forbids inline script', async () => {
    const h = await harness();
    const first = await h.request('/');
    expect(first.headers.get('cache-control')).toMatch(/^public, max-age=(1\d|2\d|30), stale-while-revalidate=\d+$/);
    const csp = first.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^W\/".+"$/);
    const html = await first.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/ on[a-z]+=|style="/);
    const again = await h.request('/', { headers: { 'if-none-match': etag! } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const js = await h.request('/assets/status-page.js');
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const css = await h.request('/assets/status-page.css');
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    // The shared component styles come first, so the popup and the page look alike.
    expect(await css.text()).toContain(readFileSync(join(process.cwd(), 'src/shared/ui/status.css'), 'utf8'));
  });
});

describe('odd input', () => {
  it.each([
    ['/?region=%E0%A4%A', 400],
    ['/?region=%00', 400],
    ['/?lang=%00&region=', 200],
    ['/?lang=__proto__', 200],
    ['/?region=FR&region=DE', 200],
    ['/v1/feed.atom?lang=%', 200],
    ['/badge.svg?region=%E0%A4%A', 400],
    ['/privacy?lang=constructor', 200],
  ])('%s answers %i, never a server error', async (path, code) => {
    const h = await harness();
    const res = await h.request(path, { headers: { 'accept-language': `${'x-'.repeat(3000)}, ;;;q=, fr;q=0.5` } });
    expect(res.status).toBe(code);
    expect((await res.text()).length).toBeGreaterThan(0);
  });
});

describe('/privacy', () => {
  it('renders the privacy policy from docs/store/privacy-policy.md, localized around it', async () => {
    const h = await harness();
    const en = await page(h, '/privacy');
    expect(en.res.status).toBe(200);
    expect(en.res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const source = readFileSync(join(process.cwd(), 'docs/store/privacy-policy.md'), 'utf8');
    for (const heading of source.matchAll(/^## (.+)$/gm)) expect(en.html).toContain(`<h2>${heading[1]!.replace(/&/g, '&amp;')}</h2>`);
    expect(en.html).toContain('<h1>Outage Radar privacy policy</h1>');
    expect(en.html).not.toContain('data-testid="english-only"');
    const fr = await page(h, '/privacy', { 'accept-language': 'fr' });
    expect(attr(fr.html, 'lang')).toBe('fr');
    expect(fr.html).toContain(strings('fr')('privacyEnglishOnly'));
    expect(fr.html).toContain('<article lang="en" dir="ltr"');
  });

  it('renders Markdown without passing HTML or unsafe links through', () => {
    const html = renderToString(Markdown({ source: '# T\n\nA <img src=x onerror=alert(1)> [bad](javascript:alert`1`) [ok](https://example.org/) **b** `c`\n\n- one\n  more\n- two' }));
    expect(html).toBe(
      '<h1>T</h1><p>A &lt;img src=x onerror=alert(1)> bad <a href="https://example.org/">ok</a> <strong>b</strong> <code>c</code></p><ul><li>one more</li><li>two</li></ul>',
    );
  });
});
