/**
 * GET /metrics after real requests against a real app on a real SQLite file: every counter moves
 * by exactly what was sent, each app counts for itself, and the token, when set, is asked for.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/server/config.ts';
import { startServer, type RunningServer } from '../../src/server/http/server.ts';
import { FeedSource } from '../../src/server/sources/feed.ts';
import { startPoller } from '../../src/server/sources/poller.ts';
import { SqliteStorage } from '../../src/server/storage/sqlite.ts';
import type { PollResult } from '../../src/server/metrics.ts';
import { LIMITS } from '../../src/shared/protocol.ts';
import { startFixtureServer } from './lib/fixture-server.ts';
import { postKnownCrowd } from './lib/crowd.ts';
import { makeHarness, MIDDAY_UTC, type Harness } from './lib/harness.ts';
import { makeReport } from './lib/reports.ts';
import { tempDir } from './lib/temp.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function harness(env: Record<string, string> = {}, now?: number): Promise<Harness> {
  const h = await makeHarness(env, now);
  cleanups.push(() => h.close());
  return h;
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition (no escapes in our label values). */
function parse(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)) labels[pair[1] as string] = pair[2] as string;
    samples.push({ name: m[1] as string, labels, value: Number(m[3]) });
  }
  return samples;
}

/** The one sample of `name` whose labels are exactly `labels`; 0 if none (a counter never touched). */
function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter((s) => s.name === name && Object.keys(s.labels).length === Object.keys(labels).length && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} ${JSON.stringify(labels)}`);
  return found[0]?.value ?? 0;
}

async function scrape(h: Harness, headers: Record<string, string> = {}): Promise<Sample[]> {
  const res = await h.request('/metrics', { headers });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parse(await res.text());
}

const post = (h: Harness, body: string, contentType = 'application/json') =>
  h.request('/v1/reports', { method: 'POST', headers: { 'content-type': contentType }, body });

describe('GET /metrics', () => {
  it('counts accepted, duplicate and rejected reports, batch sizes and commits exactly as sent', async () => {
    const h = await harness({ RATE_LIMIT_BURST: '8', RATE_LIMIT_PER_MINUTE: '1' });
    const before = await scrape(h);
    expect(value(before, 'outage_radar_reports_accepted_total')).toBe(0);

    const three = [makeReport(), makeReport(), makeReport({ signal: 'ok' })];
    expect((await h.postReports(three)).status).toBe(202);
    // One new, one already stored: accepted 1, duplicates 1.
    expect(await (await h.postReports([makeReport(), three[0]])).json()).toEqual({ accepted: 1, duplicates: 1 });
    expect((await h.postReports([makeReport({ feature: 'nope' as 'timeline' })])).status).toBe(400);
    expect((await post(h, '{"reports": [')).status).toBe(400);
    expect((await post(h, JSON.stringify({ reports: [makeReport()] }), 'text/plain')).status).toBe(415);
    expect((await post(h, 'x'.repeat(LIMITS.maxBodyBytes + 1))).status).toBe(413);
    expect((await h.postReports([makeReport({ site: 'example.org' })])).status).toBe(400);
    expect((await h.postReports([makeReport()])).status).toBe(202);
    // Every request so far took from the bucket of 8, refused ones too: the 9th is refused.
    expect((await h.postReports([makeReport()])).status).toBe(429);

    const s = await scrape(h);
    expect(value(s, 'outage_radar_reports_accepted_total')).toBe(5);
    expect(value(s, 'outage_radar_reports_duplicates_total')).toBe(1);
    const rejected = (reason: string) => value(s, 'outage_radar_rejected_requests_total', { route: '/v1/reports', reason });
    expect(rejected('invalid_report')).toBe(2);
    expect(rejected('invalid_json')).toBe(1);
    expect(rejected('unsupported_media_type')).toBe(1);
    expect(rejected('payload_too_large')).toBe(1);
    expect(rejected('rate_limited')).toBe(1);
    expect(s.filter((x) => x.name === 'outage_radar_rejected_requests_total').reduce((n, x) => n + x.value, 0)).toBe(6);
    // Batch sizes of the bodies that passed every check: 3, 2 and 1.
    expect(value(s, 'outage_radar_batch_size_count', { route: '/v1/reports' })).toBe(3);
    expect(value(s, 'outage_radar_batch_size_sum', { route: '/v1/reports' })).toBe(6);
    expect(value(s, 'outage_radar_batch_size_bucket', { route: '/v1/reports', le: '1' })).toBe(1);
    expect(value(s, 'outage_radar_batch_size_bucket', { route: '/v1/reports', le: '2' })).toBe(2);
    // Requests sent one after another: one transaction each, holding every row sent (duplicates too).
    expect(value(s, 'outage_radar_commit_duration_seconds_count', { outcome: 'ok' })).toBe(3);
    expect(value(s, 'outage_radar_commit_rows_count')).toBe(3);
    expect(value(s, 'outage_radar_commit_rows_sum')).toBe(6);
    // The process metrics come along.
    expect(s.some((x) => x.name === 'process_cpu_user_seconds_total')).toBe(true);
    expect(s.some((x) => x.name === 'nodejs_heap_size_used_bytes')).toBe(true);

    // Another app in the same process counts for itself.
    const other = await harness();
    expect(value(await scrape(other), 'outage_radar_reports_accepted_total')).toBe(0);
  });

  it('counts a failed commit and the 503 it answered', async () => {
    const h = await harness();
    expect((await h.postReports([makeReport()])).status).toBe(202);
    await h.storage.close();
    expect((await h.postReports([makeReport()])).status).toBe(503);
    const s = await scrape(h);
    expect(value(s, 'outage_radar_commit_duration_seconds_count', { outcome: 'ok' })).toBe(1);
    expect(value(s, 'outage_radar_commit_duration_seconds_count', { outcome: 'error' })).toBe(1);
    expect(value(s, 'outage_radar_rejected_requests_total', { route: '/v1/reports', reason: 'unavailable' })).toBe(1);
    expect(value(s, 'outage_radar_reports_accepted_total')).toBe(1);
  });

  it('shows the published verdict of each cell: 0 while quiet, 2 for the cells of an outage', async () => {
    const h = await harness({ TRUST_PROXY: '127.0.0.1' }, MIDDAY_UTC);
    const quiet = await scrape(h);
    expect(value(quiet, 'outage_radar_verdict_state', { site: 'x.com', region: 'all', feature: 'all' })).toBe(0);
    expect(value(quiet, 'outage_radar_verdict_state', { site: 'x.com', region: 'all', feature: 'timeline' })).toBe(0);
    expect(quiet.some((x) => x.name === 'outage_radar_verdict_state' && x.labels.region === 'FR')).toBe(false);

    // The e2e contract's crowd (60 reporters, 12 networks) failing on the timeline in FR, each
    // having browsed fine half an hour before so the newcomer rule counts them.
    await postKnownCrowd(h);

    const s = await scrape(h);
    const state = (region: string, feature: string) => value(s, 'outage_radar_verdict_state', { site: 'x.com', region, feature });
    expect(state('all', 'all')).toBeGreaterThanOrEqual(1);
    expect(state('FR', 'all')).toBe(2);
    expect(state('FR', 'timeline')).toBe(2);
    expect(state('FR', 'dm')).toBe(0);
    expect(value(s, 'outage_radar_reports_accepted_total')).toBe(120);
  });

  it('asks for METRICS_TOKEN when it is set, and is open when it is not', async () => {
    const token = 'metrics-token-0123456789';
    const h = await harness({ METRICS_TOKEN: token });
    const none = await h.request('/metrics');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect((await h.request('/metrics', { headers: { authorization: 'Bearer wrong-token-000000000' } })).status).toBe(403);
    expect(value(await scrape(h, { authorization: `Bearer ${token}` }), 'outage_radar_reports_accepted_total')).toBe(0);
    expect((await h.request('/metrics', { method: 'POST' })).status).toBe(405);

    const open = await harness();
    expect((await open.request('/metrics')).status).toBe(200);
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN/);
  });
});

describe('source polls in /metrics', () => {
  it('a poller tells each round: ok, then not_modified for a 304, then error', async () => {
    const fx = await startFixtureServer();
    cleanups.push(() => fx.close());
    fx.route('/feed.rss', { file: 'feeds/mastodon-profile.rss', headers: { 'content-type': 'application/rss+xml', etag: '"v1"' } }, { status: 304 }, { status: 500, body: 'down' });
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const storage = new SqliteStorage(join(tmp.dir, 'polls.db'));
    await storage.migrate();
    cleanups.push(() => storage.close());
    const results: PollResult[] = [];
    const source = new FeedSource(`${fx.url}/feed.rss`, 'x.com');
    const poller = startPoller('feed test', 3600_000, storage, () => source.poll(), { log: () => undefined, onRound: (r) => results.push(r) });
    cleanups.push(() => poller.stop());
    // The first round starts with the poller; these two queue behind it.
    await poller.runOnce();
    await poller.runOnce();
    expect(results).toEqual(['ok', 'not_modified', 'error']);
  });

  it('the running server counts every source round by source and outcome', async () => {
    const fx = await startFixtureServer();
    cleanups.push(() => fx.close());
    fx.route('/good.rss', { file: 'feeds/mastodon-profile.rss', headers: { 'content-type': 'application/rss+xml' } });
    fx.route('/broken.rss', { status: 502, body: 'bad gateway' });
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const server: RunningServer = await startServer(
      loadConfig({ PORT: '0', DATABASE_URL: `sqlite:${join(tmp.dir, 'server.db')}`, FEED_URLS: `${fx.url}/good.rss,${fx.url}/broken.rss`, LOG_LEVEL: 'silent' }),
    );
    cleanups.push(() => server.close());
    const host = new URL(fx.url).host;
    // The first round of each source starts with the server; wait until both have ended.
    let s: Sample[] = [];
    for (let i = 0; i < 100; i++) {
      s = parse(await (await fetch(`${server.url}/metrics`)).text());
      if (s.filter((x) => x.name === 'outage_radar_source_polls_total').length >= 2) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(value(s, 'outage_radar_source_polls_total', { source: `feed ${host}/good.rss`, outcome: 'ok' })).toBe(1);
    expect(value(s, 'outage_radar_source_polls_total', { source: `feed ${host}/broken.rss`, outcome: 'error' })).toBe(1);
    expect(s.filter((x) => x.name === 'outage_radar_source_polls_total')).toHaveLength(2);
  });
});
