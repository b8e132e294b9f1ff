/**
 * The XHR and fetch wrappers against a real HTTP server on loopback: jsdom's XMLHttpRequest and
 * Node's fetch make real requests, so what the page gets back can be compared with and without
 * the wrapper.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { JSDOM, VirtualConsole } from 'jsdom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiEndpoint } from '../../../src/page/api-url.ts';
import type { PageObservation } from '../../../src/page/classify.ts';
import { MAX_BODY_BYTES } from '../../../src/page/read-body.ts';
import { wrapFetch } from '../../../src/page/wrap-fetch.ts';
import { wrapXhr } from '../../../src/page/wrap-xhr.ts';

const BIG = JSON.stringify({ data: { pad: 'x'.repeat(MAX_BODY_BYTES) }, errors: [{ message: '(-1) LoadShed', kind: 'ServiceLevel' }] });

function route(req: IncomingMessage, res: ServerResponse) {
  const c = new URL(req.url ?? '/', 'http://h').searchParams.get('case');
  const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  };
  switch (c) {
    case 'ok':
      return json(200, { data: { home: 1 } });
    case 'loadshed':
      return json(200, { errors: [{ message: '(-1) LoadShed', kind: 'ServiceLevel' }] });
    case '503':
      res.writeHead(503, { 'content-type': 'text/plain' });
      return res.end('unavailable');
    case 'ratelimit':
      return json(429, { errors: [{ code: 88, message: 'Rate limit exceeded.' }] }, { 'x-rate-limit-remaining': '0' });
    case 'follow':
      return json(403, { errors: [{ code: 161, message: 'You are unable to follow more people at this time.' }] });
    case 'logout':
      return json(401, { errors: [{ code: 32, message: 'Could not authenticate you.' }] });
    case 'html':
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end('<!DOCTYPE html><html><body>blocked</body></html>');
    case 'waf':
      // A CDN/WAF refusing the call in X's place: plain text, its own headers.
      res.writeHead(403, { 'content-type': 'text/plain; charset=UTF-8', 'cf-ray': '8a1b2c3d4e5f6a7b-AMS', server: 'cloudflare' });
      return res.end('error code: 1020');
    case 'edge404':
      // X's own JSON error that happens to pass a CDN: still X's answer, not the edge's.
      return json(404, { errors: [{ code: 34, message: 'Sorry, that page does not exist.' }] }, { 'cf-ray': '8a1b2c3d4e5f6a7b-AMS' });
    case 'big':
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(BIG);
    case 'reset':
      return req.socket.destroy();
    case 'slow':
      setTimeout(() => json(200, { data: {} }), 5_000).unref();
      return;
    default:
      return json(404, { errors: [{ code: 34 }] });
  }
}

let server: Server;
let origin: string;
beforeAll(async () => {
  server = createServer(route);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

/** The loopback server plays x.com. */
const endpointOf = (url: string) => apiEndpoint(url.replace(origin, 'https://x.com'), 'https://x.com');
const api = (op: string, c: string) => `/i/api/graphql/q1d/${op}?case=${c}`;

describe('wrapXhr', () => {
  function page() {
    const dom = new JSDOM('<!DOCTYPE html><p>x</p>', { url: `${origin}/home`, virtualConsole: new VirtualConsole() });
    const emitted: PageObservation[] = [];
    wrapXhr(dom.window.XMLHttpRequest, endpointOf, (o) => emitted.push(o));
    const request = (url: string, setup: (xhr: XMLHttpRequest) => void = () => {}) =>
      new Promise<XMLHttpRequest>((resolve) => {
        const xhr = new dom.window.XMLHttpRequest();
        xhr.open('GET', url);
        setup(xhr);
        xhr.addEventListener('loadend', () => setTimeout(() => resolve(xhr), 0));
        xhr.send();
      });
    return { dom, emitted, request };
  }

  it.each([
    ['ok', 'HomeTimeline', { feature: 'timeline', signal: 'ok', op: 'HomeTimeline' }],
    ['loadshed', 'HomeTimeline', { feature: 'timeline', signal: 'http_5xx', status: 200, op: 'HomeTimeline', code: 'x:LoadShed' }],
    ['503', 'SearchTimeline', { feature: 'search', signal: 'http_5xx', status: 503, op: 'SearchTimeline' }],
    ['ratelimit', 'UserTweets', { feature: 'profile', signal: 'http_429', status: 429, op: 'UserTweets', code: 'limit:88' }],
    ['follow', 'Following', { feature: 'follow', signal: 'http_429', status: 403, op: 'Following', code: 'limit:161' }],
    ['html', 'CreateTweet', { feature: 'post', signal: 'http_5xx', status: 200, op: 'CreateTweet', code: 'edge:html' }],
    ['waf', 'HomeTimeline', { feature: 'timeline', signal: 'http_5xx', status: 403, op: 'HomeTimeline', code: 'edge:403' }],
    ['big', 'HomeTimeline', { feature: 'timeline', signal: 'ok', op: 'HomeTimeline' }],
  ])('classifies case %s of %s', async (c, op, expected) => {
    const { emitted, request } = page();
    const xhr = await request(api(op, c));
    expect(emitted).toEqual([expected]);
    if (c === 'big') expect(xhr.responseText).toBe(BIG);
  });

  it('does not report a logged-out 401 or a request the page aborted', async () => {
    const { emitted, request } = page();
    await request(api('HomeTimeline', 'logout'));
    await request(api('HomeTimeline', 'slow'), (xhr) => setTimeout(() => xhr.abort(), 0));
    expect(emitted).toEqual([]);
  });

  it('reads a responseType json answer without changing it for the page', async () => {
    const { emitted, request } = page();
    const xhr = await request(api('HomeTimeline', 'loadshed'), (x) => (x.responseType = 'json'));
    expect(xhr.response).toEqual({ errors: [{ message: '(-1) LoadShed', kind: 'ServiceLevel' }] });
    expect(emitted).toEqual([{ feature: 'timeline', signal: 'http_5xx', status: 200, op: 'HomeTimeline', code: 'x:LoadShed' }]);
  });

  it('ignores requests that are not x.com API calls, and reports a reused XHR once per request', async () => {
    const { dom, emitted } = page();
    const xhr = new dom.window.XMLHttpRequest();
    const run = (url: string) =>
      new Promise<void>((resolve) => {
        xhr.onloadend = () => setTimeout(resolve, 0);
        xhr.open('GET', url);
        xhr.send();
      });
    await run(`${origin}/static/app.js?case=503`);
    await run(api('HomeTimeline', '503'));
    await run(api('HomeTimeline', 'ok'));
    expect(emitted.map((o) => o.signal)).toEqual(['http_5xx', 'ok']);
  });

  it('keeps the page working when the classifier side throws', async () => {
    const dom = new JSDOM('', { url: `${origin}/home` });
    wrapXhr(dom.window.XMLHttpRequest, () => {
      throw new Error('boom');
    }, () => {});
    const xhr = new dom.window.XMLHttpRequest();
    const done = new Promise<void>((r) => xhr.addEventListener('loadend', () => r()));
    xhr.open('GET', api('HomeTimeline', 'ok'));
    xhr.send();
    await done;
    expect(xhr.status).toBe(200);
    expect(JSON.parse(xhr.responseText)).toEqual({ data: { home: 1 } });
  });
});

