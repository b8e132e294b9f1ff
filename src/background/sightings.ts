/**
 * Official posts seen in this browser (src/shared/sightings.ts), kept in storage.local for the
 * popup, with or without consent and whether or not the server answers. With consent each is
 * sent once to `POST /v1/sightings`. Pure functions over the stored list; background.ts does the
 * storage and the sending.
 */
import { floorToMinute } from '../shared/protocol.ts';
import { LOCAL_SIGHTINGS_KEPT, seenPostFromRaw, validateSighting, type SeenPost, type Sighting } from '../shared/sightings.ts';

/** At most this many raw posts are looked at per message from a content script. */
export const MAX_POSTS_PER_MESSAGE = 20;
/** A sighting not sent within this long is not sent at all (the server refuses old ones too). */
export const SHARE_WITHIN_MS = 24 * 3600_000;
/** What a failed send waits before the next try (429/503 Retry-After is honoured when longer). */
export const SHARE_RETRY_MS = 60_000;

export interface StoredSighting {
  post: SeenPost;
  seenAt: number;
  /** Sent (answered 2xx), or refused for good (4xx): never sent again. */
  shared: boolean;
}

export interface SightingsState {
  items: StoredSighting[];
  /** No send before this time (after a failure). */
  retryAt: number | null;
}

export function emptySightings(): SightingsState {
  return { items: [], retryAt: null };
}

/** Reads the stored list back, checking every post again as if it came from the page. */
export function loadSightings(v: unknown): SightingsState {
  if (typeof v !== 'object' || v === null) return emptySightings();
  const o = v as { items?: unknown; retryAt?: unknown };
  const items: StoredSighting[] = [];
  if (Array.isArray(o.items)) {
    for (const it of o.items.slice(0, LOCAL_SIGHTINGS_KEPT)) {
      const s = it as Partial<StoredSighting> | null;
      const p = s?.post;
      const post = p ? seenPostFromRaw([p.postId, p.authorId, p.handle, p.createdAt, p.text, p.lang, p.conversationId, p.inReplyToId]) : null;
      if (post && s && typeof s.seenAt === 'number') items.push({ post, seenAt: s.seenAt, shared: s.shared === true });
    }
  }
  return { items, retryAt: typeof o.retryAt === 'number' ? o.retryAt : null };
}

/**
 * Adds what a content script passed: each raw post is rebuilt by seenPostFromRaw (an official
 * author id, every field checked) or dropped. A post already kept stays as first seen (a different
 * text for the same id does not replace it). The newest LOCAL_SIGHTINGS_KEPT by post time are kept.
 */
export function mergeSightings(state: SightingsState, raw: unknown, now: number): { state: SightingsState; added: number } {
  if (!Array.isArray(raw)) return { state, added: 0 };
  const items = [...state.items];
  let added = 0;
  for (const r of raw.slice(0, MAX_POSTS_PER_MESSAGE)) {
    const post = seenPostFromRaw(r);
    if (!post || items.some((i) => i.post.postId === post.postId)) continue;
    items.push({ post, seenAt: now, shared: false });
    added++;
  }
  if (added === 0) return { state, added };
  items.sort((a, b) => b.post.createdAt - a.post.createdAt);
  return { state: { ...state, items: items.slice(0, LOCAL_SIGHTINGS_KEPT) }, added };
}

/** The posts, newest first, for the popup. */
export function seenPosts(state: SightingsState): SeenPost[] {
  return state.items.map((i) => i.post);
}

export interface SightingContext {
  now: number;
  reporter: string;
  version: string;
  browser: string;
  site: string;
  randomUUID: () => string;
}

/** Wire sightings for the kept posts not yet sent and seen within SHARE_WITHIN_MS; each checked by the server's validator. */
export function pendingSightings(state: SightingsState, ctx: SightingContext): Sighting[] {
  if (state.retryAt !== null && ctx.now < state.retryAt) return [];
  const out: Sighting[] = [];
  for (const i of state.items) {
    if (i.shared || ctx.now - i.seenAt > SHARE_WITHIN_MS) continue;
    const p = i.post;
    const s: Sighting = {
      id: ctx.randomUUID(),
      site: ctx.site,
      postId: p.postId,
      authorId: p.authorId,
      handle: p.handle,
      createdAt: p.createdAt,
      text: p.text,
      lang: p.lang,
      ...(p.conversationId ? { conversationId: p.conversationId } : {}),
      ...(p.inReplyToId ? { inReplyToId: p.inReplyToId } : {}),
      at: floorToMinute(i.seenAt),
      reporter: ctx.reporter,
      client: { version: ctx.version, browser: ctx.browser },
    };
    if (validateSighting(s, 0).length === 0) out.push(s);
  }
  return out;
}

/** After a send: 2xx and 4xx (but 429) settle the posts sent; anything else waits and retries. */
export function afterSend(state: SightingsState, postIds: readonly string[], status: number | null, retryAfterS: number | null, now: number): SightingsState {
  const settled = status !== null && status >= 200 && status < 500 && status !== 429;
  if (!settled) {
    const wait = Math.max(SHARE_RETRY_MS, (retryAfterS ?? 0) * 1000);
    return { ...state, retryAt: now + wait };
  }
  const ids = new Set(postIds);
  return { items: state.items.map((i) => (ids.has(i.post.postId) ? { ...i, shared: true } : i)), retryAt: null };
}
