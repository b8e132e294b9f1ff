// @vitest-environment jsdom
/** The popup's official messages: a label per source, newest first, dir="auto", only http(s) links. */
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../../src/popup/App.tsx';
import { createMockApi } from '../../../src/popup/mock-api.ts';
import { setTranslator } from '../../../src/popup/i18n.ts';
import type { OfficialMessage } from '../../../src/shared/protocol.ts';
import { NOW, popupState } from '../background/fixtures.ts';
import { mount, useLocale } from './render.ts';

const now = () => NOW;

function msg(id: string, source: string, minutesAgo: number, extra: Record<string, unknown> = {}): OfficialMessage {
  return {
    id,
    source: source as OfficialMessage['source'],
    author: `author ${id}`,
    text: `text ${id}`,
    url: `https://example.test/${id}`,
    publishedAt: NOW - minutesAgo * 60_000,
    lang: 'en',
    ...extra,
  } as OfficialMessage;
}

const MIXED = [
  msg('op', 'operator', 50),
  msg('feed', 'feed', 5),
  msg('sp', 'statuspage', 20),
  msg('seen', 'x-sighting', 1, { seenBy: 7 }),
  msg('api', 'x-api', 10, { url: 'javascript:alert(1)' }),
];

async function items(): Promise<HTMLElement[]> {
  const root = await mount(<App api={createMockApi(popupState({ messages: MIXED }))} now={now} />);
  return [...root.querySelectorAll<HTMLElement>('[data-testid="message"]')];
}

describe('popup messages', () => {
  afterEach(() => setTranslator(null));

  it('labels each message with its source and lists the newest first', async () => {
    useLocale('en');
    const list = await items();
    expect(list.map((li) => li.getAttribute('data-source'))).toEqual(['x-sighting', 'feed', 'x-api', 'statuspage', 'operator']);
    expect(list.map((li) => li.querySelector('[data-testid="message-source"]')!.textContent)).toEqual([
      'official account, seen by 7 people',
      'feed',
      'X API',
      'status page',
      "this server's operator",
    ]);
    // The author stays next to the label: a feed's author is the feed's title, not the source.
    expect(list[1]!.textContent).toContain('author feed');
  });

  it('keeps dir="auto" on every message and links only http(s) addresses', async () => {
    useLocale('en');
    const list = await items();
    expect(list.every((li) => li.getAttribute('dir') === 'auto')).toBe(true);
    expect(list.every((li) => li.querySelector('[data-testid="message-source"]')!.getAttribute('dir') === 'auto')).toBe(true);
    const apiItem = list.find((li) => li.getAttribute('data-source') === 'x-api')!;
    expect(apiItem.querySelector('a')).toBeNull();
    const hrefs = list.flatMap((li) => [...li.querySelectorAll('a')].map((a) => a.getAttribute('href')));
    expect(hrefs).toHaveLength(4);
    expect(hrefs.every((h) => /^https?:\/\//.test(h ?? ''))).toBe(true);
  });

  it('labels in the popup language', async () => {
    useLocale('ar', 'rtl');
    const list = await items();
    const labels = list.map((li) => li.querySelector('[data-testid="message-source"]')!.textContent);
    expect(labels[0]).toBe('حساب رسمي — عدد من شاهده: 7');
    expect(labels[3]).toBe('صفحة الحالة');
  });
});
