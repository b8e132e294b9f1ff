/**
 * Privacy of official-post sightings, as a property: for generated API answers (HomeTimeline,
 * UserTweets, TweetDetail, SearchTimeline shapes) mixing official posts with posts, quotes,
 * retweets and replies by other accounts (planted handles, texts, ids, some posing as @Support by
 * handle), run page hook extractor -> content bridge -> real background (storage, consent, send
 * to a loopback server), nothing of any other account is kept or sent: every stored and every
 * sent post is by an official id, and no planted handle, text or id appears anywhere.
 * The checker is shown able to fail: an extractor that ignores the author id is caught.
 */
import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import { listenToPage } from '../../../src/content/page-bridge.ts';
import { officialPosts, type RawPost } from '../../../src/page/official.ts';
import { KEYS } from '../../../src/background/storage-keys.ts';
import { OFFICIAL_USER_IDS, isOfficialUserId } from '../../../src/shared/official-accounts.ts';
import { PAGE_CHANNEL } from '../../../src/shared/runtime-messages.ts';
import type { Sighting } from '../../../src/shared/sightings.ts';
import { FROM_PAGE, FROM_POPUP, json, makeBackground, startServer } from '../background/fixtures-bg.ts';
import { homeTimeline, searchTimeline, tweetDetail, userTweets, type PostSpec } from '../page/x-answers.ts';
import { Gen, rng } from './generate.ts';

interface Planted {
  handles: string[];
  texts: string[];
  ids: string[];
}

function answer(g: Gen, planted: Planted): unknown {
  const other = (): PostSpec => {
    const handle = g.chance(0.2) ? 'Support' : `u${g.word(8)}`;
    const text = `secret ${g.word(12)} ${g.pick(['😀', 'مرحبا', 'こんにちは', ''])}`;
    const userId = String(g.int(10_000, 9_999_999_999));
    const id = `19${g.word(15, '0123456789')}`;
    if (handle !== 'Support') planted.handles.push(handle);
    planted.texts.push(text);
    planted.ids.push(userId, id);
    return { id, userId, handle, text, newerUser: g.chance(0.5), visibility: g.chance(0.2) };
  };
  const official = (): PostSpec => ({
    id: `18${g.word(15, '0123456789')}`,
    userId: g.pick(OFFICIAL_USER_IDS),
    handle: g.pick(['Support', 'XEng', 'Safety', 'X', 'XData']),
    text: `official notice ${g.int(1, 1e6)}`,
    newerUser: g.chance(0.5),
  });
  const post = (): PostSpec => {
    const r = g.random();
    if (r < 0.2) return official();
    if (r < 0.3) return { ...other(), quoteOf: official() };
    if (r < 0.4) return { ...other(), retweetOf: official() };
    if (r < 0.5) {
      const o = other();
      return { ...official(), text: `RT @${o.handle}: ${o.text}`, retweetOf: o };
    }
    if (r < 0.6) return { ...other(), replyTo: official().id };
    return other();
  };
  const posts = Array.from({ length: g.int(1, 12) }, post);
  return g.pick([() => homeTimeline(posts), () => userTweets(posts), () => tweetDetail(posts[0]!, posts.slice(1)), () => searchTimeline(posts)])();
}

async function run(seed: number, extract: (body: unknown) => RawPost[]) {
  const g = new Gen(rng(seed));
  const planted: Planted = { handles: [], texts: [], ids: [] };
  const server = await startServer((req, body, res) => {
    if (req.url === '/v1/sightings') return json(res, 202, { accepted: (JSON.parse(body) as { sightings: unknown[] }).sightings.length, duplicates: 0, rejected: 0 });
    return json(res, 503, {});
  });
  const { bg, storage, clock } = makeBackground({ defaultEndpoint: server.url, clock: { now: Date.UTC(2026, 11, 5, 12) } });
  await bg.handleMessage({ type: 'setConsent', granted: true }, FROM_POPUP);
  // The content bridge, on a real window: what it forwards is what the background gets.
  const dom = new JSDOM('<!DOCTYPE html>', { url: 'https://x.com/home' });
  const forwarded: unknown[][] = [];
  listenToPage(dom.window as unknown as Window, () => {}, (posts) => forwarded.push(posts));
  const stored: unknown[] = [];
  for (let i = 0; i < 150; i++) {
    clock.now += g.int(1_000, 600_000);
    const a = answer(g, planted);
    const posts = extract(g.chance(0.5) ? JSON.stringify(a) : a);
    if (posts.length === 0) continue;
    dom.window.dispatchEvent(new dom.window.MessageEvent('message', { data: { channel: PAGE_CHANNEL, posts }, origin: 'https://x.com', source: dom.window as never }));
    const batch = forwarded.shift();
    if (batch) await bg.handleMessage({ type: 'sighting', posts: JSON.parse(JSON.stringify(batch)) }, FROM_PAGE);
    stored.push(storage.data.get(KEYS.sightings));
  }
  await bg.flush();
  const sent = server.received.filter((r) => r.url === '/v1/sightings').flatMap((r) => (JSON.parse(r.body) as { sightings: Sighting[] }).sightings);
  await server.close();
  return { planted, stored, sent, state: await bg.getState() };
}

function violations(r: Awaited<ReturnType<typeof run>>): string[] {
  const out: string[] = [];
  for (const s of r.sent) if (!isOfficialUserId(s.authorId)) out.push(`sent a post by ${s.authorId}`);
  for (const p of r.state.sightings) if (!isOfficialUserId(p.authorId)) out.push(`kept a post by ${p.authorId}`);
  const text = JSON.stringify([r.stored, r.sent, r.state.sightings]);
  for (const h of r.planted.handles) if (text.includes(h)) out.push(`leaks handle ${h}`);
  for (const t of r.planted.texts) if (text.includes(t)) out.push(`leaks text ${t}`);
  for (const id of r.planted.ids) if (text.includes(`"${id}"`)) out.push(`leaks id ${id}`);
  return out;
}

describe('privacy property: official-post sightings carry nothing of any other account', () => {
  it.each([1, 2, 3])('seed %i: page hook -> content -> background -> storage and wire', async (seed) => {
    const r = await run(seed, officialPosts);
    expect(violations(r).slice(0, 10)).toEqual([]);
    // The run really saw and sent official posts, among many planted secrets.
    expect(r.sent.length).toBeGreaterThan(5);
    expect(r.planted.texts.length).toBeGreaterThan(100);
  });

  it('catches an extractor that takes every post, whoever wrote it', async () => {
    const leaky = (body: unknown): RawPost[] => collectAll(typeof body === 'string' ? (JSON.parse(body) as unknown) : body);
    const r = await run(4, leaky);
    expect(violations(r).length).toBeGreaterThan(0);
  });
});

/** A broken extractor: every post, with its author id replaced by an official one. */
function collectAll(v: unknown, out: RawPost[] = []): RawPost[] {
  if (!v || typeof v !== 'object') return out;
  const o = v as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const u = o.core?.user_results?.result;
  if (o.legacy && u) out.push([o.rest_id, '17874544', u.core?.screen_name ?? u.legacy?.screen_name, o.legacy.created_at, o.legacy.full_text, 'en']);
  for (const k in o) collectAll(o[k], out);
  return out;
}
