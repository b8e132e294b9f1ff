import { afterEach, describe, expect, it } from 'vitest';
import { validateMessagesResponse, validateStatusResponse, type StatusResponse } from '../../src/shared/protocol.ts';
import { gunzipSync } from 'node:zlib';
import { createApp } from '../../src/server/http/app.ts';
import { acceptsGzip } from '../../src/server/http/status-read.ts';
import { SHED_RETRY_AFTER_S } from '../../src/server/http/load-shedding.ts';
import { OverloadedError, type GroupCommitter } from '../../src/server/ingest/group-commit.ts';
import { createLogger } from '../../src/server/log.ts';
import { makeHarness, MIDDAY_UTC, type Harness } from './lib/harness.ts';
import { postKnownCrowd } from './lib/crowd.ts';
import { contractSenders, makeReport, reporterId } from './lib/reports.ts';

const TOKEN = 'operator-token-0123456789';
let h: Harness | null = null;
async function harness(env: Record<string, string> = {}, now?: number): Promise<Harness> {
  h = await makeHarness(env, now);
  return h;
}
afterEach(async () => {
  await h?.close();
  h = null;
});

async function status(h: Harness, query: string): Promise<StatusResponse> {
  const res = await h.request(`/v1/status?${query}`);
  expect(res.status).toBe(200);
  const body = validateStatusResponse(await res.json());
  if (!body.ok) throw new Error(JSON.stringify(body.problems));
  return body.value;
}