describe('wrapFetch', () => {
  function page(emitThrows = false) {
    const emitted: PageObservation[] = [];
    let settled = 0;
    const waiters: Array<() => void> = [];
    const target = { fetch: globalThis.fetch };
    wrapFetch(
      target,
      endpointOf,
      (o) => {
        emitted.push(o);
        if (emitThrows) throw new Error('emit failed');
      },
      () => {
        settled += 1;
        waiters.splice(0).forEach((w) => w());
      },
    );
    const allSettled = (n: number) =>
      new Promise<void>((resolve) => {
        const check = () => (settled >= n ? resolve() : waiters.push(check));
        check();
      });
    return { fetch: target.fetch, emitted, allSettled };
  }

  it.each([
    ['ok', 'HomeTimeline', { feature: 'timeline', signal: 'ok', op: 'HomeTimeline' }],
    ['loadshed', 'HomeTimeline', { feature: 'timeline', signal: 'http_5xx', status: 200, op: 'HomeTimeline', code: 'x:LoadShed' }],
    ['503', 'DMInboxTimeline', { feature: 'dm', signal: 'http_5xx', status: 503, op: 'DMInboxTimeline' }],
    ['ratelimit', 'HomeTimeline', { feature: 'timeline', signal: 'http_429', status: 429, op: 'HomeTimeline', code: 'limit:88' }],
    ['html', 'HomeTimeline', { feature: 'timeline', signal: 'http_5xx', status: 200, op: 'HomeTimeline', code: 'edge:html' }],
    ['waf', 'CreateTweet', { feature: 'post', signal: 'http_5xx', status: 403, op: 'CreateTweet', code: 'edge:403' }],
    ['big', 'HomeTimeline', { feature: 'timeline', signal: 'ok', op: 'HomeTimeline' }],
  ])('classifies case %s and leaves the body to the page', async (c, op, expected) => {
    const { fetch, emitted, allSettled } = page();
    const res = await fetch(`${origin}${api(op, c)}`);
    const text = await res.text();
    await allSettled(1);
    expect(emitted).toEqual([expected]);
    const direct = await globalThis.fetch(`${origin}${api(op, c)}`);
    expect(res.status).toBe(direct.status);
    expect(text).toBe(await direct.text());
  });

  it('rejects with the very error the original fetch gives, and leaves a request with no answer to webRequest', async () => {
    const { fetch, emitted, allSettled } = page();
    const err = await fetch(`${origin}${api('HomeTimeline', 'reset')}`).catch((e: unknown) => e);
    const direct = await globalThis.fetch(`${origin}${api('HomeTimeline', 'reset')}`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TypeError);
    expect((err as Error).message).toBe((direct as Error).message);
    await allSettled(1);
    // A reset, a block by another extension and window.stop() all look like this here; the
    // background's webRequest listener sees the browser's own error name and tells them apart.
    expect(emitted).toEqual([]);
  });

  it('does not report what the page aborted, nor a logged-out 401', async () => {
    const { fetch, emitted, allSettled } = page();
    const ctl = new AbortController();
    const pending = fetch(`${origin}${api('HomeTimeline', 'slow')}`, { signal: ctl.signal });
    ctl.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    const res = await fetch(new Request(`${origin}${api('HomeTimeline', 'logout')}`));
    expect(res.status).toBe(401);
    await allSettled(2);
    expect(emitted).toEqual([]);
  });

  it('passes other requests straight through and survives a throwing emit', async () => {
    const { fetch, emitted, allSettled } = page(true);
    const other = await fetch(`${origin}/static/app.js?case=503`);
    expect(other.status).toBe(503);
    const res = await fetch(new URL(`${origin}${api('HomeTimeline', 'loadshed')}`));
    expect(await res.json()).toEqual({ errors: [{ message: '(-1) LoadShed', kind: 'ServiceLevel' }] });
    await allSettled(1);
    expect(emitted).toHaveLength(1);
  });
});
