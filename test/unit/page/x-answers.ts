/**
 * Hand-written API answers shaped like X's GraphQL answers (HomeTimeline, UserTweets, TweetDetail,
 * SearchTimeline): timeline instructions, entries, itemContent.tweet_results.result, with the
 * author under core.user_results.result (handle in `core.screen_name` in newer answers, in
 * `legacy.screen_name` in older ones), TweetWithVisibilityResults wrappers, retweets and quotes.
 * Used by the extractor's tests, the privacy property and the e2e fixture site.
 */
export const SUPPORT_ID = '17874544';
export const X_ID = '783214';

export interface PostSpec {
  id: string;
  userId: string;
  handle: string;
  text: string;
  createdAt?: string;
  lang?: string;
  conversationId?: string;
  replyTo?: string;
  /** Handle where newer answers put it (core.screen_name) rather than legacy.screen_name. */
  newerUser?: boolean;
  retweetOf?: PostSpec;
  quoteOf?: PostSpec;
  /** Wrapped in TweetWithVisibilityResults. */
  visibility?: boolean;
}

export function tweetResult(p: PostSpec): Record<string, unknown> {
  const user = p.newerUser
    ? { __typename: 'User', rest_id: p.userId, core: { screen_name: p.handle, name: `${p.handle} name`, created_at: 'Tue Jan 01 00:00:00 +0000 2008' }, legacy: { description: `bio of ${p.handle}` } }
    : { __typename: 'User', rest_id: p.userId, legacy: { screen_name: p.handle, name: `${p.handle} name`, description: `bio of ${p.handle}` } };
  const legacy: Record<string, unknown> = {
    created_at: p.createdAt ?? 'Thu Dec 04 18:51:57 +0000 2026',
    full_text: p.text,
    lang: p.lang ?? 'en',
    conversation_id_str: p.conversationId ?? p.id,
    user_id_str: p.userId,
    favorite_count: 12,
    entities: { user_mentions: [], urls: [], hashtags: [] },
  };
  if (p.replyTo) legacy.in_reply_to_status_id_str = p.replyTo;
  if (p.retweetOf) legacy.retweeted_status_result = { result: tweetResult(p.retweetOf) };
  const tweet: Record<string, unknown> = {
    __typename: 'Tweet',
    rest_id: p.id,
    core: { user_results: { result: user } },
    views: { count: '1000', state: 'EnabledWithCount' },
    legacy,
  };
  if (p.quoteOf) tweet.quoted_status_result = { result: tweetResult(p.quoteOf) };
  return p.visibility ? { __typename: 'TweetWithVisibilityResults', tweet } : tweet;
}

function entry(p: PostSpec) {
  return {
    entryId: `tweet-${p.id}`,
    sortIndex: p.id,
    content: { entryType: 'TimelineTimelineItem', itemContent: { itemType: 'TimelineTweet', tweet_results: { result: tweetResult(p) } } },
  };
}

function instructions(posts: PostSpec[]) {
  return [{ type: 'TimelineClearCache' }, { type: 'TimelineAddEntries', entries: [...posts.map(entry), { entryId: 'cursor-bottom-1', content: { entryType: 'TimelineTimelineCursor', value: 'DAABCgAB', cursorType: 'Bottom' } }] }];
}

export function homeTimeline(posts: PostSpec[]) {
  return { data: { home: { home_timeline_urt: { instructions: instructions(posts) } } } };
}

export function userTweets(posts: PostSpec[]) {
  return { data: { user: { result: { __typename: 'User', timeline_v2: { timeline: { instructions: instructions(posts) } } } } } };
}

export function tweetDetail(focal: PostSpec, replies: PostSpec[]) {
  return {
    data: {
      threaded_conversation_with_injections_v2: {
        instructions: [
          {
            type: 'TimelineAddEntries',
            entries: [
              entry(focal),
              ...replies.map((r) => ({
                entryId: `conversationthread-${r.id}`,
                content: { entryType: 'TimelineTimelineModule', items: [{ entryId: `conversationthread-${r.id}-tweet-${r.id}`, item: { itemContent: { itemType: 'TimelineTweet', tweet_results: { result: tweetResult(r) } } } }] },
              })),
            ],
          },
        ],
      },
    },
  };
}

export function searchTimeline(posts: PostSpec[]) {
  return { data: { search_by_raw_query: { search_timeline: { timeline: { instructions: instructions(posts) } } } } };
}
