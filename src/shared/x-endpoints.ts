/**
 * Which x.com request belongs to which feature. One set of rules, used by the page hook (which sees
 * the page's own API calls) and by the background (which sees every request through webRequest), so
 * both name the same feature for the same call. Query ids change often; operation names don't.
 */
import type { Feature } from './protocol.ts';

/**
 * The GraphQL operations we know, with their feature: the only operation names that leave in a
 * report (knownOperation in the background). featureForOperation gives each the same feature from
 * its name; unknown operations get a feature the same way, or `other`.
 */
export const OPERATION_FEATURES: Readonly<Record<string, Feature>> = {
  HomeTimeline: 'timeline',
  HomeLatestTimeline: 'timeline',
  ListLatestTweetsTimeline: 'timeline',
  CommunityTweetsTimeline: 'timeline',
  TweetDetail: 'timeline',
  CreateTweet: 'post',
  CreateNoteTweet: 'post',
  DeleteTweet: 'post',
  CreateRetweet: 'post',
  FavoriteTweet: 'post',
  UnfavoriteTweet: 'post',
  CreateScheduledTweet: 'post',
  UserByScreenName: 'profile',
  UserByRestId: 'profile',
  UserTweets: 'profile',
  UserTweetsAndReplies: 'profile',
  UserMedia: 'profile',
  Likes: 'profile',
  Followers: 'follow',
  Following: 'follow',
  SearchTimeline: 'search',
  ExplorePage: 'search',
  GenericTimelineById: 'search',
  AudioSpaceById: 'spaces',
  AudioSpaceByRestId: 'spaces',
  BroadcastQuery: 'spaces',
  NotificationsTimeline: 'notifications',
  DMInboxTimeline: 'dm',
  DmAllSearchSlice: 'dm',
  DMMessageDeleteMutation: 'dm',
  useSendMessageMutation: 'dm',
};