describe('POST /v1/reports', () => {
  it('stores a valid batch and answers 202 with the counts after commit', async () => {
    const h = await harness();
    const reports = [makeReport(), makeReport({ signal: 'ok' })];
    const res = await h.postReports(reports);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 2, duplicates: 0 });
    const stored = await h.storage.reportsSince(0);
    expect(stored.map((r) => r.id).sort()).toEqual(reports.map((r) => r.id).sort());
    // The network is stored only as a salted hash: no address, no prefix text.
    for (const r of stored) {
      expect(r.networkHash).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(r.networkHash).not.toContain('203');
    }
  });

  it('counts duplicate ids once, across requests and within one batch', async () => {
    const h = await harness();
    const a = makeReport();
    const b = makeReport();
    expect(await (await h.postReports([a])).json()).toEqual({ accepted: 1, duplicates: 0 });
    expect(await (await h.postReports([a, b, b])).json()).toEqual({ accepted: 1, duplicates: 2 });
    // Concurrent requests carrying the same id: exactly one of them gets it accepted.
    const c = makeReport();
    const answers = await Promise.all([h.postReports([c]), h.postReports([c]), h.postReports([c])]);
    const bodies = (await Promise.all(answers.map((r) => r.json()))) as { accepted: number }[];
    expect(bodies.reduce((n, x) => n + x.accepted, 0)).toBe(1);
    expect(await h.storage.reportsSince(0)).toHaveLength(3);
  });

  it('refuses an invalid report with the problems and stores nothing of the body', async () => {
    const h = await harness();
    const good = makeReport();
    const res = await h.postReports([good, { ...makeReport(), reporter: 'short', url: 'https://x.com/someone' }]);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; problems: { index: number; path: string }[] };
    expect(body.error).toBe('invalid_report');
    expect(body.problems).toEqual(
      expect.arrayContaining([expect.objectContaining({ index: 1, path: 'reporter' }), expect.objectContaining({ index: 1, path: 'url' })]),
    );
    expect(await h.storage.reportsSince(0)).toEqual([]);
  });

  it('takes reports only for the sites it watches (SITES), unless told to take any', async () => {
    const h = await harness();
    const res = await h.postReports([makeReport(), makeReport({ site: 'example.org' })]);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_report', problems: [{ index: 1, path: 'site' }] });
    expect(await h.storage.reportsSince(0)).toEqual([]);
    await h.close();
    const any = await harness({ SITES: '*' });
    expect((await any.postReports([makeReport({ site: 'example.org' })])).status).toBe(202);
  });

  it('refuses bodies that are not a batch: bad JSON, empty, too many', async () => {
    const h = await harness();
    const bad = await h.request('/v1/reports', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"reports": [' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'invalid_json' });
    expect((await h.postReports([])).status).toBe(400);
    const many = Array.from({ length: 101 }, () => makeReport());
    const res = await h.postReports(many);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_report', problems: [{ path: 'reports' }] });
  });

  it('refuses reports more than 5 minutes ahead or more than 48 hours old', async () => {
    const now = Date.UTC(2026, 10, 21, 12, 0, 30);
    const h = await harness({}, now);
    const minute = now - 30_000;
    const future = makeReport({ at: minute + 6 * 60_000 });
    const old = makeReport({ at: minute - 49 * 3600_000 });
    const fine = makeReport({ at: minute + 5 * 60_000 });
    const res = await h.postReports([fine, future, old]);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { problems: { index: number; path: string; message: string }[] };
    expect(body.problems.map((p) => [p.index, p.path])).toEqual([
      [1, 'at'],
      [2, 'at'],
    ]);
    expect(body.problems[0]?.message).toMatch(/future/);
    expect(body.problems[1]?.message).toMatch(/48 hours/);
    expect(await h.storage.reportsSince(0)).toEqual([]);
    expect((await h.postReports([fine])).status).toBe(202);
  });

  it('answers 415 for a body that is not declared JSON', async () => {
    const h = await harness();
    const body = JSON.stringify({ reports: [makeReport()] });
    for (const headers of [{ 'content-type': 'text/plain' }, {} as Record<string, string>, { 'content-type': 'application/x-www-form-urlencoded' }]) {
      const res = await h.request('/v1/reports', { method: 'POST', headers, body });
      expect(res.status).toBe(415);
    }
    const withCharset = await h.request('/v1/reports', { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body });
    expect(withCharset.status).toBe(202);
  });

  it('answers 413 for a body over 64 KiB, declared or streamed without a length', async () => {
    const h = await harness();
    const big = JSON.stringify({ reports: [makeReport()], pad: 'x'.repeat(70 * 1024) });
    const declared = await h.request('/v1/reports', { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
    expect(declared.status).toBe(413);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        // An endless body: the server must stop reading at the limit, not wait for the end.
        sent += 16 * 1024;
        controller.enqueue(new Uint8Array(16 * 1024).fill(0x20));
      },
    });
    const streamed = await h.request('/v1/reports', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(sent).toBeLessThan(200 * 1024);
    expect(await h.storage.reportsSince(0)).toEqual([]);
  });

  it('rate-limits one client with 429 and Retry-After, without touching other clients', async () => {
    const h = await harness({ RATE_LIMIT_BURST: '3', RATE_LIMIT_PER_MINUTE: '6' });
    for (let i = 0; i < 3; i++) expect((await h.postReports([makeReport()], { from: '198.51.100.1' })).status).toBe(202);
    const limited = await h.postReports([makeReport()], { from: '198.51.100.1' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBe(10);
    // The same /24 but another address is another IPv4 client for the limiter.
    expect((await h.postReports([makeReport()], { from: '198.51.100.2' })).status).toBe(202);
    // One IPv6 /64 is one client; another /64 is not.
    for (let i = 0; i < 3; i++) expect((await h.postReports([makeReport()], { from: '2001:db8:5:1::1' })).status).toBe(202);
    expect((await h.postReports([makeReport()], { from: '2001:db8:5:1::ffff' })).status).toBe(429);
    expect((await h.postReports([makeReport()], { from: '2001:db8:5:2::1' })).status).toBe(202);
    h.clock.now += 10_000;
    expect((await h.postReports([makeReport()], { from: '198.51.100.1' })).status).toBe(202);
  });

  it('answers 405 for other methods', async () => {
    const h = await harness();
    const res = await h.request('/v1/reports');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toContain('POST');
    expect(await res.json()).toEqual({ error: 'method_not_allowed' });
  });
});

describe('client networks and the detector through the routes', { timeout: 30_000 }, () => {
  it('meets the e2e contract: 60 reporters from 12 networks via X-Forwarded-For', async () => {
    const h = await harness({ TRUST_PROXY: '127.0.0.1' }, MIDDAY_UTC);
    expect(contractSenders()).toHaveLength(60);
    // Fine half an hour ago (an ok sample each), failing now; behind a proxy chain.
    const answers = await postKnownCrowd(h, { region: 'FR', feature: 'timeline' }, contractSenders(), h.clock.now, (address) => `10.9.9.9, ${address}`);
    expect(answers.map((r) => r.status)).toEqual(new Array(60).fill(202));
    expect(new Set((await h.storage.reportsSince(0)).map((r) => r.networkHash)).size).toBe(12);
    const fr = await status(h, 'site=x.com&region=FR');
    expect(fr.overall.state).toBe('outage');
    expect(fr.features.find((f) => f.feature === 'timeline')?.state).toBe('outage');
    expect(fr.regions.find((r) => r.region === 'FR')?.state).toBe('outage');
    const global = await status(h, 'site=x.com');
    expect(['degraded', 'outage']).toContain(global.overall.state);
  });

  it('does not let a burst of fresh pseudonyms from the same 12 networks call anything until they are known', async () => {
    const h = await harness({ TRUST_PROXY: '127.0.0.1' }, MIDDAY_UTC);
    const senders = contractSenders().map((s) => ({ ...s, reporter: reporterId() }));
    const fail = () => Promise.all(senders.map((s) => h.postReports([makeReport({ reporter: s.reporter }, h.clock.now)], { from: '127.0.0.1', forwardedFor: s.address })));
    await fail();
    expect((await status(h, 'site=x.com&region=FR')).overall.state).toBe('operational');
    // The same pseudonyms keep failing: once the server has known them 10 minutes they count.
    for (let m = 1; m <= 11; m++) {
      h.clock.now += 60_000;
      await fail();
    }
    expect((await status(h, 'site=x.com&region=FR')).overall.state).toBe('outage');
  });

  it('keeps 1,000 reporters from one network operational', async () => {
    const h = await harness({ TRUST_PROXY: '127.0.0.1', RATE_LIMIT_BURST: '1000' });
    for (let batch = 0; batch < 10; batch++) {
      const reports = Array.from({ length: 100 }, () => makeReport({}, h.clock.now));
      const res = await h.postReports(reports, { from: '127.0.0.1', forwardedFor: `192.0.2.${batch + 1}` });
      expect(res.status).toBe(202);
    }
    const fr = await status(h, 'site=x.com&region=FR');
    expect(fr.overall.state).toBe('operational');
    expect(fr.features.every((f) => f.state === 'operational')).toBe(true);
    expect(fr.regions.every((r) => r.state === 'operational')).toBe(true);
    expect((await status(h, 'site=x.com')).overall.state).toBe('operational');
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    const h = await harness({ TRUST_PROXY: '127.0.0.1' });
    await Promise.all(contractSenders().map((s) => h.postReports([makeReport({}, h.clock.now)], { from: '203.0.113.200', forwardedFor: s.address })));
    // Every report counts for the peer's one network: no outage can come of it.
    expect(new Set((await h.storage.reportsSince(0)).map((r) => r.networkHash)).size).toBe(1);
    expect((await status(h, 'site=x.com&region=FR')).overall.state).toBe('operational');
  });

  it('rebuilds the aggregates from stored reports when a server starts on the same database', async () => {
    const first = await harness({ TRUST_PROXY: '127.0.0.1' }, MIDDAY_UTC);
    await postKnownCrowd(first);
    const { createServices } = await import('../../src/server/http/server.ts');
    const { loadConfig } = await import('../../src/server/config.ts');
    const again = await createServices(loadConfig({}), first.storage, () => first.clock.now);
    const s = again.deps.status.build('x.com', 'FR', first.clock.now);
    expect(s.overall.state).toBe('outage');
    expect(s.regions).toEqual([{ region: 'FR', state: 'outage', reports15m: 60, reporters15m: 60 }]);
  });
});

describe('restart equivalence', { timeout: 30_000 }, () => {
  it('gives the same status, since included, after replaying hours of stored reports', async () => {
    const now = Date.UTC(2026, 10, 21, 15, 20, 10);
    // The DE event is one minute of counts: judged as a corroborated minute (the single-minute
    // factor is tested in detection.test.ts), so it shows now.
    const env = { TRUST_PROXY: '127.0.0.1', DETECT_SINGLE_MINUTE_FACTOR: '1' };
    const h = await harness(env, now - 3 * 3600_000);
    const burstMinute = Math.floor(h.clock.now / 60_000) * 60_000;
    await postKnownCrowd(h);
    // A smaller, later event in another country, still going on at `now`.
    await postKnownCrowd(h, { region: 'DE' }, contractSenders().slice(0, 15), now);
    h.services.store.compact(now);
    const live = h.services.deps.status.build('x.com', null, now);
    const { createServices } = await import('../../src/server/http/server.ts');
    const { loadConfig } = await import('../../src/server/config.ts');
    const restarted = (await createServices(loadConfig(env), h.storage, () => now)).deps.status.build('x.com', null, now);
    expect(restarted).toEqual(live);
    // The outage three hours ago was seen; what shows now is the later, smaller event in DE.
    expect(live.series.reports[live.series.reports.length - 1 - 180]).toBe(60);
    expect(live.overall).toEqual({ state: 'degraded', since: Math.floor(now / 60_000) * 60_000 });
    expect(live.regions).toEqual([{ region: 'DE', state: 'degraded', reports15m: 15, reporters15m: 15 }]);
    expect(burstMinute).toBeLessThan(now);
  });
});

describe('GET /v1/status', () => {
  it('answers a protocol-valid status for a quiet site', async () => {
    const h = await harness();
    const s = await status(h, 'site=x.com');
    expect(s.overall).toEqual({ state: 'operational', since: null });
    expect(s.features).toHaveLength(11);
    expect(s.regions).toEqual([]);
    expect(s.series.stepMs).toBe(60_000);
    expect(s.series.reports).toHaveLength(1440);
    expect(s.series.baseline).toHaveLength(1440);
  });

  it('lets caches keep the status for 10 s, and no stale copy beyond (the extension polls by it)', async () => {
    const h = await harness();
    for (const q of ['site=x.com', 'site=x.com&region=FR']) {
      const res = await h.request(`/v1/status?${q}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control'), q).toBe('public, max-age=5');
    }
  });

  it('answers gzip to clients that take it: the same answer, a fifth of the bytes, made once a second', async () => {
    const h = await harness({ TRUST_PROXY: '127.0.0.1' }, MIDDAY_UTC);
    await postKnownCrowd(h, { region: 'FR' });
    const plain = await h.request('/v1/status?site=x.com&region=FR');
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(plain.headers.get('vary')).toMatch(/\bAccept-Encoding\b/);
    const plainText = await plain.text();
    const zipped = await h.request('/v1/status?site=x.com&region=FR', { headers: { 'accept-encoding': 'br, gzip, deflate' } });
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    expect(zipped.headers.get('vary')).toMatch(/\bAccept-Encoding\b/);
    expect(zipped.headers.get('cache-control')).toBe('public, max-age=5');
    const bytes = new Uint8Array(await zipped.arrayBuffer());
    expect(bytes.length * 3).toBeLessThan(plainText.length);
    const unzipped = JSON.parse(gunzipSync(bytes).toString('utf8')) as StatusResponse;
    const { generatedAt, ...rest } = unzipped;
    const { generatedAt: plainAt, ...plainRest } = JSON.parse(plainText) as StatusResponse;
    expect(rest).toEqual(plainRest);
    expect(rest.overall.state).toBe('outage');
    expect(plainAt).toBe(h.clock.now);
    expect(generatedAt).toBe(Math.floor(h.clock.now / 1000) * 1000);
    expect(validateStatusResponse(unzipped).ok).toBe(true);
    // Within the second the same bytes; a new report makes a new answer at once.
    const again = new Uint8Array(await (await h.request('/v1/status?site=x.com&region=FR', { headers: { 'accept-encoding': 'gzip' } })).arrayBuffer());
    expect(again).toEqual(bytes);
    await h.postReports([makeReport({ region: 'FR' }, h.clock.now)], { from: '127.0.0.1', forwardedFor: '203.0.113.77' });
    const after = new Uint8Array(await (await h.request('/v1/status?site=x.com&region=FR', { headers: { 'accept-encoding': 'gzip' } })).arrayBuffer());
    expect(after).not.toEqual(bytes);
    const refused = await h.request('/v1/status?site=x.com&region=FR', { headers: { 'accept-encoding': 'gzip;q=0, identity' } });
    expect(refused.headers.get('content-encoding')).toBeNull();
    expect(validateStatusResponse(await refused.json()).ok).toBe(true);
  });

  it('reads Accept-Encoding as HTTP says', () => {
    for (const h of ['gzip', 'GZIP', 'deflate, gzip;q=0.5', 'x-gzip', '*', 'br;q=1, *;q=0.1', 'gzip;q=0.001']) expect(acceptsGzip(h), h).toBe(true);
    for (const h of [undefined, '', 'identity', 'br, deflate', 'gzip;q=0', 'gzip;q=0, *', '*;q=0', 'gzipx']) expect(acceptsGzip(h), String(h)).toBe(false);
  });

  it('answers 400 for a missing or bad site or region', async () => {
    const h = await harness();
    for (const q of ['', 'site=', 'site=X.COM', 'site=https://x.com', 'site=x.com&region=fr', 'site=x.com&region=FRA', 'site=x.com&region=']) {
      const res = await h.request(`/v1/status?${q}`);
      expect(res.status, q).toBe(400);
      expect(await res.json()).toMatchObject({ error: 'invalid_query' });
    }
  });
});

describe('messages', () => {
  const message = { site: 'x.com', author: 'Outage Radar', text: 'We see timeline errors in France.', url: 'https://status.example/1', lang: 'en' };
  const post = (h: Harness, body: unknown, auth?: string) =>
    h.request('/v1/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
      body: JSON.stringify(body),
    });

  it('is not available (404) when no operator token is configured', async () => {
    const h = await harness();
    expect((await post(h, message, `Bearer ${TOKEN}`)).status).toBe(404);
  });

  it('answers 401 without a token and 403 with a wrong one, storing nothing', async () => {
    const h = await harness({ OPERATOR_TOKEN: TOKEN });
    const none = await post(h, message);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect((await post(h, message, 'Bearer wrong-token-wrong-token')).status).toBe(403);
    expect((await post(h, message, `Basic ${TOKEN}`)).status).toBe(401);
    expect(await h.storage.listMessages('x.com', 10)).toEqual([]);
  });

  it('stores an operator message (201) and lists messages newest first', async () => {
    const h = await harness({ OPERATOR_TOKEN: TOKEN });
    const first = await post(h, message, `Bearer ${TOKEN}`);
    expect(first.status).toBe(201);
    const created = (await first.json()) as { id: string; source: string; publishedAt: number };
    const { site: _site, ...shown } = message;
    expect(created).toMatchObject({ ...shown, source: 'operator', publishedAt: h.clock.now });
    expect(created).not.toHaveProperty('site');
    h.clock.now += 1000;
    await post(h, { ...message, text: 'Recovering.' }, `Bearer ${TOKEN}`);
    const list = await h.request('/v1/messages?site=x.com');
    const body = validateMessagesResponse(await list.json());
    if (!body.ok) throw new Error('invalid messages answer');
    expect(body.value.messages.map((m) => m.text)).toEqual(['Recovering.', message.text]);
    expect((await (await h.request('/v1/messages?site=example.org')).json()) as unknown).toEqual({ messages: [] });
  });

  it('refuses an invalid message with 400 and a bad site query with 400', async () => {
    const h = await harness({ OPERATOR_TOKEN: TOKEN });
    const res = await post(h, { ...message, url: 'javascript:alert(1)' }, `Bearer ${TOKEN}`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_message', problems: [{ path: 'url' }] });
    expect((await h.request('/v1/messages')).status).toBe(400);
  });
});

describe('CORS', () => {
  it('answers preflights from extension origins only', async () => {
    const h = await harness();
    for (const origin of ['chrome-extension://abcdefghijklmnopabcdefghijklmnop', 'moz-extension://0f6a2c3e-1b4d-4e5f-8a9b-0c1d2e3f4a5b']) {
      const res = await h.request('/v1/reports', { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe(origin);
      expect(res.headers.get('access-control-allow-headers')).toMatch(/Content-Type/);
      expect(res.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    }
    const web = await h.request('/v1/reports', { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(web.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('adds Access-Control-Allow-Origin to answers for extension origins, errors included', async () => {
    const h = await harness();
    const origin = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop';
    const ok = await h.request('/v1/status?site=x.com', { headers: { origin } });
    expect(ok.headers.get('access-control-allow-origin')).toBe(origin);
    const bad = await h.request('/v1/status?site=nope', { headers: { origin } });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('access-control-allow-origin')).toBe(origin);
    expect(bad.headers.get('access-control-expose-headers')).toBe('Retry-After');
    const web = await h.request('/v1/status?site=x.com', { headers: { origin: 'https://x.com' } });
    expect(web.headers.get('access-control-allow-origin')).toBeNull();
    await h.storage.close();
    const failed = await h.request('/v1/messages?site=x.com', { headers: { origin } });
    expect(failed.status).toBe(500);
    expect(failed.headers.get('access-control-allow-origin')).toBe(origin);
  });
});

describe('health and errors', () => {
  it('is healthy while the database answers, 503 while draining or when the database is gone', async () => {
    const h = await harness();
    const ok = await h.request('/healthz');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({
      ok: true,
      detection: { trackedReporters: 0, untrackedReports: 0 },
      sightings: { accepted: 0, duplicates: 0, rejected: 0, contested: 0, published: 0 },
    });
    await h.postReports([makeReport()]);
    expect(((await (await h.request('/healthz')).json()) as { detection: Record<string, number> }).detection.trackedReporters).toBe(1);
    h.services.drain();
    expect((await h.request('/healthz')).status).toBe(503);
    const refused = await h.postReports([makeReport()]);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('30');
  });

  it('answers 503 with Retry-After when reports cannot be stored, acknowledges nothing, and logs it once per 10 s without the address', async () => {
    const h = await harness();
    const lines: string[] = [];
    const app = createApp({ ...h.services.deps, log: createLogger({ destination: { write: (l: string) => void lines.push(l) } }) });
    const post = (at: number) =>
      app.request('/v1/reports', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reports: [makeReport({}, at)] }) }, { incoming: { socket: { remoteAddress: '203.0.113.77' } } });
    expect((await post(h.clock.now)).status).toBe(202);
    await h.storage.close();
    for (let i = 0; i < 20; i++) {
      const res = await post(h.clock.now);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('30');
      expect(await res.json()).toMatchObject({ error: 'unavailable' });
    }
    const errors = () => lines.map((l) => JSON.parse(l) as { level: number; msg: string; suppressed?: number }).filter((l) => l.level >= 50);
    expect(errors().map((l) => l.msg), 'twenty failures, one line').toEqual(['storing reports failed']);
    h.clock.now += 11_000;
    expect((await post(h.clock.now)).status).toBe(503);
    expect(errors().at(-1)).toMatchObject({ msg: 'storing reports failed', suppressed: 19 });
    // A fresh day needs a fresh salt from the database: that failure is a 503 too.
    h.clock.now += 86_400_000;
    expect((await post(h.clock.now)).status).toBe(503);
    expect(errors().at(-1)?.msg).toBe('salt lookup failed');
    expect(lines.join('\n')).not.toMatch(/203\.0\.113/);
  });

  it('answers a full ingest queue like load shed at the door: 503, Retry-After 10, no log line', async () => {
    const h = await harness();
    const lines: string[] = [];
    const committer = { submit: () => Promise.reject(new OverloadedError(20_000)) } as unknown as GroupCommitter;
    const app = createApp({ ...h.services.deps, committer, log: createLogger({ destination: { write: (l: string) => void lines.push(l) } }) });
    const res = await app.request('/v1/reports', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reports: [makeReport({}, h.clock.now)] }) }, { incoming: { socket: { remoteAddress: '203.0.113.77' } } });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe(String(SHED_RETRY_AFTER_S));
    expect(await res.json()).toMatchObject({ error: 'unavailable', message: 'the server is busy; retry later' });
    expect(lines).toEqual([]);
  });

  it('answers 503 on health when the database is closed', async () => {
    const h = await harness();
    await h.storage.close();
    const res = await h.request('/healthz');
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ ok: false, reason: 'database' });
  });

  it('answers JSON 404 for unknown routes and JSON 500 without a stack for failures', async () => {
    const h = await harness();
    const missing = await h.request('/nope');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'not_found' });
    await h.storage.close();
    const res = await h.request('/v1/messages?site=x.com');
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ error: 'internal_error' });
    expect(text).not.toMatch(/at .*\.ts/);
  });
});
