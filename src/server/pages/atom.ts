/**
 * The Atom 1.0 feed (RFC 4287) of verdict changes and official messages, newest first. Ids are
 * tag: URIs built from what an entry is (a cell and the minute of its change, or a message's
 * own id), so the same entry keeps its id across requests and servers; XML is written by hand
 * with every text escaped and characters XML cannot carry removed.
 */
import { isHttpUrl, type OfficialMessage } from '../../shared/protocol.ts';
import { regionName } from '../../shared/ui/format.ts';
import { sourceLabel } from '../../shared/ui/StatusParts.tsx';
import { escapeXml } from './badge-svg.ts';
import type { PageLocale } from './locales.ts';
import type { StateChange } from './state-changes.ts';

export const FEED_LIMIT = 100;
const TAG = 'tag:outage-radar.org,2025:';

// Control characters (other than tab and line breaks), lone surrogates and U+FFFE/U+FFFF are not XML.
// eslint-disable-next-line no-control-regex
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function xmlText(s: string): string {
  return escapeXml(s.replace(NOT_XML, '\uFFFD'));
}

interface Entry {
  id: string;
  title: string;
  updated: number;
  link: string;
  content: string;
  category: string;
  lang?: string;
  author?: string;
}

function changeTitle(c: StateChange, locale: PageLocale): string {
  const { t, lang } = locale;
  if (c.feature) return t('feedFeatureChange', [t(`feature_${c.feature}`), t(`state_${c.to}`)]);
  const where = c.region ? regionName(c.region, t, lang) : null;
  switch (c.to) {
    case 'outage':
      return where ? t('verdictOutageIn', [where]) : t('verdictOutage');
    case 'degraded':
      return where ? t('verdictDegradedIn', [where]) : t('verdictDegraded');
    default:
      return where ? t('notifyRecovered', [where]) : t('feedRecovered');
  }
}

function pageLink(origin: string, region: string | null): string {
  return region ? `${origin}/?region=${encodeURIComponent(region)}` : `${origin}/`;
}

export function renderFeed({ site, origin, locale, changes, messages, now }: { site: string; origin: string; locale: PageLocale; changes: readonly StateChange[]; messages: readonly OfficialMessage[]; now: number }): string {
  const { t } = locale;
  const entries: Entry[] = [
    ...changes.map((c) => ({
      id: `${TAG}${site}/state/${c.region ?? 'all'}/${c.feature ?? 'all'}/${c.at}`,
      title: changeTitle(c, locale),
      updated: c.at,
      link: pageLink(origin, c.region),
      content: t('feedChangeContent', [t(`state_${c.from}`), t(`state_${c.to}`)]),
      category: c.to,
    })),
    ...messages.map((m) => ({
      id: `${TAG}${site}/message/${encodeURIComponent(m.id)}`,
      title: t('feedMessageTitle', [m.author, sourceLabel(m, t)]),
      updated: m.publishedAt,
      link: isHttpUrl(m.url) ? m.url : `${origin}/`,
      content: m.text,
      category: 'message',
      lang: m.lang,
      author: m.author,
    })),
  ]
    .sort((a, b) => b.updated - a.updated)
    .slice(0, FEED_LIMIT);
  const iso = (ms: number) => new Date(ms).toISOString();
  const updated = entries[0]?.updated ?? Math.floor(now / 60_000) * 60_000;
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${xmlText(locale.lang)}">`,
    `<title>${xmlText(t('feedTitle'))}</title>`,
    `<subtitle>${xmlText(t('pageIntro'))}</subtitle>`,
    `<id>${xmlText(`${TAG}${site}/feed`)}</id>`,
    `<updated>${iso(updated)}</updated>`,
    `<link rel="self" type="application/atom+xml" href="${xmlText(`${origin}/v1/feed.atom`)}"/>`,
    `<link rel="alternate" type="text/html" href="${xmlText(`${origin}/`)}"/>`,
    `<author><name>Outage Radar</name></author>`,
    `<generator>Outage Radar</generator>`,
  ];
  for (const e of entries) {
    lines.push(
      `<entry${e.lang ? ` xml:lang="${xmlText(e.lang)}"` : ''}>`,
      `<id>${xmlText(e.id)}</id>`,
      `<title type="text">${xmlText(e.title)}</title>`,
      `<updated>${iso(e.updated)}</updated>`,
      `<published>${iso(e.updated)}</published>`,
      ...(e.author ? [`<author><name>${xmlText(e.author)}</name></author>`] : []),
      `<link rel="alternate" href="${xmlText(e.link)}"/>`,
      `<category term="${xmlText(e.category)}"/>`,
      `<content type="text">${xmlText(e.content)}</content>`,
      `</entry>`,
    );
  }
  lines.push('</feed>', '');
  return lines.join('\n');
}
