import { describe, expect, it } from 'vitest';
import { featureForOperation, matchApiCall, matchEndpoint, OPERATION_FEATURES, pageFeature } from '../../../src/shared/x-endpoints.ts';

describe('matchEndpoint', () => {
  it.each([
    ['https://x.com/i/api/graphql/abc123/HomeTimeline?variables=%7B%7D', 'timeline', 'HomeTimeline'],
    ['https://x.com/i/api/graphql/Zx_9/HomeLatestTimeline', 'timeline', 'HomeLatestTimeline'],
    ['https://x.com/i/api/graphql/q/CreateTweet', 'post', 'CreateTweet'],
    ['https://x.com/i/api/graphql/q/UserByScreenName?variables={"screen_name":"someone"}', 'profile', 'UserByScreenName'],
    ['https://x.com/i/api/graphql/q/SearchTimeline', 'search', 'SearchTimeline'],
    ['https://api.x.com/graphql/q/AudioSpaceById', 'spaces', 'AudioSpaceById'],
    ['https://x.com/i/api/graphql/q/NotificationsTimeline', 'notifications', 'NotificationsTimeline'],
    ['https://x.com/i/api/graphql/q/SomeFutureDMThing', 'dm', 'SomeFutureDMThing'],
  ])('%s -> %s (%s)', (url, feature, op) => {
    expect(matchEndpoint(url)).toEqual({ feature, op, api: true });
  });

  it.each([
    ['https://api.x.com/1.1/onboarding/task.json?flow_name=login', 'login'],
    ['https://x.com/i/api/1.1/dm/inbox_initial_state.json', 'dm'],
    ['https://x.com/i/api/2/notifications/all.json', 'notifications'],
    ['https://x.com/i/api/1.1/friendships/create.json', 'follow'],
  ])('REST %s -> %s', (url, feature) => {
    expect(matchEndpoint(url)).toMatchObject({ feature, api: true });
    expect(matchEndpoint(url)?.op).toBeUndefined();
  });

  it('maps media hosts and pages, and ignores other sites', () => {
    expect(matchEndpoint('https://pbs.twimg.com/media/abc.jpg')).toEqual({ feature: 'media', api: false });
    expect(matchEndpoint('https://video.twimg.com/ext_tw_video/1/pu/vid/a.mp4')).toEqual({ feature: 'media', api: false });
    expect(matchEndpoint('https://x.com/home')).toEqual({ feature: 'timeline', api: false });
    expect(matchEndpoint('https://twitter.com/i/flow/login')).toEqual({ feature: 'login', api: false });
    expect(matchEndpoint('https://example.com/i/api/graphql/q/HomeTimeline')).toBeNull();
    expect(matchEndpoint('https://x.com.evil.example/home')).toBeNull();
    expect(matchEndpoint('not a url')).toBeNull();
  });

  it('never returns anything of the URL but the operation name', () => {
    const m = matchEndpoint('https://x.com/i/api/graphql/q/UserTweets?variables=fixture_handle_9f3');
    expect(JSON.stringify(m)).not.toContain('fixture_handle_9f3');
  });
});

describe('featureForOperation', () => {
  it('gives every operation of the table its feature (the page hook goes without the table)', () => {
    for (const [op, feature] of Object.entries(OPERATION_FEATURES)) expect(featureForOperation(op), op).toBe(feature);
  });

  it.each(['constructor', 'toString', 'hasOwnProperty', '__proto__'])('names a feature for %s, not an Object method', (op) => {
    expect(featureForOperation(op)).toBe('other');
  });
});

describe('matchApiCall', () => {
  it('answers as matchEndpoint does for API calls, and null for everything else', () => {
    const hosts = ['x.com', 'api.x.com', 'mobile.x.com', 'twitter.com', 'api.twitter.com', 'pbs.twimg.com', 'video.twimg.com', 'abs.twimg.com', 'a.video.pscp.tv', 'x.com.evil.example', 'example.com'];
    const paths = [
      '/i/api/graphql/q/HomeTimeline?variables=%7B%7D', '/graphql/q/TweetDetail', '/i/api/graphql/q/constructor', '/i/api/1.1/dm/inbox.json',
      '/1.1/onboarding/task.json', '/2/notifications/all.json', '/i/api/1.1/unknown.json', '/1.1/friendships/create.json',
      '/i/flow/login', '/home', '/someone', '/notifications', '/i/api/../home', '/live/a.m3u8', '/media/a.jpg', '/',
    ];
    let api = 0;
    for (const host of hosts) {
      for (const path of paths) {
        const url = `https://${host}${path}`;
        const full = matchEndpoint(url);
        expect(matchApiCall(url), url).toEqual(full?.api ? full : null);
        if (full?.api) api++;
      }
    }
    expect(api).toBeGreaterThan(20);
    expect(matchApiCall('not a url')).toBeNull();
  });
});

describe('pageFeature', () => {
  it.each([
    ['/home', 'timeline'],
    ['/someone/status/123', 'timeline'],
    ['/messages/123-456', 'dm'],
    ['/notifications', 'notifications'],
    ['/search', 'search'],
    ['/i/spaces/1abc', 'spaces'],
    ['/someone', 'profile'],
    ['/someone/followers', 'follow'],
    ['/i/flow/login', 'login'],
    ['/settings/account', 'other'],
  ])('%s -> %s', (path, feature) => {
    expect(pageFeature(path)).toBe(feature);
  });
});
