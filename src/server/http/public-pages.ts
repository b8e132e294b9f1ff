/**
 * The public, human-facing side of the server: the status page (GET /), the Atom feed of
 * verdict changes and official messages (GET /v1/feed.atom), an embeddable badge
 * (GET /badge.svg), the privacy policy (GET /privacy) and the page's two static files. All of
 * it is read from the same StatusBuilder and storage as /v1/status and /v1/messages, never by
 * calling the server's own HTTP API. docs/status-page.md describes it.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Context, Env, Hono } from 'hono';
import type { OfficialMessage, StatusResponse } from '../../shared/protocol.ts';
import { publishedMessages } from './published-messages.ts';
import { regionVerdict } from '../../background/badge.ts';
import type { StatusBuilder } from '../aggregation/status.ts';
import { MINUTE_MS } from '../detection/baseline.ts';
import type { Storage } from '../storage/types.ts';
import { renderFeed } from '../pages/atom.ts';
import { badgeSvg, type BadgeState } from '../pages/badge-svg.ts';
import { loadLocales, type LocaleSet, type PageLocale } from '../pages/locales.ts';
import { renderPrivacyPage } from '../pages/PrivacyPage.tsx';
import { stateChanges, type StateChange } from '../pages/state-changes.ts';
import { renderBadRequestPage, renderStatusPage } from '../pages/StatusPage.tsx';

export interface PublicPagesDeps {
  storage: Storage;
  status: StatusBuilder;
  sites: readonly string[] | null;
  now: () => number;
}

export interface PublicPagesOptions {
  /** Folder of messages.json translations; default public/_locales. */
  localesDir?: string;
  /** How often the page's script reloads the status, in seconds. */
  refreshSeconds?: number;
}

const MESSAGES_LIMIT = 50;
/** A CDN may serve the page for this long, and a little longer while it fetches a new copy. */
const PAGE_CACHE = 'public, max-age=20, stale-while-revalidate=30';
const FEED_CACHE = 'public, max-age=60';
const BADGE_CACHE = 'public, max-age=30, stale-while-revalidate=30';
const ASSET_CACHE = 'public, max-age=3600';
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const asset = (name: string) => readFileSync(new URL(`../pages/assets/${name}`, import.meta.url), 'utf8');

type Region = { ok: true; region: string | null } | { ok: false; given: string };

/** ?region=: absent or empty is the whole world; two letters in either case are a country. */
function regionParam(value: string | undefined): Region {
  if (value === undefined || value === '') return { ok: true, region: null };
  return /^[A-Za-z]{2}$/.test(value) ? { ok: true, region: value.toUpperCase() } : { ok: false, given: value };
}

