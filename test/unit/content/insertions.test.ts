/**
 * The glue between the style engine and the runtime, on jsdom with the events a browser would
 * dispatch (the real browsers are exercised by the e2e corpus scenario and bench:content).
 */
import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import { browserInsertions, sentinelAnimation, styleInsertions } from '../../../src/content/insertions.ts';

const SELECTORS = ['[data-testid="primaryColumn"] [data-testid="error-detail"]', '[data-testid="videoPlayer"]'];

function page() {
  const dom = new JSDOM('<!doctype html><html><body><main><div data-testid="primaryColumn"></div></main><div id="layers"></div></body></html>', {
    url: 'https://x.com/home',
    pretendToBeVisual: true,
  });
  const win = dom.window as unknown as Window & typeof globalThis;
  const doc = win.document;
  let hidden = false;
  Object.defineProperty(doc, 'hidden', { configurable: true, get: () => hidden });
  const setHidden = (h: boolean) => {
    hidden = h;
    doc.dispatchEvent(new win.Event('visibilitychange'));
  };
  /** Fires an animation event at `el` the way the browser does (bubbling through the window's capture phase). */
  const animate = (el: Element, type: string, animationName = sentinelAnimation('full-page-error')) => {
    const event = new win.Event(type, { bubbles: true });
    Object.defineProperty(event, 'animationName', { value: animationName });
    el.dispatchEvent(event);
  };
  const column = doc.querySelector('[data-testid="primaryColumn"]')!;
  return { win, doc, column, setHidden, animate };
}

describe('styleInsertions', () => {
  it("announces the sentinel animation's element and keeps all of that animation's events from the page", () => {
    const { win, doc, column, animate } = page();
    const announced: Element[] = [];
    const detectors: Array<string | undefined> = [];
    const stop = styleInsertions(win)((el, id) => {
      announced.push(el);
      detectors.push(id);
    });
    // The page's listeners come after the content script's (it starts at document_start).
    const pageSaw: string[] = [];
    for (const type of ['animationstart', 'animationend', 'animationcancel', 'animationiteration']) {
      win.addEventListener(type, (e) => pageSaw.push(`window ${e.type} ${(e as AnimationEvent).animationName}`), true);
      doc.addEventListener(type, (e) => pageSaw.push(`document ${e.type} ${(e as AnimationEvent).animationName}`));
    }
    const card = column.appendChild(doc.createElement('div'));
    card.setAttribute('data-testid', 'error-detail');
    for (const type of ['animationstart', 'animationiteration', 'animationend', 'animationcancel']) animate(card, type);
    expect(announced).toEqual([card]);
    expect(detectors).toEqual(['full-page-error']); // the animation's name says whose candidate it is
    expect(pageSaw).toEqual([]);
    // X's own animations reach X untouched.
    animate(card, 'animationstart', 'r-fade-in');
    expect(pageSaw).toEqual(['window animationstart r-fade-in', 'document animationstart r-fade-in']);
    expect(announced).toHaveLength(1);

    // Stopped (detection shut down): nothing is announced, and the page still never sees the
    // sentinel's events, because the stylesheet stays in the page.
    stop();
    animate(card, 'animationstart');
    animate(card, 'animationend');
    expect(announced).toHaveLength(1);
    expect(pageSaw).toHaveLength(2);
  });
});

describe('browserInsertions', () => {
  it('announces candidates from added nodes only while the tab is hidden', async () => {
    const { win, doc, column, setHidden, animate } = page();
    const announced: string[] = [];
    const stop = browserInsertions(win, SELECTORS)((el) => announced.push(el.getAttribute('data-testid') ?? ''));
    const settle = () => new Promise<void>((r) => setTimeout(r, 0));

    // Visible: an inserted candidate is the style engine's to announce, not a MutationObserver's.
    column.insertAdjacentHTML('beforeend', '<div data-testid="videoPlayer"></div>');
    await settle();
    expect(announced).toEqual([]);
    animate(column.lastElementChild!, 'animationstart');
    expect(announced).toEqual(['videoPlayer']);

    // Hidden (a background tab is not rendered): added nodes are looked at instead, and what was
    // already there is not scanned again.
    setHidden(true);
    await settle();
    expect(announced).toEqual(['videoPlayer']);
    column.insertAdjacentHTML('beforeend', '<section><div data-testid="error-detail"><span>Something went wrong.</span></div></section>');
    doc.getElementById('layers')!.insertAdjacentHTML('beforeend', '<div data-testid="videoPlayer"></div>'); // #layers: not ours here
    await settle();
    expect(announced).toEqual(['videoPlayer', 'error-detail']);

    // Shown again: back to the style engine alone.
    setHidden(false);
    column.insertAdjacentHTML('beforeend', '<div data-testid="videoPlayer"></div>');
    await settle();
    expect(announced).toEqual(['videoPlayer', 'error-detail']);

    stop();
    setHidden(true);
    column.insertAdjacentHTML('beforeend', '<div data-testid="videoPlayer"></div>');
    await settle();
    expect(announced).toEqual(['videoPlayer', 'error-detail']);
  });

  it('starts on the fallback in a tab that is hidden from the start', async () => {
    const { win, column, setHidden } = page();
    setHidden(true);
    const announced: Element[] = [];
    const stop = browserInsertions(win, SELECTORS)((el) => announced.push(el));
    column.insertAdjacentHTML('beforeend', '<div data-testid="error-detail"></div>');
    await new Promise<void>((r) => setTimeout(r, 0));
    expect(announced).toHaveLength(1);
    stop();
  });
});
