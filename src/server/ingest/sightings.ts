/**
 * Sightings (POST /v1/sightings): official posts that reporters' browsers saw in X's answers.
 * A post is published as a message (source `x-sighting`) only when at least k distinct reporters
 * from at least k distinct networks sent the same post id with the same content hash on the same
 * UTC day (pseudonyms and network hashes both change daily, so one browser over k days never
 * makes k). k is at least 2: one reporter or one network can never publish anything. Once a post
 * is published, a sighting of it with another content is rejected (not stored) and counted;
 * before that, competing versions are all kept (a forger who comes first must not lock the real
 * text out) and counted as contested.
 */
import { createHash } from 'node:crypto';
import type { Problem } from '../../shared/protocol.ts';
import { postUrl, sightingMessageId, type Sighting, type SightingsAccepted } from '../../shared/sightings.ts';
import { isOfficialUserId } from '../../shared/official-accounts.ts';
import type { Storage, StoredMessage, StoredSightingRow } from '../storage/types.ts';
import { MAX_AGE_MS, MAX_FUTURE_MS } from './ingest.ts';
import { utcDay } from './salts.ts';

/** Counters since the process started, shown by /healthz. */
export interface SightingStats {
  accepted: number;
  duplicates: number;
  /** A different content for a post already published: refused. */
  rejected: number;
  /** A new version of a post not yet published while another version exists. */
  contested: number;
  published: number;
}

export function emptySightingStats(): SightingStats {
  return { accepted: 0, duplicates: 0, rejected: 0, contested: 0, published: 0 };
}

/** The hash reporters must agree on: everything that would be published about the post. */
export function sightingContentHash(s: Pick<Sighting, 'authorId' | 'handle' | 'createdAt' | 'text' | 'lang'>): string {
  return createHash('sha256').update(JSON.stringify([s.authorId, s.handle, s.createdAt, s.text, s.lang])).digest('base64url');
}

function timeProblems(list: readonly Sighting[], nowMs: number): Problem[] {
  const problems: Problem[] = [];
  list.forEach((s, index) => {
    if (s.at > nowMs + MAX_FUTURE_MS) problems.push({ index, path: 'at', message: 'is more than 5 minutes in the future (check the clock)' });
    else if (s.at < nowMs - MAX_AGE_MS) problems.push({ index, path: 'at', message: 'is more than 48 hours old' });
    if (s.createdAt > nowMs + MAX_FUTURE_MS) problems.push({ index, path: 'createdAt', message: 'is in the future' });
  });
  return problems;
}

export type SightingOutcome = { ok: true; result: SightingsAccepted } | { ok: false; problems: Problem[] };

export async function ingestSightings(
  storage: Storage,
  list: readonly Sighting[],
  networkHash: string,
  nowMs: number,
  k: number,
  stats: SightingStats,
): Promise<SightingOutcome> {
  const problems = timeProblems(list, nowMs);
  if (problems.length) return { ok: false, problems };
  const need = Math.max(2, k);
  const day = utcDay(nowMs);
  const result: SightingsAccepted = { accepted: 0, duplicates: 0, rejected: 0 };
  for (const s of list) {
    // Validated already (validateSightingBatch); checked once more where it matters most.
    if (!isOfficialUserId(s.authorId)) throw new Error('a sighting of a non-official author reached ingest');
    const hash = sightingContentHash(s);
    const published = await storage.publishedSightingHash(s.site, s.postId);
    if (published !== null && published !== hash) {
      result.rejected++;
      continue;
    }
    const row: StoredSightingRow = {
      site: s.site,
      postId: s.postId,
      reporter: s.reporter,
      networkHash,
      day,
      contentHash: hash,
      authorId: s.authorId,
      handle: s.handle,
      text: s.text,
      createdAt: s.createdAt,
      lang: s.lang,
      conversationId: s.conversationId ?? null,
      inReplyToId: s.inReplyToId ?? null,
      receivedAt: nowMs,
    };
    if (!(await storage.insertSighting(row))) {
      result.duplicates++;
      continue;
    }
    result.accepted++;
    if (published !== null) {
      await storage.addSightingSeenBy(s.site, s.postId);
      continue;
    }
    const tallies = await storage.sightingTallies(s.site, s.postId, day);
    if (tallies.length > 1) stats.contested++;
    const mine = tallies.find((t) => t.contentHash === hash);
    if (!mine || mine.reporters < need || mine.networks < need) continue;
    const message: StoredMessage = {
      id: sightingMessageId(s.postId),
      site: s.site,
      source: 'x-sighting',
      author: `@${s.handle}`,
      text: s.text,
      url: postUrl(s.handle, s.postId),
      publishedAt: s.createdAt,
      lang: s.lang,
    };
    if (await storage.publishSighting(s.site, s.postId, hash, mine.reporters, message)) stats.published++;
  }
  stats.accepted += result.accepted;
  stats.duplicates += result.duplicates;
  stats.rejected += result.rejected;
  return { ok: true, result };
}
