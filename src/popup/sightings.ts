/**
 * Official posts seen in this browser's own timeline (kept by the background, whatever the
 * server says), shown among the messages and labelled "seen on your timeline"; a post the
 * server has published (`x-sighting:<post id>`) is shown once, as the server's.
 */
import type { OfficialMessage } from '../shared/protocol.ts';
import { postUrl, sightingMessageId, type SeenPost } from '../shared/sightings.ts';

export type ShownMessage = OfficialMessage & { seenHere?: true };

export function withLocalSightings(messages: readonly OfficialMessage[], posts: readonly SeenPost[] | undefined): ShownMessage[] {
  const published = new Set(messages.map((m) => m.id));
  const local: ShownMessage[] = (posts ?? [])
    .filter((p) => !published.has(sightingMessageId(p.postId)))
    .map((p) => ({
      id: `seen:${p.postId}`,
      source: 'x-sighting',
      author: `@${p.handle}`,
      text: p.text,
      url: postUrl(p.handle, p.postId),
      publishedAt: p.createdAt,
      lang: p.lang,
      seenHere: true,
    }));
  return [...messages, ...local];
}
