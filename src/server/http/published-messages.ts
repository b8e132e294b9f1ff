/**
 * The official messages as the public sees them, for GET /v1/messages and the status page alike:
 * the newest stored messages, each link checked again, and published sightings with how many
 * reporters sent them (`seenBy`, a field added to the protocol's message).
 */
import { isHttpUrl, type OfficialMessage } from '../../shared/protocol.ts';
import type { Storage, StoredMessage } from '../storage/types.ts';

export function publicMessage(m: StoredMessage): OfficialMessage {
  // Sources store only http(s) links; checked again here so no row, old or broken, can hand the
  // extension a javascript: or data: URL. Without one the message stays, with an empty link.
  const url = isHttpUrl(m.url) ? m.url : '';
  return { id: m.id, source: m.source, author: m.author, text: m.text, url, publishedAt: m.publishedAt, lang: m.lang };
}

/** A sighting's message id is `<site>:<post id>`; the agreement count is kept by post id. */
const postIdOf = (m: StoredMessage) => m.id.slice(m.id.indexOf(':') + 1);

export async function publishedMessages(storage: Storage, site: string, limit: number): Promise<OfficialMessage[]> {
  const stored = await storage.listMessages(site, limit);
  const seenBy = await storage.sightingsSeenBy(site, stored.filter((m) => m.source === 'x-sighting').map(postIdOf));
  return stored.map((m) => {
    const n = m.source === 'x-sighting' ? seenBy.get(postIdOf(m)) : undefined;
    return n === undefined ? publicMessage(m) : { ...publicMessage(m), seenBy: n };
  });
}
