/**
 * The feed source (FEED_URLS) on hand-written fixtures shaped like a Mastodon profile feed, a
 * Bluesky profile feed and a Statuspage history.atom, read over a real local HTTP server; and the
 * discipline every source shares: conditional GET, a capped body, backoff, one line per change.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/server/config.ts';
import { FeedSource, feedMessages, feedName, htmlToText } from '../../src/server/sources/feed.ts';
import { ConditionalGetter, SourceError, decodeText, retryAfterMs } from '../../src/server/sources/http-get.ts';
import { backoffDelay, startPoller } from '../../src/server/sources/poller.ts';
import { StatuspageSource } from '../../src/server/sources/statuspage.ts';
import type { StoredMessage } from '../../src/server/storage/types.ts';
import { SqliteStorage } from '../../src/server/storage/sqlite.ts';
import { startFixtureServer, type FixtureServer } from './lib/fixture-server.ts';
import { makeHarness } from './lib/harness.ts';
import { tempDir } from './lib/temp.ts';

const FEEDS = join(import.meta.dirname, 'fixtures', 'feeds');
const read = (name: string) => readFileSync(join(FEEDS, name), 'utf8');
const NOW = Date.parse('2026-11-21T12:00:00Z');
const RSS = { 'content-type': 'application/rss+xml; charset=utf-8' };
const ATOM = { 'content-type': 'application/atom+xml; charset=utf-8' };

let fixtures: FixtureServer;
let storage: SqliteStorage;
let remove: () => void;

beforeEach(async () => {
  fixtures = await startFixtureServer();
  const tmp = tempDir();
  remove = tmp.remove;
  storage = new SqliteStorage(join(tmp.dir, 'feed.db'));
  await storage.migrate();
});
afterEach(async () => {
  await fixtures.close();
  await storage.close();
  remove();
});

function map(file: string, feedUrl = `https://feeds.example.test/${file}`): StoredMessage[] {
  return feedMessages(read(file), { feedUrl, site: 'x.com', now: NOW });
}

describe('feed entries as messages', () => {
  it('reads a Mastodon profile feed: HTML posts as plain text, newest first, only http(s) links', () => {
    const messages = map('mastodon-profile.rss');
    expect(messages).toHaveLength(3);
    expect(messages[0]).toEqual({
      id: expect.stringMatching(/^feed:[0-9a-f]{32}$/),
      site: 'x.com',
      source: 'feed',
      author: 'X Support (mirror)',
      text: "Timelines are loading again for most people. We're keeping an eye on it. #XDown",
      url: 'https://mastodon.example.test/@xsupport/113512345678901240',
      publishedAt: Date.parse('2026-11-21T10:40:12Z'),
      lang: 'und',
    });
    // Tags, entities and line breaks handled; a script inside the post is not text.
    expect(messages[1]?.text).toBe("Some people are having trouble loading their timeline. We're working on a fix. Updates here & on the status page.");
    expect(messages.map((m) => m.text).join(' ')).not.toMatch(/alert|<|&#39;|&amp;/);
    // A javascript: link is never kept: the message points at the feed's own page instead.
    expect(messages[2]?.url).toBe('https://mastodon.example.test/@xsupport');
    expect(messages.every((m) => /^https?:\/\//.test(m.url))).toBe(true);
  });

  it('reads a Bluesky profile feed: dates without a weekday, at:// guids, right-to-left text kept', () => {
    const messages = map('bluesky-profile.rss');
    expect(messages.map((m) => m.publishedAt)).toEqual([Date.parse('2026-11-21T10:31:00Z'), Date.parse('2026-11-20T09:00:00Z')]);
    expect(messages[0]?.author).toBe('@xdevmirror.example.test - X Developers (mirror)');
    expect(messages[0]?.text).toMatch(/^We're seeing elevated 503 errors on X API v2 endpoints\./);
    expect(messages[1]?.text.startsWith('مرحبا!')).toBe(true);
    expect(messages[1]?.url).toBe('https://bsky.app/profile/did:plc:z72i7hdynmk6r22z27h6tvur/post/3lbw2mfx6d22a');
  });

  it('reads a Statuspage history.atom: title and latest updates, relative links resolved, future dates held at now', () => {
    const messages = map('statuspage-history.atom');
    const byUrl = new Map(messages.map((m) => [m.url, m]));
    const incident = byUrl.get('https://status.example.test/incidents/p31zjtct2jer');
    expect(incident?.text).toBe(
      'Elevated errors on timelines: Nov 21, 11:40 UTC Monitoring - A fix has been applied and we are monitoring the results. Nov 21, 10:02 UTC Investigating - We are investigating elevated error rates on home timelines.',
    );
    expect(incident?.publishedAt).toBe(Date.parse('2026-11-21T10:02:11Z'));
    expect(incident?.lang).toBe('en');
    expect(incident?.author).toBe('X API Status - Incident History');
    // href="/incidents/..." is made absolute against the page's own address.
    expect(byUrl.has('https://status.example.test/incidents/k2m4n6p8q0r1')).toBe(true);
    // Dated 2099: it must not sit above every newer message for years.
    expect(byUrl.get('https://status.example.test/incidents/future0000')?.publishedAt).toBe(NOW);
    expect(messages.map((m) => m.publishedAt)).toEqual([...messages.map((m) => m.publishedAt)].sort((a, b) => b - a));
  });

  it('gives each entry the same id on every read, and different ids in different feeds', () => {
    const a = map('mastodon-profile.rss').map((m) => m.id);
    expect(map('mastodon-profile.rss').map((m) => m.id)).toEqual(a);
    expect(new Set(a).size).toBe(a.length);
    const elsewhere = map('mastodon-profile.rss', 'https://other.example.test/feed.rss').map((m) => m.id);
    expect(elsewhere.filter((id) => a.includes(id))).toEqual([]);
  });

  it('refuses malformed XML and non-feeds with a clear error', () => {
    expect(() => map('malformed.xml')).toThrow(SourceError);
    expect(() => map('malformed.xml')).toThrow(/^not well-formed XML \(line \d+, column \d+: /);
    expect(() => map('not-a-feed.html')).toThrow(/not a readable RSS or Atom feed/);
    expect(() => feedMessages('', { feedUrl: 'https://feeds.example.test/empty', site: 'x.com', now: NOW })).toThrow(SourceError);
  });

  it('caps long entries and names feeds in logs without their query string', () => {
    const long = 'word '.repeat(2000);
    const xml = `<?xml version="1.0"?><rss version="2.0"><channel><title>${'T'.repeat(300)}</title><item><guid>1</guid><title>Short title</title><description>${long}</description></item></channel></rss>`;
    const [m] = feedMessages(xml, { feedUrl: 'https://feeds.example.test/f', site: 'x.com', now: NOW });
    expect(m?.text.length).toBeLessThanOrEqual(2000);
    expect(m?.text.startsWith('Short title: word word')).toBe(true);
    expect(m?.text.endsWith('…')).toBe(true);
    expect(m?.author.length).toBeLessThanOrEqual(64);
    expect(m?.publishedAt).toBe(NOW);
    expect(feedName('https://feeds.example.test/u/support.rss?key=secret')).toBe('feed feeds.example.test/u/support.rss');
    expect(htmlToText('<p>a&nbsp;&lt;b&gt; &#x1F4A5; &#55296;</p><style>p{}</style>')).toBe('a <b> 💥 &#55296;');
  });
});

describe('feed source over HTTP', () => {
  it('asks with If-None-Match / If-Modified-Since after a 200, and a 304 adds nothing', async () => {
    const validators = { etag: 'W/"feed-v1"', 'last-modified': 'Sat, 21 Nov 2026 10:40:12 GMT' };
    fixtures.route('/@xsupport.rss', { file: 'feeds/mastodon-profile.rss', headers: { ...RSS, ...validators } }, { status: 304 });
    const source = new FeedSource(`${fixtures.url}/@xsupport.rss`, 'x.com', { now: () => NOW });
    const lines: string[] = [];
    const poller = startPoller('feed test', 3600_000, storage, () => source.poll(), { log: (l) => lines.push(l) });
    try {
      await poller.runOnce();
      expect(await storage.listMessages('x.com', 10)).toHaveLength(3);
      expect(source.validators).toEqual({ etag: 'W/"feed-v1"', lastModified: 'Sat, 21 Nov 2026 10:40:12 GMT' });
      expect(fixtures.seen[0]?.headers['if-none-match']).toBeUndefined();
      expect(fixtures.seen[0]?.headers.accept).toMatch(/application\/atom\+xml/);
      expect(fixtures.seen[1]?.headers['if-none-match']).toBe('W/"feed-v1"');
      expect(fixtures.seen[1]?.headers['if-modified-since']).toBe('Sat, 21 Nov 2026 10:40:12 GMT');
      expect(await poller.runOnce()).toBe(0);
      expect(fixtures.seen).toHaveLength(3);
      expect(poller.failures).toBe(0);
      expect(lines).toEqual([]);
    } finally {
      await poller.stop();
    }
  });

  it('keeps the validators only once what was read has been stored', async () => {
    fixtures.route('/history.atom', { file: 'feeds/statuspage-history.atom', headers: { ...ATOM, etag: '"h1"' } });
    const source = new FeedSource(`${fixtures.url}/history.atom`, 'x.com', { now: () => NOW });
    const outcome = await source.poll();
    if (Array.isArray(outcome)) throw new Error('expected messages with a commit');
    expect(outcome.messages).toHaveLength(3);
    expect(source.validators.etag).toBeNull();
    outcome.commit?.();
    expect(source.validators.etag).toBe('"h1"');
  });

  it('refuses a body over the cap, and a failing feed logs one line per change, never throws, stores nothing', async () => {
    fixtures.route(
      '/big.rss',
      { file: 'feeds/mastodon-profile.rss', headers: RSS },
      { file: 'feeds/mastodon-profile.rss', headers: RSS },
      { file: 'feeds/malformed.xml', headers: RSS },
      { file: 'feeds/bluesky-profile.rss', headers: RSS },
    );
    const source = new FeedSource(`${fixtures.url}/big.rss`, 'x.com', { now: () => NOW, maxBytes: 1500 });
    const lines: string[] = [];
    const poller = startPoller('feed big', 3600_000, storage, () => source.poll(), { log: (l) => lines.push(l), random: () => 0 });
    try {
      await poller.runOnce();
      expect(poller.failures).toBe(2);
      await poller.runOnce();
      expect(poller.failures).toBe(3);
      expect(await storage.listMessages('x.com', 10)).toEqual([]);
      // Same failure twice: one line; a different failure: one more; recovery: one more.
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/^outage-radar: source feed big: body (of \d+ bytes )?is over the 1500-byte limit \(next try in \d+ s\)$/);
      expect(lines[1]).toMatch(/^outage-radar: source feed big: not well-formed XML/);
      expect(await poller.runOnce()).toBe(2);
      expect(poller.failures).toBe(0);
      expect(lines[2]).toBe('outage-radar: source feed big: recovered after 3 failed rounds');
      expect(lines).toHaveLength(3);
    } finally {
      await poller.stop();
    }
  });

  it('decodes the charset the feed declares (header first, then the XML declaration), UTF-8 otherwise', () => {
    const latin1 = Uint8Array.from([...'<?xml version="1.0" encoding="ISO-8859-1"?><t>caf'].map((c) => c.charCodeAt(0)).concat([0xe9], [...'</t>'].map((c) => c.charCodeAt(0))));
    expect(decodeText(latin1, 'application/rss+xml')).toContain('<t>café</t>');
    expect(decodeText(new TextEncoder().encode('\ufeff<t>café</t>'), null)).toBe('<t>café</t>');
    expect(decodeText(new TextEncoder().encode('<t>café</t>'), 'text/xml; charset=no-such-charset')).toBe('<t>café</t>');
  });

  it('reports an unreachable feed as such', async () => {
    const closed = await startFixtureServer();
    const url = `${closed.url}/feed.rss`;
    await closed.close();
    await expect(new FeedSource(url, 'x.com').poll()).rejects.toThrow(/ECONNREFUSED|fetch failed/);
  });
});

describe('backoff', () => {
  it('doubles the wait after each failure up to the cap, drawn from the upper half, never below the interval', () => {
    const hi = () => 0.999999;
    const lo = () => 0;
    expect([0, 1, 2, 3, 4, 10].map((n) => backoffDelay(60_000, n, 480_000, hi))).toEqual([60_000, 120_000, 240_000, 480_000, 480_000, 480_000]);
    expect([0, 1, 2, 3, 4, 10].map((n) => backoffDelay(60_000, n, 480_000, lo))).toEqual([60_000, 60_000, 120_000, 240_000, 240_000, 240_000]);
    // A cap below the interval never shortens it; a Retry-After longer than the backoff wins.
    expect(backoffDelay(600_000, 3, 60_000, lo)).toBe(600_000);
    expect(backoffDelay(60_000, 1, 480_000, lo, 900_000)).toBe(900_000);
  });

  it('the poller waits longer after each failed round, honours Retry-After, and returns to the interval on success', async () => {
    let fail: Error | null = new Error('answered HTTP 502');
    const source = async () => {
      if (fail) throw fail;
      return [];
    };
    const poller = startPoller('backoff test', 3600_000, storage, source, { maxBackoffMs: 4 * 3600_000, random: () => 1, log: () => undefined });
    try {
      await poller.runOnce();
      expect(poller.failures).toBe(2);
      expect(poller.nextDelayMs).toBe(4 * 3600_000);
      fail = new SourceError('answered HTTP 503', 9 * 3600_000);
      await poller.runOnce();
      expect(poller.nextDelayMs).toBe(9 * 3600_000);
      fail = null;
      await poller.runOnce();
      expect(poller.failures).toBe(0);
      expect(poller.nextDelayMs).toBe(3600_000);
    } finally {
      await poller.stop();
    }
  });

  it('reads Retry-After as seconds or as a date', async () => {
    expect(retryAfterMs('120', NOW)).toBe(120_000);
    expect(retryAfterMs(new Date(NOW + 30_000).toUTCString(), NOW)).toBe(30_000);
    expect(retryAfterMs('soon', NOW)).toBeNull();
    fixtures.route('/busy', { status: 503, body: 'busy', headers: { 'retry-after': '120' } });
    const err = await new ConditionalGetter(`${fixtures.url}/busy`, {}).get().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as SourceError).retryAfterMs).toBe(120_000);
  });
});

describe('Statuspage source, conditional GET', () => {
  it('sends the validators of the last 200 and takes a 304 as nothing new', async () => {
    fixtures.route('/api/v2/incidents.json', { file: 'statuspage-incidents.json', headers: { etag: '"sp-1"' } }, { status: 304 });
    const source = new StatuspageSource(`${fixtures.url}/api/v2/incidents.json`, 'x.com');
    const lines: string[] = [];
    const poller = startPoller('statuspage cond', 3600_000, storage, () => source.poll(), { log: (l) => lines.push(l) });
    try {
      await poller.runOnce();
      expect(await storage.listMessages('x.com', 10)).toHaveLength(3);
      expect(fixtures.seen[1]?.headers['if-none-match']).toBe('"sp-1"');
      expect(await poller.runOnce()).toBe(0);
      expect(lines).toEqual([]);
    } finally {
      await poller.stop();
    }
  });
});

describe('FEED_URLS and FEED_POLL_SECONDS', () => {
  it('takes a comma list of http(s) URLs, deduplicated, polled every 300 s by default', () => {
    expect(loadConfig({}).feeds).toBeNull();
    const c = loadConfig({ FEED_URLS: 'https://mastodon.example.test/@xsupport.rss, https://bsky.app/profile/x/rss,https://mastodon.example.test/@xsupport.rss' });
    expect(c.feeds).toEqual({ urls: ['https://mastodon.example.test/@xsupport.rss', 'https://bsky.app/profile/x/rss'], intervalMs: 300_000, site: 'x.com' });
    expect(loadConfig({ FEED_URLS: 'http://127.0.0.1:9/f', FEED_POLL_SECONDS: '900' }).feeds?.intervalMs).toBe(900_000);
  });

  it('refuses anything else with a message naming the variable', () => {
    expect(() => loadConfig({ FEED_URLS: 'file:///etc/passwd' })).toThrow(ConfigError);
    expect(() => loadConfig({ FEED_URLS: 'file:///etc/passwd' })).toThrow(/FEED_URLS .*only http:\/\/ and https:\/\//);
    expect(() => loadConfig({ FEED_URLS: 'mastodon.example.test/@x.rss' })).toThrow(/FEED_URLS holds "mastodon.example.test\/@x.rss", which is not a URL/);
    expect(() => loadConfig({ FEED_URLS: 'https://user:pw@feeds.example.test/f' })).toThrow(/FEED_URLS .*user name or password/);
    expect(() => loadConfig({ FEED_URLS: 'https://a.example.test/f', FEED_POLL_SECONDS: '5' })).toThrow(/FEED_POLL_SECONDS must be an integer from 60 to 86400/);
  });
});

describe('GET /v1/messages', () => {
  it('answers feed messages with their source, and never a link that is not http(s)', async () => {
    const h = await makeHarness();
    try {
      const [good, bad] = map('mastodon-profile.rss');
      await h.storage.insertMessages([good!, { ...bad!, url: 'javascript:alert(document.cookie)' }]);
      const body = (await (await h.request('/v1/messages?site=x.com')).json()) as { messages: { source: string; url: string }[] };
      expect(body.messages.map((m) => m.source)).toEqual(['feed', 'feed']);
      expect(body.messages.map((m) => m.url)).toEqual([good!.url, '']);
    } finally {
      await h.close();
    }
  });
});
