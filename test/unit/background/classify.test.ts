import { describe, expect, it } from 'vitest';
import { classifyCompleted, classifyError, classifyRedirect, evidenceOf, localEvidenceOf } from '../../../src/background/classify.ts';

const api = 'https://x.com/i/api/graphql/abc123/HomeTimeline?variables=%7B%22secret%22%7D';

describe('webRequest completions', () => {
  it('5xx on an API call -> http_5xx with the operation, never the URL', () => {
    const c = classifyCompleted({ url: api, statusCode: 503, type: 'xmlhttprequest' });
    expect(c).toEqual({ kind: 'report', observation: { feature: 'timeline', signal: 'http_5xx', source: 'webrequest', status: 503, op: 'HomeTimeline' } });
    expect(JSON.stringify(c)).not.toContain('secret');
  });

  it('429 -> http_429 counted as a per-account limit', () => {
    const c = classifyCompleted({ url: api, statusCode: 429, type: 'xmlhttprequest' });
    expect(c.kind === 'report' && c.observation).toMatchObject({ signal: 'http_429', code: 'limit:429', status: 429 });
  });

  it('other 4xx are ignored', () => {
    for (const s of [400, 401, 403, 404]) expect(classifyCompleted({ url: api, statusCode: s, type: 'xmlhttprequest' }).kind).toBe('ignore');
  });

  it('a successful API call only proves reachability (its body may carry errors); a successful image says nothing', () => {
    expect(classifyCompleted({ url: api, statusCode: 200, type: 'xmlhttprequest' })).toEqual({ kind: 'reachable' });
    expect(classifyCompleted({ url: 'https://pbs.twimg.com/media/a.jpg', statusCode: 200, type: 'image' }).kind).toBe('ignore');
  });

  it('a failed page load names the page feature', () => {
    const c = classifyCompleted({ url: 'https://x.com/messages/123-456', statusCode: 502, type: 'main_frame' });
    expect(c).toMatchObject({ kind: 'report', observation: { feature: 'dm', signal: 'http_5xx', status: 502 } });
  });

  it('ignores other sites', () => {
    expect(classifyCompleted({ url: 'https://example.com/', statusCode: 500, type: 'main_frame' }).kind).toBe('ignore');
  });
});

describe('webRequest errors', () => {
  it('reports resets and timeouts as network with the browser error name', () => {
    expect(classifyError({ url: api, error: 'net::ERR_CONNECTION_RESET', type: 'xmlhttprequest' }, true)).toMatchObject({
      kind: 'report',
      observation: { signal: 'network', code: 'net::ERR_CONNECTION_RESET', feature: 'timeline', op: 'HomeTimeline' },
    });
    expect(classifyError({ url: 'https://pbs.twimg.com/media/x.jpg', error: 'NS_ERROR_NET_RESET', type: 'image' }, true)).toMatchObject({
      kind: 'report',
      observation: { signal: 'network', code: 'NS_ERROR_NET_RESET', feature: 'media' },
    });
  });

  it('treats the user being offline as local, never a report', () => {
    for (const error of ['net::ERR_INTERNET_DISCONNECTED', 'net::ERR_NETWORK_CHANGED', 'net::ERR_NAME_NOT_RESOLVED', 'NS_ERROR_OFFLINE', 'NS_ERROR_UNKNOWN_HOST']) {
      expect(classifyError({ url: api, error, type: 'xmlhttprequest' }, true).kind).toBe('offline');
    }
    expect(classifyError({ url: api, error: 'net::ERR_CONNECTION_RESET', type: 'xmlhttprequest' }, false).kind).toBe('offline');
  });

  it('never reports blocked and aborted requests; a blocked page or API call is local evidence', () => {
    for (const error of ['net::ERR_BLOCKED_BY_CLIENT', 'net::ERR_BLOCKED_BY_ADMINISTRATOR', 'NS_ERROR_TRACKING_URI']) {
      expect(classifyError({ url: api, error, type: 'xmlhttprequest' }, true)).toEqual({ kind: 'local', evidence: 'blocked', feature: 'timeline' });
      expect(classifyError({ url: 'https://x.com/messages', error, type: 'main_frame' }, true)).toEqual({ kind: 'local', evidence: 'blocked', feature: 'dm' });
      // Blocked telemetry and scripts are what content blockers do all day: nothing to say.
      expect(classifyError({ url: 'https://x.com/i/api/1.1/jot/client_event.json', error, type: 'xmlhttprequest' }, true).kind).toBe('ignore');
    }
    for (const error of ['net::ERR_ABORTED', 'NS_BINDING_ABORTED', 'NS_BINDING_REDIRECTED', 'NS_BINDING_RETARGETED']) {
      expect(classifyError({ url: api, error, type: 'xmlhttprequest' }, true).kind).toBe('ignore');
      expect(classifyError({ url: 'https://x.com/messages', error, type: 'main_frame' }, true).kind).toBe('ignore');
    }
  });

  // What Firefox ESR 153's onErrorOccurred said in .tmp/ff-block (a real browser, a second
  // extension blocking x.com): the error name is the only field that differs.
  it.each([
    ['webRequest cancel in onBeforeRequest', 'NS_ERROR_ABORT', 'blocked'],
    ['webRequest cancel in onBeforeSendHeaders', 'NS_ERROR_ABORT', 'blocked'],
    ['webRequest cancel in onHeadersReceived', 'NS_ERROR_ABORT', 'blocked'],
    ['declarativeNetRequest block rule', 'NS_ERROR_ABORT', 'blocked'],
    ['AbortController.abort() / xhr.abort() / AbortSignal.timeout()', 'NS_BINDING_ABORTED', 'ignore'],
    ['navigation, window.stop(), closed tab', 'NS_BINDING_ABORTED', 'ignore'],
    ['connection reset', 'NS_ERROR_NET_RESET', 'report'],
  ])('Firefox: %s (%s) -> %s', (_case, error, expected) => {
    for (const [url, type, feature] of [[api, 'xmlhttprequest', 'timeline'], ['https://x.com/messages', 'main_frame', 'dm']] as const) {
      const c = classifyError({ url, error, type }, true);
      if (expected === 'blocked') expect(c).toEqual({ kind: 'local', evidence: 'blocked', feature });
      else expect(c.kind).toBe(expected);
    }
  });

  it('Firefox: another extension dropping only telemetry says nothing', () => {
    expect(classifyError({ url: 'https://x.com/i/api/1.1/jot/client_event.json', error: 'NS_ERROR_ABORT', type: 'xmlhttprequest' }, true).kind).toBe('ignore');
  });

  it('certificate errors are the user side (portal or interception), never reported', () => {
    for (const error of ['net::ERR_CERT_AUTHORITY_INVALID', 'SEC_ERROR_UNKNOWN_ISSUER', 'MOZILLA_PKIX_ERROR_SELF_SIGNED_CERT', 'SSL_ERROR_BAD_CERT_DOMAIN']) {
      expect(classifyError({ url: api, error, type: 'xmlhttprequest' }, true)).toEqual({ kind: 'local', evidence: 'portal', feature: 'timeline' });
    }
  });
});

