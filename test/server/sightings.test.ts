/**
 * POST /v1/sightings through the real app (app.request, real SQLite): validation with the shared
 * schema, the limits and errors of reports, k-agreement (k reporters AND k networks, the same
 * content), forged texts, replays, one network with many pseudonyms, and the published message.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/server/config.ts';
import { floorToMinute, validateMessagesResponse, type OfficialMessage } from '../../src/shared/protocol.ts';
import type { Sighting } from '../../src/shared/sightings.ts';
import { makeHarness, type Harness } from './lib/harness.ts';
import { reporterId } from './lib/reports.ts';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const NOW = Date.UTC(2026, 11, 5, 12, 0, 0);
const TEXT = 'We are aware some people are having trouble loading posts. We are working on a fix.';

function sighting(over: Partial<Sighting> = {}, now = NOW): Sighting {
  return {
    id: randomUUID(),
    site: 'x.com',
    postId: '1866000000000000001',
    authorId: '17874544',
    handle: 'Support',
    createdAt: NOW - 10 * 60_000,
    text: TEXT,
    lang: 'en',
    conversationId: '1866000000000000001',
    at: floorToMinute(now),
    reporter: reporterId(),
    client: { version: '0.1.0', browser: 'chrome' },
    ...over,
  };
}

async function harness(env: Record<string, string> = {}) {
  h = await makeHarness({ TRUST_PROXY: '127.0.0.1', ...env }, NOW);
  return h;
}

/** Posts a batch as if from `address` (through the trusted proxy). */
function post(h: Harness, sightings: unknown[], address = '192.0.2.10', headers: Record<string, string> = {}) {
  return h.request('/v1/sightings', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address, ...headers },
    body: JSON.stringify({ sightings }),
  }, '127.0.0.1');
}

async function messages(h: Harness): Promise<OfficialMessage[]> {
  const res = await h.request('/v1/messages?site=x.com');
  const v = validateMessagesResponse(await res.json());
  if (!v.ok) throw new Error(JSON.stringify(v.problems));
  return v.value.messages;
}

const network = (n: number) => `198.51.${n}.7`;

