import { afterEach, describe, expect, it } from 'vitest';
import { KEYS } from '../../../src/background/storage-keys.ts';
import { loadSightings, mergeSightings } from '../../../src/background/sightings.ts';
import { validateSightingBatch, type Sighting } from '../../../src/shared/sightings.ts';
import { FROM_PAGE, FROM_POPUP, json, makeBackground, startServer } from './fixtures-bg.ts';

const SUPPORT = '17874544';
const raw = (id: string, text = 'We are looking into it.', author = SUPPORT, handle = 'Support') => [id, author, handle, 'Thu Dec 04 18:51:57 +0000 2026', text, 'en', id, undefined];

describe('background: official posts seen here', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it('keeps only posts by official accounts, checked again, newest ten, without consent and without sending', async () => {
    const server = await startServer((_req, _body, res) => json(res, 202, { accepted: 1, duplicates: 0, rejected: 0 }));
    close = server.close;
    const { bg } = makeBackground({ defaultEndpoint: server.url });
    const posts = [
      raw('100'),
      raw('101', 'my lunch', '44196397', 'someone'), // not official
      raw('102', 'impostor', '44196397', 'Support'), // official handle, wrong id
      raw('103', 'RT @someone: their text'), // a retweet: someone else's text
      ['104', SUPPORT, 'Support', 'not a date', 'x', 'en'],
      { postId: '105' },
      ...Array.from({ length: 12 }, (_, i) => raw(String(200 + i))),
    ];
    const r = (await bg.handleMessage({ type: 'sighting', posts }, FROM_PAGE)) as { kept: number };
    expect(r.kept).toBe(13);
    const state = await bg.getState();
    expect(state.sightings).toHaveLength(10);
    expect(JSON.stringify(state.sightings)).not.toMatch(/someone|lunch|impostor|44196397/);
    expect(state.sightings.every((p) => p.authorId === SUPPORT && p.handle === 'Support')).toBe(true);
    await bg.flush();
    expect(server.received.filter((q) => q.url === '/v1/sightings')).toEqual([]);
  });

  it('refuses anything but an array of posts', async () => {
    const { bg } = makeBackground();
    await expect(bg.handleMessage({ type: 'sighting', posts: 'x' }, FROM_PAGE)).rejects.toThrow(/array/);
  });

  it('with consent, sends each once to POST /v1/sightings, valid by the server\'s rules; retries after a failure', async () => {
    let status = 503;
    const server = await startServer((req, _body, res) => {
      if (req.url === '/v1/sightings') return json(res, status, status === 202 ? { accepted: 1, duplicates: 0, rejected: 0 } : { error: 'unavailable' });
      return json(res, 503, {});
    });
    close = server.close;
    const { bg, clock, storage } = makeBackground({ defaultEndpoint: server.url });
    await bg.handleMessage({ type: 'setConsent', granted: true }, FROM_POPUP);
    await bg.handleMessage({ type: 'sighting', posts: [raw('300')] }, FROM_PAGE);
    const sent = () => server.received.filter((q) => q.url === '/v1/sightings');
    expect(sent()).toHaveLength(1);
    // Failed: not again before the retry time, then again.
    await bg.flush();
    expect(sent()).toHaveLength(1);
    clock.now += 61_000;
    status = 202;
    await bg.flush();
    expect(sent()).toHaveLength(2);
    const body = JSON.parse(sent()[1]!.body) as { sightings: Sighting[] };
    expect(validateSightingBatch(body).ok).toBe(true);
    expect(body.sightings[0]).toMatchObject({ postId: '300', authorId: SUPPORT, handle: 'Support', site: 'x.com', text: 'We are looking into it.' });
    expect(loadSightings(storage.data.get(KEYS.sightings)).items[0]!.shared).toBe(true);
    clock.now += 61_000;
    await bg.flush();
    expect(sent()).toHaveLength(2);
  });

  it('a post already kept is not replaced by another text for the same id', () => {
    const a = mergeSightings({ items: [], retryAt: null }, [raw('400', 'first')], 1).state;
    const b = mergeSightings(a, [raw('400', 'forged')], 2);
    expect(b.added).toBe(0);
    expect(b.state.items[0]!.post.text).toBe('first');
  });
});
