import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import { validateObservation } from '../../../src/background/observation-validation.ts';
import { listenToPage, parsePageMessage } from '../../../src/content/page-bridge.ts';
import type { Observation } from '../../../src/shared/runtime-messages.ts';
import { PAGE_CHANNEL } from '../../../src/shared/runtime-messages.ts';

const valid = { feature: 'timeline', signal: 'http_5xx', status: 200, op: 'HomeTimeline', code: 'x:LoadShed' };

describe('parsePageMessage', () => {
  it('accepts a well-formed message and rebuilds it with source page', () => {
    expect(parsePageMessage({ channel: PAGE_CHANNEL, observation: valid })).toEqual({ ...valid, source: 'page' });
    expect(parsePageMessage({ channel: PAGE_CHANNEL, observation: { feature: 'dm', signal: 'ok' } })).toEqual({ feature: 'dm', signal: 'ok', source: 'page' });
  });

  it('drops fields the protocol does not name', () => {
    const o = parsePageMessage({ channel: PAGE_CHANNEL, observation: { ...valid, url: 'https://x.com/someone', source: 'dom' }, extra: 1 });
    expect(o).toEqual({ ...valid, source: 'page' });
  });

  it.each([
    ['wrong channel', { channel: 'other', observation: valid }],
    ['no observation', { channel: PAGE_CHANNEL }],
    ['null', null],
    ['string', 'outage-radar:page-v1'],
  ])('refuses %s', (_name, data) => {
    expect(parsePageMessage(data)).toBeNull();
  });

  // The values are checked once, by the background (the trust boundary of every content script
  // message): what the bridge rebuilds from a bad value never passes validateObservation.
  it.each([
    ['array observation', { channel: PAGE_CHANNEL, observation: [] }],
    ['unknown feature', { channel: PAGE_CHANNEL, observation: { ...valid, feature: 'home' } }],
    ['unknown signal', { channel: PAGE_CHANNEL, observation: { ...valid, signal: 'down' } }],
    ['manual from the page', { channel: PAGE_CHANNEL, observation: { ...valid, signal: 'manual' } }],
    ['status not an integer', { channel: PAGE_CHANNEL, observation: { ...valid, status: '503' } }],
    ['status out of range', { channel: PAGE_CHANNEL, observation: { ...valid, status: 1000 } }],
    ['op with a path', { channel: PAGE_CHANNEL, observation: { ...valid, op: 'graphql/abc/HomeTimeline' } }],
    ['code with a URL', { channel: PAGE_CHANNEL, observation: { ...valid, code: 'https://x.com/a?b=c' } }],
    ['code with text', { channel: PAGE_CHANNEL, observation: { ...valid, code: 'hello world' } }],
  ])('%s: rebuilt, then refused by the background', (_name, data) => {
    const o = parsePageMessage(data);
    expect(o === null || !validateObservation(JSON.parse(JSON.stringify(o))).ok).toBe(true);
  });
});

describe('listenToPage', () => {
  function setup() {
    const dom = new JSDOM('<!DOCTYPE html><iframe></iframe>', { url: 'https://x.com/home' });
    const got: Observation[] = [];
    const posts: unknown[] = [];
    const stop = listenToPage(dom.window as unknown as Window, (o) => got.push(o), (p) => posts.push(p));
    return { dom, got, posts, stop };
  }
  const dispatch = (win: JSDOM['window'], data: unknown, init: { source?: unknown; origin?: string }) =>
    win.dispatchEvent(new win.MessageEvent('message', { data, origin: init.origin ?? 'https://x.com', source: init.source as never }));

  it('forwards messages from its own window and origin only, until stopped', () => {
    const { dom, got, stop } = setup();
    const msg = { channel: PAGE_CHANNEL, observation: valid };
    dispatch(dom.window, msg, { source: dom.window });
    dispatch(dom.window, msg, { source: dom.window.frames[0] });
    dispatch(dom.window, msg, { source: null });
    dispatch(dom.window, msg, { source: dom.window, origin: 'https://evil.example' });
    expect(got).toEqual([{ ...valid, source: 'page' }]);
    stop();
    dispatch(dom.window, msg, { source: dom.window });
    expect(got).toHaveLength(1);
  });

  it('hands official posts on as they are (the background checks them), from its own window only', () => {
    const { dom, got, posts } = setup();
    const raw = [['1', '17874544', 'Support', 'Thu Dec 04 18:51:57 +0000 2026', 'hello', 'en']];
    dispatch(dom.window, { channel: PAGE_CHANNEL, posts: raw }, { source: dom.window });
    dispatch(dom.window, { channel: PAGE_CHANNEL, posts: raw }, { source: dom.window, origin: 'https://evil.example' });
    dispatch(dom.window, { channel: PAGE_CHANNEL, posts: 'nope' }, { source: dom.window });
    expect(posts).toEqual([raw]);
    expect(got).toEqual([]);
  });
});
