/**
 * The harness itself, without a browser: the fixture site serves what the browser tests rely
 * on, the proxies pass bytes through unchanged, and the privacy checks do fire.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request as httpsRequest } from 'node:https';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { connect as tlsConnect } from 'node:tls';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo, Socket } from 'node:net';
import { BANNER_PAGES, DEADLINE_EXCEEDED_ERROR, FIXTURE_HANDLE, FIXTURE_POST_TEXT, FixtureSite, loadStrings, NOT_FOUND_PAGE, xString } from './lib/fixture-site.ts';
import { RecordingProxy } from './lib/server.ts';
import { findLeaks, findUrls, parseReportPost } from './lib/checks.ts';
import { makeCert } from './lib/tls.ts';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function getFixture(port: number, path: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      { host: '127.0.0.1', port, path, servername: 'x.com', headers: { host: 'x.com' }, rejectUnauthorized: false, timeout: 5_000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('fixture x.com site', () => {
  let dir = '';
  let site: FixtureSite;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'outage-radar-harness-'));
    site = await new FixtureSite(makeCert(dir)).start();
  });
  afterAll(async () => {
    await site.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves pages in their language with X exact error text, the handle and the post text', async () => {
    const fr = BANNER_PAGES.find((p) => p.lang === 'fr')!;
    const res = await getFixture(site.port, fr.path);
    expect(res.status).toBe(200);
    expect(res.body).toContain('<html lang="fr"');
    expect(res.body).toContain(FIXTURE_HANDLE);
    expect(res.body).toContain(FIXTURE_POST_TEXT);
    const frText = xString(loadStrings(), fr.banner!.stringKey, 'fr');
    expect(frText).toMatch(/^Une erreur/);
    expect(res.body).toContain(JSON.stringify(frText).slice(1, -1));
    const ar = await getFixture(site.port, BANNER_PAGES.find((p) => p.lang === 'ar')!.path);
    expect(ar.body).toContain('dir="rtl"');
    const missing = await getFixture(site.port, NOT_FOUND_PAGE.path);
    expect(missing.body).toContain('this page doesn');
    expect((await getFixture(site.port, '/no/such/page')).status).toBe(404);
  });

  it('answers the API as each test sets it', async () => {
    site.setApi('HomeTimeline', { kind: 'status', status: 503 });
    site.setApi('UserTweets', { kind: 'errors200', errors: [DEADLINE_EXCEEDED_ERROR] });
    site.setApi('SearchTimeline', { kind: 'rateLimited' });
    expect((await getFixture(site.port, '/i/api/graphql/abc/HomeTimeline?variables=%7B%7D')).status).toBe(503);
    const partial = await getFixture(site.port, '/i/api/graphql/abc/UserTweets');
    expect(partial.status).toBe(200);
    expect(JSON.parse(partial.body).errors[0].name).toBe('DeadlineExceeded');
    const limited = await getFixture(site.port, '/i/api/graphql/abc/SearchTimeline');
    expect(limited.status).toBe(429);
    expect(limited.headers['x-rate-limit-remaining']).toBe('0');
    expect((await getFixture(site.port, '/i/api/graphql/abc/Likes')).status).toBe(200);
    expect(site.hitsFor('HomeTimeline').map((h) => h.status)).toEqual([503]);
  });

  it('tunnels CONNECT to the fixture hosts only', async () => {
    const tunnel = (target: string) =>
      new Promise<{ status: number; socket: Socket }>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port: site.proxyPort, method: 'CONNECT', path: target, timeout: 5_000 });
        req.on('connect', (res, socket) => resolve({ status: res.statusCode ?? 0, socket }));
        req.on('error', reject);
        req.end();
      });
    const refused = await tunnel('example.com:443');
    expect(refused.status).toBe(403);
    refused.socket.destroy();
    expect(site.refusedTunnels).toContain('example.com:443');
    const ok = await tunnel('x.com:443');
    expect(ok.status).toBe(200);
    const altNames = await new Promise<string>((resolve, reject) => {
      const tls = tlsConnect({ socket: ok.socket, servername: 'x.com', rejectUnauthorized: false }, () => {
        resolve(tls.getPeerCertificate().subjectaltname ?? '');
        tls.destroy();
      });
      tls.on('error', reject);
    });
    expect(altNames).toContain('DNS:x.com');
  });
});

describe('recording proxy', () => {
  let upstream: Server;
  let proxy: RecordingProxy;
  beforeAll(async () => {
    upstream = createServer((req, res) => {
      let bytes = 0;
      req.on('data', (c: Buffer) => (bytes += c.length));
      req.on('end', () => res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ got: bytes })));
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
    proxy = await new RecordingProxy(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}`).start();
  });
  afterAll(async () => {
    await proxy.stop();
    await new Promise<void>((r) => upstream.close(() => r()));
  });

  it('forwards the exact bytes and keeps them', async () => {
    const body = '{"reports":[{"é":"\\u00e9"}]}';
    const res = await fetch(`${proxy.url}/v1/reports`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ got: Buffer.byteLength(body) });
    expect(proxy.reportPosts().map((e) => e.body)).toEqual([body]);
  });
});

describe('privacy checks', () => {
  it('find a handle, a URL and an unknown field', () => {
    const raw = JSON.stringify({ reports: [{ op: 'x', note: `@${FIXTURE_HANDLE} https://x.com/home?q=1` }] });
    expect(findLeaks(raw, [{ needle: FIXTURE_HANDLE.toUpperCase(), why: 'handle' }]).map((l) => l.why)).toEqual(['handle']);
    expect(findLeaks(raw, [{ needle: 'quokka', why: 'post text' }])).toEqual([]);
    expect(findUrls(raw)).toEqual(['https://x.com/home?q=1']);
    expect(findUrls('{"site":"x.com","code":"net::ERR_CONNECTION_RESET"}')).toEqual([]);
    const parsed = parseReportPost(raw);
    expect(parsed.reports).toEqual([]);
    expect(parsed.problems.join('\n')).toMatch(/unknown field "note"/);
    expect(parseReportPost('not json').problems[0]).toMatch(/not JSON/);
  });
});