function etagOf(body: string): string {
  return `W/"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}

/** Sends `body` with an ETag, or 304 when the client already has it. */
function withEtag(c: Context, body: string, status: 200 | 400 = 200): Response {
  const tag = etagOf(body);
  c.header('ETag', tag);
  const given = c.req.header('if-none-match');
  if (status === 200 && given && given.split(',').some((g) => g.trim() === tag)) return c.body(null, 304);
  return c.body(body, status);
}

function htmlHeaders(c: Context, cache: string): void {
  c.header('Content-Type', 'text/html; charset=utf-8');
  c.header('Cache-Control', cache);
  c.header('Vary', 'Accept-Language');
  c.header('Content-Security-Policy', CSP);
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Referrer-Policy', 'no-referrer');
}

export function registerPublicPages<E extends Env>(app: Hono<E>, deps: PublicPagesDeps, options: PublicPagesOptions = {}): void {
  const locales: LocaleSet = loadLocales(options.localesDir);
  const refreshSeconds = options.refreshSeconds ?? 60;
  const site = deps.sites?.[0] ?? 'x.com';
  const css = asset('../../../shared/ui/status.css') + asset('page.css');
  const js = asset('status-page.js');
  const privacyByLocale = new Map<string, string>();
  let changesCache: { minute: number; changes: StateChange[] } | null = null;

  /** ?lang= when it names a translation we have (a preference, so an unknown one is ignored), else Accept-Language. */
  function localeFor(c: Context): { locale: PageLocale; chosen: string | null } {
    const asked = c.req.query('lang');
    const chosen = asked ? locales.get(asked) : undefined;
    return chosen ? { locale: chosen, chosen: chosen.id } : { locale: locales.negotiate(c.req.header('accept-language')), chosen: null };
  }

  async function officialMessages(): Promise<OfficialMessage[]> {
    return publishedMessages(deps.storage, site, MESSAGES_LIMIT);
  }

  function changesNow(now: number): StateChange[] {
    // Replaying a day of minutes for every cell costs milliseconds: once a minute is enough.
    const minute = Math.floor(now / MINUTE_MS);
    if (changesCache?.minute !== minute) {
      const { store, privacyK } = deps.status;
      changesCache = { minute, changes: stateChanges(store, site, now, privacyK) };
    }
    return changesCache.changes;
  }

  function badRegion(c: Context, locale: PageLocale, given: string): Response {
    htmlHeaders(c, 'public, max-age=300');
    return withEtag(c, renderBadRequestPage(locale, locale.t('pageBadRegion', [given.slice(0, 40)])), 400);
  }

  app.get('/', async (c) => {
    const { locale, chosen } = localeFor(c);
    const region = regionParam(c.req.query('region'));
    if (!region.ok) return badRegion(c, locale, region.given);
    const status: StatusResponse = deps.status.build(site, region.region, deps.now());
    const messages = await officialMessages();
    htmlHeaders(c, PAGE_CACHE);
    return withEtag(c, renderStatusPage({ locale, locales: locales.all, chosenLang: chosen, region: region.region, status, messages, refreshSeconds }));
  });

  app.get('/privacy', (c) => {
    const { locale } = localeFor(c);
    let html = privacyByLocale.get(locale.id);
    if (!html) privacyByLocale.set(locale.id, (html = renderPrivacyPage(locale)));
    htmlHeaders(c, 'public, max-age=3600');
    return withEtag(c, html);
  });

  app.get('/v1/feed.atom', async (c) => {
    const { locale } = localeFor(c);
    const now = deps.now();
    const messages = await officialMessages();
    const body = renderFeed({ site, origin: new URL(c.req.url).origin, locale, changes: changesNow(now), messages, now });
    c.header('Content-Type', 'application/atom+xml; charset=utf-8');
    c.header('Cache-Control', FEED_CACHE);
    c.header('Vary', 'Accept-Language');
    c.header('X-Content-Type-Options', 'nosniff');
    return withEtag(c, body);
  });

  app.get('/badge.svg', (c) => {
    const region = regionParam(c.req.query('region'));
    let state: BadgeState;
    if (!region.ok) state = 'invalid';
    else {
      try {
        state = regionVerdict(deps.status.build(site, region.region, deps.now()), region.region ?? '');
      } catch (err) {
        console.error(`badge: the status could not be built: ${err instanceof Error ? err.message : String(err)}`);
        state = 'unknown';
      }
    }
    c.header('Content-Type', 'image/svg+xml; charset=utf-8');
    c.header('Cache-Control', region.ok ? BADGE_CACHE : 'public, max-age=300');
    c.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
    c.header('X-Content-Type-Options', 'nosniff');
    return withEtag(c, badgeSvg(state, region.ok ? region.region : null), region.ok ? 200 : 400);
  });

  app.get('/assets/status-page.css', (c) => {
    c.header('Content-Type', 'text/css; charset=utf-8');
    c.header('Cache-Control', ASSET_CACHE);
    return withEtag(c, css);
  });
  app.get('/assets/status-page.js', (c) => {
    c.header('Content-Type', 'text/javascript; charset=utf-8');
    c.header('Cache-Control', ASSET_CACHE);
    return withEtag(c, js);
  });
}
