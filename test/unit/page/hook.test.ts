// @vitest-environment jsdom
/**
 * The built entry as the page sees it: installed on window at document_start, it posts only
 * classifications, on PAGE_CHANNEL, and the content script's validation accepts them. (jsdom's
 * postMessage sets neither event.source nor event.origin, so listenToPage's own checks are tested
 * with explicit events in test/unit/content/page-bridge.test.ts.)
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { parsePageMessage } from '../../../src/content/page-bridge.ts';
import { PAGE_CHANNEL } from '../../../src/shared/runtime-messages.ts';

const calls: string[] = [];
const posted: unknown[] = [];

beforeAll(async () => {
  // Stands in for the network: the page's own fetch before the hook wraps it.
  window.fetch = async (input: RequestInfo | URL) => {
    const url = String(input instanceof Request ? input.url : input);
    calls.push(url);
    if (url.includes('HomeTimeline')) {
      return new Response(JSON.stringify({ errors: [{ name: 'DeadlineExceeded', kind: 'ServiceLevel', source: 'Server', message: 'DeadlineExceeded for 12345 @someone' }] }), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    }
    return new Response('{}', { status: 503, headers: { 'content-type': 'application/json' } });
  };
  window.addEventListener('message', (e) => posted.push(e.data));
  await import('../../../src/page/hook.iife.ts');
});

async function until(check: () => boolean) {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
}

describe('page hook entry', () => {
  it('posts the classification only, and the content script accepts it', async () => {
    const res = await fetch('https://x.com/i/api/graphql/AbCdEf123/HomeTimeline?variables=%7B%22userId%22%3A%2212345%22%7D');
    expect(await res.json()).toHaveProperty('errors');
    await until(() => posted.length > 0);
    expect(posted).toEqual([{ channel: PAGE_CHANNEL, observation: { feature: 'timeline', signal: 'http_5xx', status: 200, op: 'HomeTimeline', code: 'x:DeadlineExceeded' } }]);
    expect(JSON.stringify(posted)).not.toMatch(/12345|someone|variables|x\.com|AbCdEf/);
    expect(posted.map(parsePageMessage)).toEqual([{ feature: 'timeline', signal: 'http_5xx', status: 200, op: 'HomeTimeline', code: 'x:DeadlineExceeded', source: 'page' }]);
  });

  it('leaves requests that are not API calls alone', async () => {
    posted.length = 0;
    const res = await fetch('https://abs.twimg.com/responsive-web/client-web/main.js');
    expect(res.status).toBe(503);
    await fetch('https://x.com/i/api/1.1/dm/inbox_initial_state.json');
    await until(() => posted.length > 0);
    expect(posted).toEqual([{ channel: PAGE_CHANNEL, observation: { feature: 'dm', signal: 'http_5xx', status: 503 } }]);
    expect(calls).toContain('https://abs.twimg.com/responsive-web/client-web/main.js');
  });

  it('wraps once, even when injected twice (extension reloaded)', async () => {
    const open = XMLHttpRequest.prototype.open;
    const wrappedFetch = window.fetch;
    expect(open.toString()).not.toContain('[native code]');
    vi.resetModules();
    await import('../../../src/page/hook.iife.ts');
    expect(XMLHttpRequest.prototype.open).toBe(open);
    expect(window.fetch).toBe(wrappedFetch);
  });
});
