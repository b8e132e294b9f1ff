import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startPoller } from '../../src/server/sources/poller.ts';
import { pollStatuspage, statuspageMessages } from '../../src/server/sources/statuspage.ts';
import { XApiPoller } from '../../src/server/sources/x-api.ts';
import { SqliteStorage } from '../../src/server/storage/sqlite.ts';
import { startFixtureServer, type FixtureServer } from './lib/fixture-server.ts';
import { tempDir } from './lib/temp.ts';

let fixtures: FixtureServer;
let storage: SqliteStorage;
let remove: () => void;

beforeEach(async () => {
  fixtures = await startFixtureServer();
  const tmp = tempDir();
  remove = tmp.remove;
  storage = new SqliteStorage(join(tmp.dir, 'm.db'));
  await storage.migrate();
});
afterEach(async () => {
  await fixtures.close();
  await storage.close();
  remove();
});

describe('Statuspage source', () => {
  it('maps each incident update to a message with a stable id, skipping broken updates', async () => {
    fixtures.route('/api/v2/incidents.json', { file: 'statuspage-incidents.json' });
    const url = `${fixtures.url}/api/v2/incidents.json`;
    const messages = await pollStatuspage(url, 'x.com');
    const host = new URL(url).host;
    expect(messages.map((m) => m.id)).toEqual([`statuspage:${host}:upd3monitoring`, `statuspage:${host}:upd1investigating`, `statuspage:${host}:updresolved`]);
    expect(messages[0]).toEqual({
      id: `statuspage:${host}:upd3monitoring`,
      site: 'x.com',
      source: 'statuspage',
      author: 'X API Status',
      text: 'Elevated errors on timelines (monitoring): A fix has been applied and we are monitoring the results.',
      url: 'https://stspg.io/p31zjtct2jer',
      publishedAt: Date.parse('2026-11-21T11:40:00.000Z'),
      lang: 'en',
    });
    // No shortlink: the page's own address is the link.
    expect(messages[2]?.url).toBe('https://status.example.test');
  });

  it('adds nothing twice when the same page is polled again', async () => {
    fixtures.route('/api/v2/incidents.json', { file: 'statuspage-incidents.json' });
    const url = `${fixtures.url}/api/v2/incidents.json`;
    const poller = startPoller('statuspage', 3600_000, storage, () => pollStatuspage(url, 'x.com'));
    try {
      await poller.runOnce();
      expect(await poller.runOnce()).toBe(0);
      const stored = await storage.listMessages('x.com', 10);
      expect(stored.map((m) => m.publishedAt)).toEqual([...stored.map((m) => m.publishedAt)].sort((a, b) => b - a));
      expect(stored).toHaveLength(3);
    } finally {
      await poller.stop();
    }
  });

  it('refuses a body that is not an incidents list', () => {
    expect(() => statuspageMessages({ page: {} }, 'https://status.example/api/v2/incidents.json', 'x.com')).toThrow(/incidents/);
  });

  it('a failing source logs and never throws into the server', async () => {
    fixtures.route('/api/v2/incidents.json', { status: 502, body: '<html>bad gateway</html>' }, { body: 'not json' });
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const url = `${fixtures.url}/api/v2/incidents.json`;
    const poller = startPoller('statuspage test', 3600_000, storage, () => pollStatuspage(url, 'x.com'));
    try {
      expect(await poller.runOnce()).toBe(0);
      expect(await poller.runOnce()).toBe(0);
      expect(errors.mock.calls.map((c) => String(c[0]))).toEqual(
        expect.arrayContaining([expect.stringMatching(/statuspage test: .*HTTP 502/), expect.stringMatching(/statuspage test: .*JSON/)]),
      );
      expect(await storage.listMessages('x.com', 10)).toEqual([]);
    } finally {
      await poller.stop();
      errors.mockRestore();
    }
  });
});

describe('X API source', () => {
  const now = Date.parse('2026-11-21T12:00:00Z');
  const poller = (accounts = ['Support']) => new XApiPoller({ baseUrl: fixtures.url, bearerToken: 'test-bearer', accounts, site: 'x.com', now: () => now });

  it('looks each user up once, reads posts with the bearer token, then asks only for newer ones', async () => {
    fixtures.route('/2/users/by/username/Support', { file: 'x-user-support.json' });
    fixtures.route('/2/users/17874544/tweets', { file: 'x-tweets-support-1.json' }, { file: 'x-tweets-support-2.json' });
    const p = poller();
    const first = await p.poll();
    expect(first.map((m) => m.id)).toEqual(['x-api:1991234567890123458', 'x-api:1991234567890123457']);
    expect(first[0]).toEqual({
      id: 'x-api:1991234567890123458',
      site: 'x.com',
      source: 'x-api',
      author: '@Support',
      text: "Some people are having trouble loading their timeline. We're working on a fix.",
      url: 'https://x.com/Support/status/1991234567890123458',
      publishedAt: Date.parse('2026-11-21T10:05:00.000Z'),
      lang: 'en',
    });
    const second = await p.poll();
    expect(second.map((m) => m.id)).toEqual(['x-api:1991234567890123999']);
    const lookups = fixtures.seen.filter((r) => r.path.startsWith('/2/users/by/'));
    expect(lookups).toHaveLength(1);
    const timelines = fixtures.seen.filter((r) => r.path.endsWith('/tweets'));
    expect(timelines[0]?.query.get('since_id')).toBeNull();
    expect(timelines[1]?.query.get('since_id')).toBe('1991234567890123458');
    expect(timelines[0]?.query.get('exclude')).toBe('retweets,replies');
    expect(fixtures.seen.every((r) => r.headers.authorization === 'Bearer test-bearer')).toBe(true);
  });

  it('stops polling until x-rate-limit-reset once the budget is used up', async () => {
    const reset = Math.floor(now / 1000) + 900;
    fixtures.route('/2/users/by/username/Support', { file: 'x-user-support.json', headers: { 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(reset) } });
    fixtures.route('/2/users/by/username/API', { file: 'x-user-api.json' });
    const p = poller(['Support', 'API']);
    await expect(p.poll()).rejects.toThrow();
    expect(p.pausedUntilMs).toBe(reset * 1000);
    const before = fixtures.seen.length;
    await expect(p.poll()).resolves.toEqual([]);
    expect(fixtures.seen.length).toBe(before);
  });

  it('pauses on 429 and reports failing accounts without losing the others', async () => {
    fixtures.route('/2/users/by/username/Support', { status: 503, body: '{}' });
    fixtures.route('/2/users/by/username/API', { file: 'x-user-api.json' });
    fixtures.route('/2/users/6253282/tweets', { file: 'x-tweets-empty.json' }, { file: 'x-tweets-support-2.json' });
    const p = poller(['Support', 'API']);
    await expect(p.poll()).rejects.toThrow(/HTTP 503/);
    const second = await p.poll();
    // Support still fails; API's post comes through, attributed to @API.
    expect(second.map((m) => m.author)).toEqual(['@API']);
    fixtures.route('/2/users/6253282/tweets', { status: 429, body: '{}', headers: { 'x-rate-limit-reset': String(Math.floor(now / 1000) + 60) } });
    await expect(p.poll()).rejects.toThrow(/429/);
    expect(p.pausedUntilMs).toBe((Math.floor(now / 1000) + 60) * 1000);
  });
});
