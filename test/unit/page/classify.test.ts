import { describe, expect, it } from 'vitest';
import { classifyApiAnswer, edgeSeen, type ApiAnswer } from '../../../src/page/classify.ts';

const home = { feature: 'timeline', op: 'HomeTimeline' } as const;
const json = 'application/json; charset=utf-8';
const answer = (a: Partial<ApiAnswer>): ApiAnswer => ({ ...home, status: 200, contentType: json, ...a });

describe('classifyApiAnswer', () => {
  it('reports a healthy answer as ok, with the operation but no status or code', () => {
    expect(classifyApiAnswer(answer({ body: { data: {} } }))).toEqual({ feature: 'timeline', signal: 'ok', op: 'HomeTimeline' });
  });

  it('reports 5xx as http_5xx with the status', () => {
    expect(classifyApiAnswer(answer({ status: 503, contentType: 'text/plain' }))).toEqual({ ...home, signal: 'http_5xx', status: 503 });
  });

  it('names the server error a 5xx body carries', () => {
    const body = { errors: [{ message: 'Over capacity', code: 130 }] };
    expect(classifyApiAnswer(answer({ status: 503, body }))).toEqual({ ...home, signal: 'http_5xx', status: 503, code: 'x:130' });
  });

  it.each([
    [{ name: 'DeadlineExceeded', kind: 'ServiceLevel', source: 'Server', message: 'DeadlineExceeded: deadline exceeded', code: 29 }, 'x:DeadlineExceeded'],
    [{ message: '(-1) LoadShed', kind: 'ServiceLevel' }, 'x:LoadShed'],
    [{ message: 'Internal error', code: 131 }, 'x:131'],
    [{ name: 'SomethingNew', kind: 'ServiceLevel', source: 'Server' }, 'x:server'], // an unknown name stays in the page
    [{ source: 'Server', kind: 'Operational' }, 'x:server'],
  ])('reports HTTP 200 carrying a server error %j as http_5xx, status 200, %s', (error, code) => {
    expect(classifyApiAnswer(answer({ body: { data: {}, errors: [error] } }))).toEqual({ ...home, signal: 'http_5xx', status: 200, code });
  });

  it('keeps non-fatal client-side errors of a 200 as ok (a deleted post inside a thread)', () => {
    const body = { data: {}, errors: [{ message: '_Missing: No status found with that ID.', code: 144, kind: 'NonFatal', name: 'GenericError', source: 'Client' }] };
    expect(classifyApiAnswer(answer({ body }))?.signal).toBe('ok');
  });

  it('never copies an unsafe name into the code', () => {
    const body = { errors: [{ name: 'Deadline exceeded for https://x.com/elon', kind: 'ServiceLevel' }] };
    expect(classifyApiAnswer(answer({ body }))).toEqual({ ...home, signal: 'http_5xx', status: 200, code: 'x:server' });
  });

  it('tells a per-account 429 (x-rate-limit-remaining: 0) from a general one', () => {
    expect(classifyApiAnswer(answer({ status: 429, rateLimitRemaining: '0' }))).toEqual({ ...home, signal: 'http_429', status: 429, code: 'limit:429' });
    expect(classifyApiAnswer(answer({ status: 429, rateLimitRemaining: '12' }))).toEqual({ ...home, signal: 'http_429', status: 429 });
    expect(classifyApiAnswer(answer({ status: 429 }))).toEqual({ ...home, signal: 'http_429', status: 429 });
  });

  it.each([
    [429, 88, 'limit:88'],
    [403, 161, 'limit:161'],
    [403, 326, 'limit:326'],
    [200, 88, 'limit:88'],
  ])('reports status %i with error code %i as a per-account limit %s', (status, code, expected) => {
    const o = classifyApiAnswer(answer({ status, rateLimitRemaining: '0', body: { errors: [{ code, message: 'x' }] } }));
    expect(o).toEqual({ ...home, signal: 'http_429', status, code: expected });
  });

  it.each([32, 239, 353])('does not report error %i (logged out, stale token)', (code) => {
    expect(classifyApiAnswer(answer({ status: 401, body: { errors: [{ code, message: 'Could not authenticate you.' }] } }))).toBeNull();
    expect(classifyApiAnswer(answer({ status: 200, body: { errors: [{ code }] } }))).toBeNull();
  });

  it('reports an HTML page answering an API call as edge:html with the real status', () => {
    expect(classifyApiAnswer(answer({ contentType: 'text/html; charset=UTF-8' }))).toEqual({ ...home, signal: 'http_5xx', status: 200, code: 'edge:html' });
    expect(classifyApiAnswer(answer({ status: 403, contentType: 'text/html' }))).toEqual({ ...home, signal: 'http_5xx', status: 403, code: 'edge:html' });
    expect(classifyApiAnswer(answer({ status: 502, contentType: 'text/html' }))).toEqual({ ...home, signal: 'http_5xx', status: 502, code: 'edge:html' });
  });

  it('reports an error answer from an edge network (WAF, CDN) with no JSON of X as edge:<status>', () => {
    const edge = { edge: true, contentType: 'text/plain; charset=UTF-8' };
    expect(classifyApiAnswer(answer({ ...edge, status: 403 }))).toEqual({ ...home, signal: 'http_5xx', status: 403, code: 'edge:403' });
    expect(classifyApiAnswer(answer({ ...edge, status: 522 }))).toEqual({ ...home, signal: 'http_5xx', status: 522, code: 'edge:522' });
    expect(classifyApiAnswer(answer({ ...edge, status: 503, contentType: null }))).toEqual({ ...home, signal: 'http_5xx', status: 503, code: 'edge:503' });
    // Without the edge headers a plain-text 403 says nothing about the site.
    expect(classifyApiAnswer(answer({ status: 403, contentType: 'text/plain' }))).toBeNull();
  });

  it('leaves X’s own JSON answers to X even when a CDN carried them', () => {
    expect(classifyApiAnswer(answer({ edge: true, body: { data: {} } }))).toEqual({ ...home, signal: 'ok' });
    expect(classifyApiAnswer(answer({ edge: true, status: 404, body: { errors: [{ code: 34 }] } }))).toBeNull();
    expect(classifyApiAnswer(answer({ edge: true, status: 401, body: { errors: [{ code: 32 }] } }))).toBeNull();
    expect(classifyApiAnswer(answer({ edge: true, status: 429, contentType: 'text/plain', rateLimitRemaining: '0' }))).toEqual({ ...home, signal: 'http_429', status: 429, code: 'limit:429' });
  });

  it('sees an edge network in cf-ray or a CDN server header, not in X’s own servers', () => {
    const headers = (h: Record<string, string>) => (name: string) => h[name] ?? null;
    expect(edgeSeen(headers({ 'cf-ray': '8a1b2c3d4e5f6a7b-AMS' }))).toBe(true);
    expect(edgeSeen(headers({ server: 'cloudflare' }))).toBe(true);
    expect(edgeSeen(headers({ server: 'AkamaiGHost' }))).toBe(true);
    expect(edgeSeen(headers({ server: 'CloudFront' }))).toBe(true);
    expect(edgeSeen(headers({ server: 'tsa_b' }))).toBe(false);
    expect(edgeSeen(headers({}))).toBe(false);
  });

  it('never reports a per-account limit as an outage, whatever the status or the other errors', () => {
    for (const status of [200, 400, 403, 429, 500, 503]) {
      for (const code of [88, 161, 326]) {
        const body = { errors: [{ name: 'DeadlineExceeded', kind: 'ServiceLevel' }, { code, message: 'x' }] };
        const o = classifyApiAnswer(answer({ status, body, rateLimitRemaining: '0' }));
        expect(o, `${status} ${code}`).toEqual({ ...home, signal: 'http_429', status, code: `limit:${code}` });
      }
    }
    for (const remaining of ['0', ' 0 ']) {
      expect(classifyApiAnswer(answer({ status: 429, rateLimitRemaining: remaining, contentType: 'text/html' }))?.code).toBe('limit:429');
    }
  });

  it.each([401, 403])('does not report a logged-out %i (codes 32, 239, 353), even through a CDN or with other errors beside', (status) => {
    for (const code of [32, 239, 353]) {
      expect(classifyApiAnswer(answer({ status, edge: true, body: { errors: [{ code }] } }))).toBeNull();
      expect(classifyApiAnswer(answer({ status, body: { errors: [{ code, message: 'Bad guest token.' }, { code: 131 }] } }))?.signal).not.toBe('http_5xx');
    }
  });

  it('leaves no answer to webRequest, reports its own timeout with its code, and ignores what the page aborted', () => {
    expect(classifyApiAnswer(answer({ status: 0, contentType: null }))).toBeNull();
    expect(classifyApiAnswer(answer({ status: 0, timedOut: true }))).toEqual({ ...home, signal: 'network', code: 'timeout' });
    expect(classifyApiAnswer(answer({ status: 0, aborted: true }))).toBeNull();
  });

  it('does not report other client errors or redirects', () => {
    expect(classifyApiAnswer(answer({ status: 404, body: { errors: [{ code: 34, message: 'Sorry, that page does not exist.' }] } }))).toBeNull();
    expect(classifyApiAnswer(answer({ status: 400 }))).toBeNull();
    expect(classifyApiAnswer(answer({ status: 304 }))).toBeNull();
  });

  it('survives malformed bodies', () => {
    for (const body of [null, 'errors', 42, { errors: 'LoadShed' }, { errors: [null, 7, 'x'] }, []]) {
      expect(classifyApiAnswer(answer({ body }))?.signal).toBe('ok');
    }
  });

  it('omits op when the endpoint has none', () => {
    expect(classifyApiAnswer({ feature: 'dm', status: 500 })).toEqual({ feature: 'dm', signal: 'http_5xx', status: 500 });
  });
});
