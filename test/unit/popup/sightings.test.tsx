// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { App } from '../../../src/popup/App.tsx';
import { createMockApi } from '../../../src/popup/mock-api.ts';
import { setTranslator } from '../../../src/popup/i18n.ts';
import type { SeenPost } from '../../../src/shared/sightings.ts';
import { NOW, popupState } from '../background/fixtures.ts';
import { mount, useLocale } from './render.ts';

const now = () => NOW;
const seen: SeenPost = { postId: '1866000000000000001', authorId: '17874544', handle: 'Support', createdAt: NOW - 5 * 60_000, text: 'نحن على علم بالمشكلة', lang: 'ar' };

describe('popup: official posts seen on the user\'s own timeline', () => {
  beforeEach(() => useLocale('en'));
  afterEach(() => setTranslator(null));

  it('shows them labelled "seen on your timeline", even with the server unreachable, with dir="auto" and the post link', async () => {
    const s = popupState({ status: null, statusFetchedAt: null, statusError: 'timeout', messages: [], sightings: [seen] });
    const root = await mount(<App api={createMockApi(s)} now={now} />);
    const items = root.querySelectorAll('[data-testid="message"]');
    expect(items).toHaveLength(1);
    const li = items[0]!;
    expect(li.getAttribute('data-seen-here')).toBe('true');
    expect(li.getAttribute('dir')).toBe('auto');
    expect(li.getAttribute('lang')).toBe('ar');
    expect(li.textContent).toContain('@Support');
    expect(li.textContent).toContain(seen.text);
    expect(li.querySelector('[data-testid="message-source"]')!.textContent).toBe('seen on your timeline');
    expect(li.querySelector('a')!.getAttribute('href')).toBe('https://x.com/Support/status/1866000000000000001');
    expect(root.textContent).not.toContain('No official messages');
  });

  it('shows a post the server has published once, as the server\'s ("seen by N people")', async () => {
    const published = { id: `x-sighting:${seen.postId}`, source: 'x-sighting' as const, author: '@Support', text: seen.text, url: 'https://x.com/Support/status/1866000000000000001', publishedAt: seen.createdAt, lang: 'ar', seenBy: 4 };
    const other: SeenPost = { ...seen, postId: '1866000000000000002', text: 'Fixed.', lang: 'en' };
    const root = await mount(<App api={createMockApi(popupState({ messages: [published], sightings: [seen, other] }))} now={now} />);
    const items = [...root.querySelectorAll('[data-testid="message"]')];
    expect(items).toHaveLength(2);
    const sources = items.map((li) => li.querySelector('[data-testid="message-source"]')!.textContent);
    expect(sources.sort()).toEqual(['official account, seen by 4 people', 'seen on your timeline']);
    expect(items.filter((li) => li.textContent!.includes(seen.text))).toHaveLength(1);
  });
});
