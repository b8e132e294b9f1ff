import { describe, expect, it } from 'vitest';
import { officialPosts } from '../../../src/page/official.ts';
import { OFFICIAL_ACCOUNTS, OFFICIAL_USER_IDS, isOfficialUserId } from '../../../src/shared/official-accounts.ts';
import { seenPostFromRaw } from '../../../src/shared/sightings.ts';
import { homeTimeline, searchTimeline, SUPPORT_ID, tweetDetail, userTweets, X_ID, type PostSpec } from './x-answers.ts';

const support: PostSpec = { id: '1866000000000000001', userId: SUPPORT_ID, handle: 'Support', text: 'We are aware that some people are having trouble loading posts.', conversationId: '1866000000000000001' };
const someone: PostSpec = { id: '1866000000000000002', userId: '44196397', handle: 'someone_else', text: 'my private thoughts about lunch' };
const other: PostSpec = { id: '1866000000000000003', userId: '12', handle: 'jack', text: 'just setting up', newerUser: true };

const OTHER_STRINGS = ['someone_else', 'my private thoughts', '44196397', 'jack', 'just setting up', 'bio of', 'Support name'];

function leaksOther(out: unknown): string[] {
  const text = JSON.stringify(out);
  return OTHER_STRINGS.filter((s) => text.includes(s));
}

describe('the official accounts list', () => {
  it.each([
    ['Support (the legacy TwitterSupport id)', '17874544'],
    ['XEng (was TwitterEng)', '6844292'],
    ['XData (was TwitterData)', '1526228120'],
    ['Safety (was TwitterSafety)', '95731075'],
    ['X (was Twitter)', '783214'],
  ])('holds %s: %s', (_name, id) => {
    expect(isOfficialUserId(id)).toBe(true);
    expect(OFFICIAL_ACCOUNTS[id]).toBeTruthy();
  });

  it('is matched by numeric id only, never by handle or number', () => {
    expect(isOfficialUserId('Support')).toBe(false);
    expect(isOfficialUserId(17874544)).toBe(false);
    expect(isOfficialUserId('178745440')).toBe(false);
    expect(isOfficialUserId('44196397')).toBe(false);
    expect(Object.keys(OFFICIAL_ACCOUNTS).sort()).toEqual([...OFFICIAL_USER_IDS].sort());
  });
});

describe('officialPosts (page hook)', () => {
  it.each([
    ['HomeTimeline', homeTimeline([someone, support, other])],
    ['UserTweets', userTweets([support])],
    ['TweetDetail (a reply by someone else to @Support)', tweetDetail(support, [{ ...someone, replyTo: support.id, conversationId: support.id }])],
    ['SearchTimeline (newer user shape, visibility wrapper)', searchTimeline([other, { ...support, newerUser: true, visibility: true }])],
  ])('%s: takes the @Support post, eight fields, nothing of anyone else', (_name, answer) => {
    for (const body of [JSON.stringify(answer), answer]) {
      const out = officialPosts(body);
      expect(out).toEqual([[support.id, SUPPORT_ID, 'Support', 'Thu Dec 04 18:51:57 +0000 2026', support.text, 'en', support.id, undefined]]);
      expect(leaksOther(out)).toEqual([]);
    }
  });

  it('takes a reply by an official account with its reply-to id, and several accounts', () => {
    const reply: PostSpec = { id: '1866000000000000009', userId: X_ID, handle: 'X', text: 'Fixed now.', replyTo: support.id, conversationId: support.id, lang: 'fr' };
    const out = officialPosts(JSON.stringify(homeTimeline([support, someone, reply])));
    expect(out.map((p) => p[0])).toEqual([support.id, reply.id]);
    expect(out[1]).toEqual([reply.id, X_ID, 'X', 'Thu Dec 04 18:51:57 +0000 2026', 'Fixed now.', 'fr', support.id, support.id]);
  });

  it("takes an official post quoted or retweeted by someone else, never the other's own text", () => {
    const quote: PostSpec = { ...someone, id: '1866000000000000010', text: 'lol look at this', quoteOf: support };
    const rt: PostSpec = { ...other, id: '1866000000000000011', text: `RT @Support: ${support.text}`, retweetOf: support };
    const out = officialPosts(JSON.stringify(homeTimeline([quote, rt])));
    expect(out.map((p) => p[0])).toEqual([support.id, support.id]);
    expect(JSON.stringify(out)).not.toContain('lol look at this');
    expect(leaksOther(out)).toEqual([]);
  });

  it('an official account retweeting someone: the raw "RT @" text comes out, and the background refuses it', () => {
    const rt: PostSpec = { ...support, id: '1866000000000000012', text: `RT @someone_else: ${someone.text}`, retweetOf: someone };
    const out = officialPosts(homeTimeline([rt]));
    expect(out).toHaveLength(1);
    expect(seenPostFromRaw(out[0])).toBeNull();
  });

  it('does not parse text that names no official id, and survives junk', () => {
    expect(officialPosts(JSON.stringify(homeTimeline([someone, other])))).toEqual([]);
    expect(officialPosts(`{"x":"${SUPPORT_ID}"`)).toEqual([]);
    expect(officialPosts('<html>17874544</html>')).toEqual([]);
    expect(officialPosts(null)).toEqual([]);
    expect(officialPosts(42)).toEqual([]);
    // A handle alone is not an id.
    const impostor: PostSpec = { ...someone, handle: 'Support', text: 'Send us your password' };
    expect(officialPosts(homeTimeline([impostor]))).toEqual([]);
  });

  it('is bounded: deep nesting and huge answers end quietly', () => {
    let deep: unknown = { core: { user_results: { result: { rest_id: SUPPORT_ID } } } };
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    expect(() => officialPosts(deep)).not.toThrow();
    const wide = { list: Array.from({ length: 300_000 }, () => ({ a: 1 })), post: homeTimeline([support]) };
    expect(officialPosts(wide)).toEqual([]); // the node budget ran out before the post
    const big = `{"pad":"${'x'.repeat(300_000)}","id":"${SUPPORT_ID}"}`;
    expect(officialPosts(big)).toEqual([]);
  });
});
