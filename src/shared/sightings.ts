/**
 * Sightings: posts by X's official accounts (official-accounts.ts) that the page hook saw in
 * the user's own API answers. The types and checks shared by the hook's receiver (the
 * background), the wire (`POST /v1/sightings`) and the server. Only posts whose author id is in
 * the official list pass any of these checks: nothing of another account can.
 */
import { OFFICIAL_ACCOUNTS, isOfficialUserId } from './official-accounts.ts';
import { BROWSER_RE, LANG_RE, LIMITS, REPORTER_RE, SITE_RE, UUID_RE, VERSION_RE, type ClientInfo, type Problem, type Validation } from './protocol.ts';

/** A numeric X id (post or user), as a string: JSON numbers cannot hold 64-bit ids. */
export const X_ID_RE = /^[1-9][0-9]{0,19}$/;
/** X handles: 1 to 15 letters, digits or underscores. */
export const HANDLE_RE = /^[A-Za-z0-9_]{1,15}$/;
export const MAX_SIGHTING_TEXT = 4000;
/** How many sightings the background keeps for the popup. */
export const LOCAL_SIGHTINGS_KEPT = 10;

/** One official post as this browser saw it. */
export interface SeenPost {
  postId: string;
  authorId: string;
  handle: string;
  /** When X says the post was made, epoch ms. */
  createdAt: number;
  text: string;
  lang: string;
  conversationId?: string;
  inReplyToId?: string;
}

/** One sighting on the wire. */
export interface Sighting extends SeenPost {
  /** Idempotency key, as for reports. */
  id: string;
  site: string;
  /** When it was seen, rounded down to the minute. */
  at: number;
  reporter: string;
  client: ClientInfo;
}

export interface SightingBatch {
  sightings: Sighting[];
}

export interface SightingsAccepted {
  accepted: number;
  duplicates: number;
  /** Sightings whose text differs from the one already published for that post: not stored. */
  rejected: number;
}

/** The link of a post. */
export function postUrl(handle: string, postId: string): string {
  return `https://x.com/${handle}/status/${postId}`;
}

