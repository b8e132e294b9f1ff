import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
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
    ['array observation', { channel: PAGE_CHANNEL, observation: [] }],
    ['unknown feature', { channel: PAGE_CHANNEL, observation: { ...valid, feature: 'home' } }],
    ['unknown signal', { channel: PAGE_CHANNEL, observation: { ...valid, signal: 'down' } }],
    ['manual from the page', { channel: PAGE_CHANNEL, observation: { ...valid, signal: 'manual' } }],
    ['status not an integer', { channel: PAGE_CHANNEL, observation: { ...valid, status: '503' } }],
    ['status out of range', { channel: PAGE_CHANNEL, observation: { ...valid, status: 1000 } }],
    ['op with a path', { channel: PAGE_CHANNEL, observation: { ...valid, op: 'graphql/abc/HomeTimeline' } }],
    ['code with a URL', { channel: PAGE_CHANNEL, observation: { ...valid, code: 'https://x.com/a?b=c' } }],
    ['code with text', { channel: PAGE_CHANNEL, observation: { ...valid, code: 'hello world' } }],
    ['null', null],
    ['string', 'outage-radar:page-v1'],
  ])('refuses %s', (_name, data) => {
    expect(parsePageMessage(data)).toBeNull();
  });
});

describe('listenToPage', () => {
  function setup() {
    const dom = new JSDOM('<!DOCTYPE html><iframe></iframe>', { url: 'https://x.com/home' });
    const got: Observation[] = [];
    const stop = listenToPage(dom.window as unknown as Window, (o) => got.push(o));
    return { dom, got, stop };
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
    dispatch(dom.window, { channel: PAGE_CHANNEL, observation: { ...valid, feature: 'nope' } }, { source: dom.window });
    expect(got).toEqual([{ ...valid, source: 'page' }]);
    stop();
    dispatch(dom.window, msg, { source: dom.window });
    expect(got).toHaveLength(1);
  });
});