describe('webRequest redirects', () => {
  it.each([
    ['https://x.com/home', 'main_frame', 'http://portal.example/login', 'portal'],
    ['https://x.com/home', 'main_frame', 'https://10.1.1.1/splash', 'portal'],
    [api, 'xmlhttprequest', 'https://wifi.example.net/', 'portal'],
    // X downgraded to http: nobody but an interceptor does that.
    ['https://x.com/home', 'main_frame', 'http://x.com/home', 'portal'],
    ['https://x.com/home', 'main_frame', 'https://x.com/i/flow/login', 'ignore'],
    ['https://twitter.com/home', 'main_frame', 'https://x.com/home', 'ignore'],
    ['https://x.com/home', 'main_frame', 'https://mobile.x.com/home', 'ignore'],
    ['https://x.com/home', 'main_frame', 'https://evilx.com/home', 'portal'],
    // A blocker extension showing its own "blocked" page (measured in Firefox ESR for webRequest
    // redirectUrl and declarativeNetRequest extensionPath).
    ['https://x.com/home', 'main_frame', 'moz-extension://2ee006d1-a241-4c27-9326-eea1d999c4ae/blocked.html', 'blocked'],
    ['https://x.com/home', 'main_frame', 'chrome-extension://cjpalhdlnbpafiamejdnhcphjbkeiagm/document-blocked.html', 'blocked'],
    [api, 'xmlhttprequest', 'moz-extension://2ee006d1-a241-4c27-9326-eea1d999c4ae/empty.json', 'blocked'],
    ['https://pbs.twimg.com/media/a.jpg', 'image', 'https://elsewhere.example/a.jpg', 'ignore'],
    ['https://example.com/', 'main_frame', 'http://portal.example/', 'ignore'],
  ])('%s (%s) -> %s: %s', (url, type, redirectUrl, kind) => {
    const c = classifyRedirect({ url, type, redirectUrl });
    expect(c.kind === 'local' ? c.evidence : c.kind).toBe(kind);
  });

  it('keeps odd error strings out of reports', () => {
    const c = classifyError({ url: api, error: 'weird error with spaces', type: 'xmlhttprequest' }, true);
    expect(c).toMatchObject({ kind: 'report', observation: { code: 'net::other' } });
  });
});

describe('evidence', () => {
  it('keeps connection banners local and marks limits', () => {
    expect(evidenceOf({ feature: 'other', signal: 'banner', source: 'dom', code: 'banner:connection_error' })).toEqual({ kind: 'offline', reportable: false });
    expect(evidenceOf({ feature: 'follow', signal: 'banner', source: 'dom', code: 'limit:161' })).toEqual({ kind: 'limit', reportable: true });
    expect(evidenceOf({ feature: 'timeline', signal: 'network', source: 'webrequest', code: 'net::ERR_TIMED_OUT' }).kind).toBe('connection');
    expect(evidenceOf({ feature: 'timeline', signal: 'http_5xx', source: 'webrequest', status: 200, code: 'x:DeadlineExceeded' }).kind).toBe('failure');
  });
});

describe('localEvidenceOf', () => {
  it('gives each request that is not a report the entry the background records for it', () => {
    expect(localEvidenceOf({ kind: 'offline' })).toEqual({ kind: 'offline', feature: 'other' });
    expect(localEvidenceOf({ kind: 'reachable' })).toEqual({ kind: 'ok', feature: 'other' });
    expect(localEvidenceOf({ kind: 'local', evidence: 'blocked', feature: 'dm' })).toEqual({ kind: 'blocked', feature: 'dm' });
    expect(localEvidenceOf({ kind: 'ignore', reason: 'aborted' })).toBeNull();
  });
});