describe('POST /v1/sightings', () => {
  it('publishes a post once k reporters from k networks sent the same text: x-sighting, handle, time, link, seenBy', async () => {
    const h = await harness();
    for (let i = 0; i < 2; i++) expect((await post(h, [sighting()], network(i))).status).toBe(202);
    expect(await messages(h)).toEqual([]);
    const res = await post(h, [sighting()], network(2));
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 1, duplicates: 0, rejected: 0 });
    const [m, ...rest] = await messages(h);
    expect(rest).toEqual([]);
    expect(m).toEqual({
      id: 'x-sighting:1866000000000000001',
      source: 'x-sighting',
      author: '@Support',
      text: TEXT,
      url: 'https://x.com/Support/status/1866000000000000001',
      publishedAt: NOW - 10 * 60_000,
      lang: 'en',
      seenBy: 3,
    });
    // A fourth agreeing reporter is counted.
    await post(h, [sighting()], network(3));
    expect((await messages(h))[0]!.seenBy).toBe(4);
    expect(((await (await h.request('/healthz')).json()) as { sightings: Record<string, number> }).sightings).toMatchObject({ accepted: 4, published: 1 });
  });

  it('one network with many pseudonyms never publishes', async () => {
    const h = await harness();
    for (let i = 0; i < 30; i++) expect((await post(h, [sighting()], `192.0.2.${i + 1}`)).status).toBe(202);
    expect(await messages(h)).toEqual([]);
  });

  it('one reporter on many networks never publishes, and a replay counts once', async () => {
    const h = await harness();
    const reporter = reporterId();
    const first = await post(h, [sighting({ reporter })], network(0));
    expect(await first.json()).toEqual({ accepted: 1, duplicates: 0, rejected: 0 });
    for (let i = 1; i < 10; i++) {
      const res = await post(h, [sighting({ reporter })], network(i));
      expect(await res.json()).toEqual({ accepted: 0, duplicates: 1, rejected: 0 });
    }
    // The same request body sent again (same id) is a duplicate too.
    const s = sighting();
    await post(h, [s], network(20));
    expect(await (await post(h, [s], network(21))).json()).toEqual({ accepted: 0, duplicates: 1, rejected: 0 });
    expect(await messages(h)).toEqual([]);
  });

  it('a forged text never appears: it cannot publish alone, does not block the real one, and is rejected and counted once the real one is out', async () => {
    const h = await harness();
    const forged = 'Support here: reset your password at https://evil.example';
    // Forgers come first, two of them (below k) on two networks.
    await post(h, [sighting({ text: forged })], network(50));
    await post(h, [sighting({ text: forged })], network(51));
    for (let i = 0; i < 3; i++) await post(h, [sighting()], network(i));
    const list = await messages(h);
    expect(list).toHaveLength(1);
    expect(list[0]!.text).toBe(TEXT);
    // After publication a different text (or handle, or time) for that id is refused.
    for (const over of [{ text: forged }, { handle: 'SupportHelp' }, { createdAt: NOW - 60_000 }]) {
      const res = await post(h, [sighting(over)], network(60));
      expect(res.status).toBe(202);
      expect(await res.json()).toEqual({ accepted: 0, duplicates: 0, rejected: 1 });
    }
    const stats = ((await (await h.request('/healthz')).json()) as { sightings: Record<string, number> }).sightings;
    expect(stats.rejected).toBe(3);
    expect(stats.contested).toBeGreaterThan(0);
    expect(JSON.stringify(await messages(h))).not.toContain('evil.example');
    // Even k forgers on k networks after the real one: refused.
    for (let i = 70; i < 75; i++) await post(h, [sighting({ text: forged })], network(i));
    expect(JSON.stringify(await messages(h))).not.toContain('evil.example');
  });

  it('k agreeing on different days do not add up (pseudonyms and network hashes are daily)', async () => {
    const h = await harness();
    for (let d = 0; d < 3; d++) {
      h.clock.now = NOW + d * 86_400_000;
      await post(h, [sighting({}, h.clock.now)], network(d));
    }
    expect(await messages(h)).toEqual([]);
  });

  it('SIGHTING_K sets k (never below 2); PRIVACY_K does not lower it', async () => {
    expect(loadConfig({}).sightingK).toBe(3);
    expect(() => loadConfig({ SIGHTING_K: '1' })).toThrow(/SIGHTING_K/);
    const h = await harness({ SIGHTING_K: '2', PRIVACY_K: '1' });
    await post(h, [sighting()], network(0));
    expect(await messages(h)).toEqual([]);
    await post(h, [sighting()], network(1));
    expect(await messages(h)).toHaveLength(1);
  });

  it('refuses posts by anyone but an official account, by id', async () => {
    const h = await harness();
    const res = await post(h, [sighting({ authorId: '44196397', handle: 'Support' })]);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; problems: { path: string }[] };
    expect(body.error).toBe('invalid_sighting');
    expect(body.problems.map((p) => p.path)).toEqual(['authorId']);
  });

  it.each([
    ['an unknown field', { url: 'https://x.com/someone' }, 'url'],
    ['a handle with @', { handle: '@Support' }, 'handle'],
    ['a post id that is not a number', { postId: '../1' }, 'postId'],
    ['an empty text', { text: ' ' }, 'text'],
    ['a text too long', { text: 'x'.repeat(4001) }, 'text'],
    ['a time not on the minute', { at: NOW + 1 }, 'at'],
    ['a bad reporter', { reporter: 'me' }, 'reporter'],
    ['another site', { site: 'example.com' }, 'site'],
  ])('answers 400 to %s, storing nothing', async (_what, over, path) => {
    const h = await harness();
    const res = await post(h, [sighting(), sighting(over as Partial<Sighting>)]);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; problems: { index: number; path: string }[] };
    expect(body.error).toBe('invalid_sighting');
    expect(body.problems.some((p) => p.path === path)).toBe(true);
    expect(await h.storage.sightingTallies('x.com', '1866000000000000001', '2026-12-05')).toEqual([]);
  });

  it('has the limits and errors of reports: 400 bad JSON and batch size, 413, 415, 429 with Retry-After, 503 while draining, 405', async () => {
    const h = await harness({ RATE_LIMIT_BURST: '3', RATE_LIMIT_PER_MINUTE: '1' });
    const raw = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
      h.request('/v1/sightings', { method: 'POST', headers: { 'x-forwarded-for': network(9), ...headers }, body }, '127.0.0.1');
    expect((await raw('{')).status).toBe(400);
    expect((await raw('x', { 'content-type': 'text/plain' })).status).toBe(415);
    const many = await raw(JSON.stringify({ sightings: [] }));
    expect(many.status).toBe(400);
    const limited = await raw(JSON.stringify({ sightings: [sighting()] }));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    const big = await post(h, [sighting({ text: 'x'.repeat(4000) })], network(10), { 'content-length': String(70 * 1024) });
    expect(big.status).toBe(413);
    expect((await post(h, Array.from({ length: 101 }, () => sighting()), network(11))).status).toBe(400);
    expect((await h.request('/v1/sightings')).status).toBe(405);
    h.services.drain();
    const draining = await post(h, [sighting()], network(12));
    expect(draining.status).toBe(503);
    expect(draining.headers.get('retry-after')).toBeTruthy();
  });
});
