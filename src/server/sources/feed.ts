/**
 * RSS and Atom feeds as messages (`FEED_URLS`): official accounts' mirrors (a Mastodon or Bluesky
 * profile feed) and status pages that publish a feed. No token needed. Parsing is
 * @rowanmanning/feed-parser's (RSS 0.9x/1.0/2.0 and Atom, on fast-xml-parser, whose entity
 * expansion is bounded); this file only turns entries into messages. That parser is lenient: a
 * document cut off in the middle still yields entries, which would then be stored for good. So
 * the document must first pass fast-xml-parser's well-formedness check.
 *
 * One message per entry, with an id made from the feed URL and the entry's guid (or link), so
 * polling again never adds an entry twice. An entry edited later keeps its first text.
 */
import { createHash } from 'node:crypto';
import { parseFeed } from '@rowanmanning/feed-parser';
import { XMLValidator } from 'fast-xml-parser';
import { isHttpUrl } from '../../shared/protocol.ts';
import type { StoredMessage } from '../storage/types.ts';
import { ConditionalGetter, SourceError, type GetOptions } from './http-get.ts';
import type { PollOutcome } from './poller.ts';

export const MAX_TEXT = 2000;
/** The summary after the title: a popup line, not the whole post. */
export const MAX_SUMMARY = 600;
export const MAX_AUTHOR = 64;
/** Entries taken from one read, newest first: a feed with years of history adds only its recent past. */
export const MAX_ENTRIES = 50;

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', hellip: '…', mdash: '—', ndash: '–', rsquo: '’', lsquo: '‘', rdquo: '”', ldquo: '“' };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,8});/gi, (whole, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[body.toLowerCase()] ?? whole;
  });
}

/**
 * Plain text from an entry's HTML summary (Mastodon's <p> posts, Statuspage's update list): tags
 * dropped (script and style with their contents), block ends as spaces, entities decoded,
 * whitespace collapsed. The popup shows text only, so this is about readability, not safety.
 */
export function htmlToText(html: string): string {
  const text = html
    .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(br|\/p|\/div|\/li|\/h[1-6])\b[^>]*>/gi, ' ')
    .replace(/<[^>]*>/g, '');
  return decodeEntities(text).replace(/\s+/g, ' ').trim();
}

function cap(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1).trimEnd()}…` : s;
}

/** The language subtag of the feed's language ("en-us" -> "en"), "und" when missing or odd. */
function langOf(raw: string | null | undefined): string {
  const m = /^([a-z]{2,3})(?:[-_]|$)/i.exec(raw?.trim() ?? '');
  return m ? m[1]!.toLowerCase() : 'und';
}

/** The entry's link made absolute against the feed's, kept only when it is http(s). */
function absoluteHttp(raw: string | null, base: string): string | null {
  if (!raw) return null;
  try {
    const href = new URL(raw, base).href;
    return isHttpUrl(href) ? href : null;
  } catch {
    return null;
  }
}

function hashId(feedUrl: string, key: string): string {
  return createHash('sha256').update(feedUrl).update('\n').update(key).digest('hex').slice(0, 32);
}

export interface FeedMapOptions {
  feedUrl: string;
  site: string;
  /** When an entry is first seen: its date when it carries none, and the latest date accepted. */
  now: number;
}

/**
 * Maps a feed document to messages. Throws a SourceError naming the feed when the text is not a
 * feed at all (not XML, or XML without an rss/feed/rdf root); entries missing both a text and an
 * identity are skipped.
 */
export function feedMessages(xml: string, o: FeedMapOptions): StoredMessage[] {
  const host = new URL(o.feedUrl).host;
  const wellFormed = XMLValidator.validate(xml);
  if (wellFormed !== true) {
    const e = wellFormed.err;
    throw new SourceError(`not well-formed XML (line ${e.line}, column ${e.col}: ${cap(e.msg.replace(/\s+/g, ' '), 160)})`);
  }
  let feed: ReturnType<typeof parseFeed>;
  try {
    feed = parseFeed(xml);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new SourceError(`not a readable RSS or Atom feed (${why})`);
  }
  const author = cap(htmlToText(feed.title ?? '') || host, MAX_AUTHOR);
  const feedLink = feed.url && isHttpUrl(feed.url) ? feed.url : o.feedUrl;
  const lang = langOf(feed.language);
  const out: StoredMessage[] = [];
  for (const item of feed.items) {
    const title = htmlToText(item.title ?? '');
    const summary = htmlToText(item.description ?? item.content ?? '');
    let text: string;
    if (!title) text = cap(summary, MAX_TEXT);
    else if (!summary || summary === title || summary.startsWith(title)) text = cap(summary.length > title.length ? summary : title, MAX_TEXT);
    else text = cap(`${title}: ${cap(summary, MAX_SUMMARY)}`, MAX_TEXT);
    const link = absoluteHttp(item.url, feedLink);
    const key = item.id?.trim() || link || (title || summary ? `${title}\n${summary}` : '');
    if (!text || !key) continue;
    const date = item.published ?? item.updated;
    const when = date && Number.isFinite(date.getTime()) ? date.getTime() : o.now;
    out.push({
      id: `feed:${hashId(o.feedUrl, key)}`,
      site: o.site,
      source: 'feed',
      author,
      text,
      url: link ?? feedLink,
      // A date in the future would pin the entry above every newer message.
      publishedAt: Math.min(when, o.now),
      lang,
    });
  }
  out.sort((a, b) => b.publishedAt - a.publishedAt);
  return out.slice(0, MAX_ENTRIES);
}

export interface FeedSourceOptions extends GetOptions {
  now?: () => number;
}

/** How a feed is named in log lines: host and path, without the query (it may hold a key). */
export function feedName(feedUrl: string): string {
  const u = new URL(feedUrl);
  const path = u.pathname === '/' ? '' : u.pathname;
  return `feed ${u.host}${path.length > 80 ? `${path.slice(0, 79)}…` : path}`;
}

/** One feed polled again and again: conditional GET (304: nothing new), a timeout, a capped body. */
export class FeedSource {
  private readonly getter: ConditionalGetter;
  private readonly now: () => number;

  constructor(
    readonly feedUrl: string,
    private readonly site: string,
    options: FeedSourceOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.getter = new ConditionalGetter(feedUrl, {
      ...options,
      headers: { accept: 'application/atom+xml, application/rss+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1', ...options.headers },
    });
  }

  get validators() {
    return this.getter.validators;
  }

  async poll(): Promise<PollOutcome> {
    const got = await this.getter.get();
    if (got.notModified) return { messages: [], notModified: true };
    return { messages: feedMessages(got.text, { feedUrl: this.feedUrl, site: this.site, now: this.now() }), commit: got.commit };
  }
}
