/**
 * Atlassian Statuspage incidents (GET https://<page>/api/v2/incidents.json) as messages: one
 * message per incident update, with an id made from the page host and the update id, so polling
 * the same page again never adds a message twice.
 */
import { isHttpUrl } from '../../shared/protocol.ts';
import type { StoredMessage } from '../storage/types.ts';
import { ConditionalGetter, SourceError, type GetOptions } from './http-get.ts';
import type { PollOutcome } from './poller.ts';

const MAX_TEXT = 2000;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : null;
}

/** Maps an incidents.json body to messages; entries missing what a message needs are skipped. */
export function statuspageMessages(body: unknown, pageUrl: string, site: string): StoredMessage[] {
  if (!isObject(body) || !Array.isArray(body.incidents)) throw new Error('not a Statuspage incidents.json body (no "incidents" array)');
  const host = new URL(pageUrl).host;
  const page = isObject(body.page) ? body.page : {};
  const author = str(page.name) ?? host;
  const pageLink = str(page.url);
  const out: StoredMessage[] = [];
  for (const incident of body.incidents) {
    if (!isObject(incident) || !Array.isArray(incident.incident_updates)) continue;
    const name = str(incident.name) ?? 'Incident';
    const linkCandidate = str(incident.shortlink) ?? pageLink ?? `https://${host}/`;
    const url = isHttpUrl(linkCandidate) ? linkCandidate : `https://${host}/`;
    for (const update of incident.incident_updates) {
      if (!isObject(update)) continue;
      const id = str(update.id);
      const when = Date.parse(str(update.display_at) ?? str(update.created_at) ?? '');
      const bodyText = str(update.body);
      if (!id || !Number.isFinite(when) || !bodyText) continue;
      const status = str(update.status);
      const text = `${name}${status ? ` (${status})` : ''}: ${bodyText}`;
      out.push({
        id: `statuspage:${host}:${id}`,
        site,
        source: 'statuspage',
        author,
        text: text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text,
        url,
        publishedAt: when,
        lang: 'en',
      });
    }
  }
  return out;
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new SourceError(`body is not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
}

/**
 * One Statuspage polled again and again: conditional GET (a 304 means no new update), a timeout,
 * and a cap on the body.
 */
export class StatuspageSource {
  private readonly getter: ConditionalGetter;

  constructor(
    readonly pageUrl: string,
    private readonly site: string,
    options: GetOptions = {},
  ) {
    this.getter = new ConditionalGetter(pageUrl, { ...options, headers: { accept: 'application/json', ...options.headers } });
  }

  async poll(): Promise<PollOutcome> {
    const got = await this.getter.get();
    if (got.notModified) return { messages: [], notModified: true };
    return { messages: statuspageMessages(parseBody(got.text), this.pageUrl, this.site), commit: got.commit };
  }
}

/** One unconditional read of a page (no validators kept). */
export async function pollStatuspage(pageUrl: string, site: string, fetchImpl: typeof fetch = fetch): Promise<StoredMessage[]> {
  const outcome = await new StatuspageSource(pageUrl, site, { fetchImpl }).poll();
  return Array.isArray(outcome) ? outcome : outcome.messages;
}
