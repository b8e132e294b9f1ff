import { describe, expect, it } from 'vitest';
import { apiEndpoint, urlOf } from '../../../src/page/api-url.ts';

const base = 'https://x.com';

describe('apiEndpoint', () => {
  it.each([
    ['/i/api/graphql/AbC123/HomeTimeline?variables=%7B%7D', { feature: 'timeline', op: 'HomeTimeline', api: true }],
    ['https://x.com/i/api/graphql/AbC123/CreateTweet', { feature: 'post', op: 'CreateTweet', api: true }],
    ['https://api.x.com/graphql/AbC123/UserByScreenName?variables=x', { feature: 'profile', op: 'UserByScreenName', api: true }],
    ['https://x.com/i/api/1.1/dm/inbox_initial_state.json?x=1', { feature: 'dm', api: true }],
    ['https://api.x.com/1.1/onboarding/task.json?flow_name=login', { feature: 'login', api: true }],
    ['https://twitter.com/i/api/2/notifications/all.json', { feature: 'notifications', api: true }],
  ])('watches %s', (url, expected) => {
    expect(apiEndpoint(url, base)).toEqual(expected);
  });

  it.each([
    'https://x.com/home',
    'https://abs.twimg.com/responsive-web/client-web/main.js',
    'https://pbs.twimg.com/media/abc.jpg',
    'https://x.com.evil.example/i/api/graphql/a/HomeTimeline',
    'https://evil.example/i/api/graphql/a/HomeTimeline',
    '//x.com/i/api/graphql/a/HomeTimeline',
    'i/api/graphql/a/HomeTimeline',
    '',
  ])('ignores %j', (url) => {
    expect(apiEndpoint(url, base)).toBeNull();
  });
});

describe('urlOf', () => {
  it('reads strings, URLs and Requests, and nothing else', () => {
    expect(urlOf('/i/api/x')).toBe('/i/api/x');
    expect(urlOf(new URL('https://x.com/i/api/x'))).toBe('https://x.com/i/api/x');
    expect(urlOf(new Request('https://x.com/i/api/y'))).toBe('https://x.com/i/api/y');
    expect(urlOf({ href: 'https://x.com/i/api/z' })).toBeNull();
    expect(urlOf(undefined)).toBeNull();
  });
});
