/**
 * The detection runtime's lifecycle on jsdom: once per widget, SPA navigation, teardown, a
 * failing detector, lazy strings, and no rescans of the whole document.
 */
import { describe, expect, it } from 'vitest';
import type { RegisteredDetector } from '../../../src/content/detector.ts';
import { DETECTORS } from '../../../src/content/detectors/index.ts';
import { fixtureHtml, run, splitFixture, withoutSource } from './dom-harness.ts';

const timelineError = { feature: 'timeline', signal: 'banner', code: 'banner:timeline_error' };

function shellOf(file: string) {
  return splitFixture(fixtureHtml(file));
}

describe('startDetection', () => {
  it('reports one widget once, however often React touches it, and a new widget again', async () => {
    const { shell, primary } = shellOf('en-primary-error.html');
    const h = run(shell, '/home');
    const column = h.doc.querySelector('[data-testid="primaryColumn"]')!;
    column.innerHTML = primary;
    await h.detection.idle();
    const card = column.querySelector('[data-testid="error-detail"]')!;
    card.appendChild(h.doc.createElement('span')).textContent = ' ';
    card.querySelector('span')!.textContent = 'Something went wrong. Try reloading.';
    await h.detection.idle();
    expect(withoutSource(h.emitted)).toEqual([timelineError]);
    column.innerHTML = primary; // a fresh card: a new failure shown
    await h.detection.idle();
    expect(withoutSource(h.emitted)).toEqual([timelineError, timelineError]);
    h.detection.stop();
  });

  it('finds a message that arrives after its widget (text swapped into an existing toast)', async () => {
    const { shell } = shellOf('en-toast-rate-limited.html');
    const h = run(shell, '/home');
    const layers = h.doc.getElementById('layers')!;
    layers.innerHTML = '<div><div data-testid="toast" role="alert"><div><span></span></div></div></div>';
    await h.detection.idle();
    expect(h.emitted).toEqual([]);
    layers.querySelector('span')!.appendChild(h.doc.createTextNode('Sorry, you are rate limited. Please wait a few moments then try again.'));
    await h.detection.idle();
    expect(withoutSource(h.emitted)).toEqual([{ feature: 'timeline', signal: 'banner', code: 'limit:rate_limited' }]);
    h.detection.stop();
  });

  it('finds a message that arrives after its card, outside #layers, watching only that card', async () => {
    const { shell } = shellOf('en-primary-error.html');
    const h = run(shell, '/home');
    const column = h.doc.querySelector('[data-testid="primaryColumn"]')!;
    column.innerHTML = '<div data-testid="error-detail"><span></span></div>';
    await h.detection.idle();
    expect(h.emitted).toEqual([]);
    expect(h.detection.observers()).toEqual(['layers', 'title', 'widgets']);
    // The page's other churn is not the card's: nothing is queued for it.
    column.insertAdjacentHTML('beforeend', '<div data-testid="cellInnerDiv"><article data-testid="tweet"><span>post</span></article></div>');
    await new Promise<void>((r) => queueMicrotask(r)); // after the observers' callbacks
    expect(h.detection.tracked().pending).toBe(0);
    column.querySelector('[data-testid="error-detail"] span')!.appendChild(h.doc.createTextNode('Something went wrong. Try reloading.'));
    await h.detection.idle();
    expect(withoutSource(h.emitted)).toEqual([timelineError]);
    h.detection.stop();
  });

  it('tears page-scoped observers down on SPA navigation and uses the new route', async () => {
    const { shell, primary, layers } = shellOf('en-toast-rate-limited.html');
    const h = run(shell, '/home');
    await h.detection.idle();
    const column = h.doc.querySelector('[data-testid="primaryColumn"]')!;
    // An error card whose message has not arrived: its subtree is watched, for this route only.
    column.insertAdjacentHTML('beforeend', '<div data-testid="error-detail"><span></span></div>');
    await h.detection.idle();
    expect(h.detection.observers()).toEqual(['layers', 'title', 'widgets']);
    // X swaps the primary column on this navigation.
    h.dom.window.history.pushState({}, '', '/messages');
    const fresh = h.doc.createElement('div');
    fresh.setAttribute('data-testid', 'primaryColumn');
    column.replaceWith(fresh);
    h.doc.title = 'Messages / X';
    await h.detection.idle();
    expect(h.detection.observers()).toEqual(['layers', 'title']);
    fresh.innerHTML = primary;
    h.doc.getElementById('layers')!.innerHTML = layers;
    await h.detection.idle();
    // The rate-limit string names no feature: it comes from the new path, /messages -> dm.
    expect(withoutSource(h.emitted)).toEqual([{ feature: 'dm', signal: 'banner', code: 'limit:rate_limited' }]);
    // Errors inside the new column are seen too.
    fresh.innerHTML = shellOf('en-primary-error.html').primary;
    await h.detection.idle();
    expect(withoutSource(h.emitted)).toEqual([{ feature: 'dm', signal: 'banner', code: 'limit:rate_limited' }, timelineError]);
    h.detection.stop();
  });

  it('drops a result worked out for the previous route; the card, still shown, is judged again', async () => {
    let release!: () => void;
    let started!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const inspecting = new Promise<void>((r) => (started = r));
    let calls = 0;
    const slow: RegisteredDetector = {
      id: 'slow',
      selector: '[data-testid="primaryColumn"] [data-testid="error-detail"]',
      widget: (c) => c,
      inspect: async () => {
        calls += 1;
        const call = calls;
        started();
        await gate;
        return { feature: 'timeline', signal: 'banner', code: `banner:slow${call}` };
      },
    };
    const h = run(fixtureHtml('en-primary-error.html'), '/home', [slow]);
    await inspecting;
    h.dom.window.history.pushState({}, '', '/explore');
    h.dom.window.dispatchEvent(new h.dom.window.PopStateEvent('popstate'));
    release();
    await h.detection.idle();
    expect(h.emitted.map((o) => o.code)).toEqual(['banner:slow2']);
    h.detection.stop();
  });

  it('keeps the other detectors working when one throws', async () => {
    const throwsInWidget: RegisteredDetector = { id: 'bad-widget', selector: '[data-testid="error-detail"]', widget: () => { throw new Error('widget'); }, inspect: async () => null };
    const throwsInInspect: RegisteredDetector = { id: 'bad-inspect', selector: '[data-testid="cellInnerDiv"]', widget: (c) => c, inspect: () => Promise.reject(new Error('inspect')) };
    const badSelector: RegisteredDetector = { id: 'bad-selector', selector: '[data-testid="toast"]', widget: (c) => c, inspect: async () => null };
    const h = run(fixtureHtml('en-timeline-error.html'), '/home', [throwsInWidget, throwsInInspect, badSelector, ...DETECTORS]);
    const column = h.doc.querySelector('[data-testid="primaryColumn"]')!;
    column.insertAdjacentHTML('afterbegin', '<div data-testid="error-detail"><span>?</span></div>');
    await h.detection.idle();
    expect(withoutSource(h.emitted)).toEqual([timelineError]);
    expect(h.errors.map(([id]) => id).sort()).toEqual(expect.arrayContaining(['bad-inspect', 'bad-widget']));
    h.detection.stop();
  });

  it('loads strings only when a candidate appears, and only the page language', async () => {
    const { shell, primary } = shellOf('fr-timeline-error.html');
    const h = run(shell, '/home');
    const column = h.doc.querySelector('[data-testid="primaryColumn"]')!;
    column.innerHTML = shellOf('fr-video-replay.html').primary.replace(/data-testid="videoPlayer"/g, 'data-testid="x"').replace(/<button role="button" aria-label="Replay"[\s\S]*?<\/button>/g, '');
    await h.detection.idle();
    expect(h.fetched).toEqual([]);
    column.innerHTML = primary;
    await h.detection.idle();
    expect(h.fetched.sort()).toEqual(['fr.json', 'index.json']);
    expect(withoutSource(h.emitted)).toEqual([timelineError]);
    h.detection.stop();
  });

  it('never rescans the whole document while the timeline grows', async () => {
    const { shell } = shellOf('en-timeline-error.html');
    const h = run(shell, '/home');
    await h.detection.idle();
    const proto = h.dom.window.Document.prototype;
    const original = proto.querySelectorAll;
    let documentScans = 0;
    proto.querySelectorAll = function (this: Document, selectors: string) {
      documentScans += 1;
      return original.call(this, selectors);
    } as typeof proto.querySelectorAll;
    const list = h.doc.querySelector('[data-testid="primaryColumn"]')!;
    for (let i = 0; i < 50; i++) {
      list.insertAdjacentHTML('beforeend', `<div data-testid="cellInnerDiv"><article data-testid="tweet"><span>post ${i}</span></article></div>`);
      if (i % 10 === 0) await h.detection.idle();
    }
    await h.detection.idle();
    proto.querySelectorAll = original;
    expect(documentScans).toBe(0);
    expect(h.emitted).toEqual([]);
    h.detection.stop();
  });

  it('stops completely: observers disconnected, nothing emitted afterwards', async () => {
    const { shell, primary } = shellOf('en-primary-error.html');
    const h = run(shell, '/home');
    await h.detection.idle();
    h.detection.stop();
    expect(h.detection.observers()).toEqual([]);
    h.doc.querySelector('[data-testid="primaryColumn"]')!.innerHTML = primary;
    await h.detection.idle();
    expect(h.emitted).toEqual([]);
  });

  it('finds the card on pages that render the primary column late, watching only #layers meanwhile', async () => {
    const { shell, primary } = shellOf('en-primary-error.html');
    const h = run(shell.replace(/<div data-testid="primaryColumn">\s*<\/div>/, ''), '/home');
    await h.detection.idle();
    expect(h.detection.observers()).toEqual(['layers', 'title']);
    h.doc.querySelector('main')!.insertAdjacentHTML('afterbegin', `<div><div data-testid="primaryColumn">${primary}</div></div>`);
    await h.detection.idle();
    expect(h.detection.observers()).toEqual(['layers', 'title']);
    expect(withoutSource(h.emitted)).toEqual([timelineError]);
    h.detection.stop();
  });
});