const GRAPHQL_RE = /\/graphql\/[A-Za-z0-9_-]+\/([A-Za-z][A-Za-z0-9_]{0,63})(?:$|[?#])/;

export interface EndpointMatch {
  feature: Feature;
  /** The operation name, when the path names one: the only part of a URL that ever leaves. */
  op?: string;
  /** Whether this is a call to X's API (as opposed to a page, a script or an image). */
  api: boolean;
}

/**
 * The known operations whose names the patterns below would misread. Every other entry of
 * OPERATION_FEATURES follows from its name (a unit test checks the whole table), so the page hook
 * carries these three and the patterns, not the table.
 */
const MISREAD_OPERATIONS: ReadonlyMap<string, Feature> = new Map([
  ['TweetDetail', 'timeline'],
  ['Likes', 'profile'],
  ['GenericTimelineById', 'search'],
]);

export function featureForOperation(op: string): Feature {
  const misread = MISREAD_OPERATIONS.get(op);
  if (misread) return misread;
  if (/DM|Dm[A-Z]|Message|Conversation/.test(op)) return 'dm';
  if (/Space|Broadcast/.test(op)) return 'spaces';
  if (/Notification/.test(op)) return 'notifications';
  if (/Search|Explore|Trend/.test(op)) return 'search';
  if (/Follow/.test(op)) return 'follow';
  if (/^User|Profile/.test(op)) return 'profile';
  if (/Tweet|Post|Retweet|Favorite|Bookmark/.test(op) && /^(Create|Delete|Favorite|Unfavorite)/.test(op)) return 'post';
  if (/Timeline/.test(op)) return 'timeline';
  return 'other';
}

const REST_FEATURES: ReadonlyArray<[RegExp, Feature]> = [
  [/\/1\.1\/onboarding\/|\/1\.1\/account\/(?:login|verify_credentials|multi\/)|\/i\/flow\/login|\/1\.1\/jot\/|\/i\/api\/1\.1\/keyregistry|\/sso_init/, 'login'],
  [/\/1\.1\/dm\/|\/i\/api\/1\.1\/dm\//, 'dm'],
  [/\/2\/notifications\/|\/1\.1\/badge_count|\/notifications/, 'notifications'],
  [/\/1\.1\/friendships\//, 'follow'],
  [/\/1\.1\/statuses\/update|\/1\.1\/media\/upload/, 'post'],
  [/\/2\/search\/|\/1\.1\/search\//, 'search'],
  [/\/1\.1\/live_video_stream|\/1\.1\/audiospace|\/i\/spaces\//, 'spaces'],
];

function isXHost(host: string): boolean {
  return host === 'x.com' || host.endsWith('.x.com') || host === 'twitter.com' || host.endsWith('.twitter.com');
}

/** What a path of an x.com host names, short of a page: an operation, a REST endpoint, an API call. */
function xEndpoint(host: string, path: string): EndpointMatch | null {
  const gql = GRAPHQL_RE.exec(path);
  if (gql?.[1]) {
    const op = gql[1];
    return { feature: featureForOperation(op), op, api: true };
  }
  const isApi = path.startsWith('/i/api/') || host === 'api.x.com' || host === 'api.twitter.com';
  for (const [re, feature] of REST_FEATURES) {
    if (re.test(path)) return { feature, api: isApi };
  }
  return isApi ? { feature: 'other', api: true } : null;
}

function parseUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/**
 * Classifies a request URL. Returns null for URLs that are not x.com's, which are never watched.
 * The URL itself never leaves this function: callers get only a feature and an operation name.
 */
export function matchEndpoint(url: string): EndpointMatch | null {
  const u = parseUrl(url);
  if (!u) return null;
  const host = u.hostname;
  if (host === 'video.twimg.com' || host.endsWith('.video.pscp.tv') || host.endsWith('.pscp.tv')) {
    return { feature: /\/(?:live|hls|dash)|\.m3u8$/.test(u.pathname) && host !== 'video.twimg.com' ? 'spaces' : 'media', api: false };
  }
  if (host === 'pbs.twimg.com' || host === 'ton.twimg.com') return { feature: 'media', api: false };
  if (host === 'abs.twimg.com') return { feature: 'other', api: false };
  if (!isXHost(host)) return null;
  return xEndpoint(host, u.pathname) ?? { feature: pageFeature(u.pathname), api: false };
}

/**
 * matchEndpoint for callers that want x.com's API calls only (the page hook): the same answer
 * when it is an API call, null otherwise, without the media hosts and page paths.
 */
export function matchApiCall(url: string): EndpointMatch | null {
  const u = parseUrl(url);
  const match = u && isXHost(u.hostname) ? xEndpoint(u.hostname, u.pathname) : null;
  return match?.api ? match : null;
}

/** The feature a page path shows, for failed page loads (main frames). */
export function pageFeature(path: string): Feature {
  if (path === '/' || path === '/home' || path.startsWith('/i/lists') || path.includes('/status/')) return 'timeline';
  if (path.startsWith('/i/flow/login') || path === '/login' || path.startsWith('/i/flow/signup') || path.startsWith('/account/')) return 'login';
  if (path.startsWith('/messages') || path.startsWith('/i/chat')) return 'dm';
  if (path.startsWith('/notifications')) return 'notifications';
  if (path.startsWith('/search') || path.startsWith('/explore')) return 'search';
  if (path.startsWith('/i/spaces') || path.startsWith('/i/broadcasts')) return 'spaces';
  if (path.startsWith('/compose')) return 'post';
  if (/^\/[A-Za-z0-9_]{1,15}\/?$/.test(path) || /^\/[A-Za-z0-9_]{1,15}\/(?:with_replies|media|likes|highlights|articles)$/.test(path)) return 'profile';
  if (/^\/[A-Za-z0-9_]{1,15}\/(?:followers|following|verified_followers)$/.test(path)) return 'follow';
  return 'other';
}