/** The id a published sighting carries as a message. */
export function sightingMessageId(postId: string): string {
  return `x-sighting:${postId}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * What the page hook passes for one post: [rest_id, author id, handle, created_at, full_text,
 * lang, conversation_id_str, in_reply_to_status_id_str], raw from X's answer. Rebuilt here from
 * checked fields only; null unless the author is an official account and every field fits.
 * `created_at` is X's "Wed Oct 10 20:19:24 +0000 2018" (or epoch ms already).
 */
export function seenPostFromRaw(raw: unknown): SeenPost | null {
  if (!Array.isArray(raw) || raw.length > 8) return null;
  const [postId, authorId, handle, created, text, lang, conv, reply] = raw as unknown[];
  if (!isOfficialUserId(authorId)) return null;
  if (typeof postId !== 'string' || !X_ID_RE.test(postId)) return null;
  const h = typeof handle === 'string' && HANDLE_RE.test(handle) ? handle : OFFICIAL_ACCOUNTS[authorId];
  if (!h) return null;
  const createdAt = typeof created === 'number' ? created : typeof created === 'string' && created.length < 64 ? Date.parse(created) : NaN;
  if (!Number.isSafeInteger(createdAt) || createdAt <= 0) return null;
  if (typeof text !== 'string' || text.trim() === '' || text.length > MAX_SIGHTING_TEXT) return null;
  // A retweet's legacy text is someone else's post ("RT @handle: ..."): never kept. (The page hook
  // does not look for retweets, to stay within its size budget; this is where they stop.)
  if (text.startsWith('RT @')) return null;
  const post: SeenPost = { postId, authorId, handle: h, createdAt, text, lang: typeof lang === 'string' && LANG_RE.test(lang) ? lang : 'und' };
  if (typeof conv === 'string' && X_ID_RE.test(conv)) post.conversationId = conv;
  if (typeof reply === 'string' && X_ID_RE.test(reply)) post.inReplyToId = reply;
  return post;
}

const SIGHTING_KEYS = new Set(['id', 'site', 'postId', 'authorId', 'handle', 'createdAt', 'text', 'lang', 'conversationId', 'inReplyToId', 'at', 'reporter', 'client']);
const CLIENT_KEYS = new Set(['version', 'browser']);

/** Checks one wire sighting; unknown fields are refused, as for reports. */
export function validateSighting(s: unknown, index: number): Problem[] {
  const problems: Problem[] = [];
  const at = (path: string, message: string) => problems.push({ index, path, message });
  if (!isObject(s)) {
    at('', 'a sighting must be an object');
    return problems;
  }
  for (const key of Object.keys(s)) if (!SIGHTING_KEYS.has(key)) at(key, `unknown field "${key}"`);
  if (typeof s.id !== 'string' || !UUID_RE.test(s.id)) at('id', 'must be a UUID string');
  if (typeof s.site !== 'string' || !SITE_RE.test(s.site)) at('site', 'must be a lower-case host name such as "x.com"');
  if (typeof s.postId !== 'string' || !X_ID_RE.test(s.postId)) at('postId', 'must be a numeric post id as a string');
  if (!isOfficialUserId(s.authorId)) at('authorId', "must be the numeric id of one of X's official accounts");
  if (typeof s.handle !== 'string' || !HANDLE_RE.test(s.handle)) at('handle', 'must be an X handle (1 to 15 of A-Z, a-z, 0-9, _), without "@"');
  if (typeof s.createdAt !== 'number' || !Number.isSafeInteger(s.createdAt) || s.createdAt <= 0) at('createdAt', 'must be a positive integer (epoch milliseconds)');
  if (typeof s.text !== 'string' || s.text.trim() === '' || s.text.length > MAX_SIGHTING_TEXT) at('text', `must be 1 to ${MAX_SIGHTING_TEXT} characters`);
  if (typeof s.lang !== 'string' || !LANG_RE.test(s.lang)) at('lang', 'must be a language tag such as "en" (or "und")');
  if (s.conversationId !== undefined && (typeof s.conversationId !== 'string' || !X_ID_RE.test(s.conversationId))) at('conversationId', 'must be a numeric id as a string');
  if (s.inReplyToId !== undefined && (typeof s.inReplyToId !== 'string' || !X_ID_RE.test(s.inReplyToId))) at('inReplyToId', 'must be a numeric id as a string');
  if (typeof s.at !== 'number' || !Number.isSafeInteger(s.at) || s.at <= 0) at('at', 'must be a positive integer (epoch milliseconds)');
  else if (s.at % LIMITS.minuteMs !== 0) at('at', 'must be rounded down to the minute');
  if (typeof s.reporter !== 'string' || !REPORTER_RE.test(s.reporter)) at('reporter', 'must be 16 to 64 characters of A-Z, a-z, 0-9, "_" or "-"');
  if (!isObject(s.client)) {
    at('client', 'must be an object { version, browser }');
  } else {
    for (const key of Object.keys(s.client)) if (!CLIENT_KEYS.has(key)) at(`client.${key}`, `unknown field "${key}"`);
    if (typeof s.client.version !== 'string' || !VERSION_RE.test(s.client.version)) at('client.version', 'must be a short version string');
    if (typeof s.client.browser !== 'string' || !BROWSER_RE.test(s.client.browser)) at('client.browser', 'must be a lower-case browser name');
  }
  return problems;
}

export function validateSightingBatch(body: unknown): Validation<SightingBatch> {
  if (!isObject(body)) return { ok: false, problems: [{ index: -1, path: '', message: 'the body must be an object { "sightings": [...] }' }] };
  const list = body.sightings;
  if (!Array.isArray(list)) return { ok: false, problems: [{ index: -1, path: 'sightings', message: 'must be an array' }] };
  if (list.length < LIMITS.minReports || list.length > LIMITS.maxReports) {
    return { ok: false, problems: [{ index: -1, path: 'sightings', message: `must hold ${LIMITS.minReports} to ${LIMITS.maxReports} sightings` }] };
  }
  for (const key of Object.keys(body)) if (key !== 'sightings') return { ok: false, problems: [{ index: -1, path: key, message: `unknown field "${key}"` }] };
  const problems = list.flatMap((s, i) => validateSighting(s, i));
  return problems.length ? { ok: false, problems } : { ok: true, value: { sightings: list as Sighting[] } };
}
