// @vitest-environment node
/**
 * X is a single-page app left open for hours: thousands of SPA navigations, each with a new
 * primary column, toasts coming and going. Observers, listeners and tracked nodes must stay
 * bounded, and the nodes X throws away must stay collectable (node tracking is weak).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { JSDOM } from 'jsdom';
import { DETECTORS } from '../../../src/content/detectors/index.ts';
import { startDetection } from '../../../src/content/runtime.ts';
import type { Observation } from '../../../src/shared/runtime-messages.ts';
import { fixtureHtml, jsdomInsertions, nextTask, splitFixture, stringsFromDisk } from './dom-harness.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const NAVIGATIONS = 2000;

/** Counts live observers and listeners of a jsdom window by wrapping its constructors and methods. */
function instrument(win: Window & typeof globalThis) {
  const live = new Set<MutationObserver>();
  let created = 0;
  const Base = win.MutationObserver;
  class Counted extends Base {
    constructor(cb: MutationCallback) {
      super(cb);
      created += 1;
    }
    override observe(target: Node, init?: MutationObserverInit) {
      live.add(this);
      super.observe(target, init);
    }
    override disconnect() {
      live.delete(this);
      super.disconnect();
    }
  }
  win.MutationObserver = Counted;
  const listeners = new Map<string, number>();
  const add = win.addEventListener.bind(win);
  const remove = win.removeEventListener.bind(win);
  win.addEventListener = ((type: string, fn: EventListener, o?: AddEventListenerOptions) => {
    listeners.set(type, (listeners.get(type) ?? 0) + 1);
    add(type, fn, o);
  }) as typeof win.addEventListener;
  win.removeEventListener = ((type: string, fn: EventListener, o?: EventListenerOptions) => {
    listeners.set(type, (listeners.get(type) ?? 0) - 1);
    remove(type, fn, o);
  }) as typeof win.removeEventListener;
  return { live, created: () => created, listeners: () => [...listeners.values()].reduce((a, b) => a + b, 0) };
}

describe('a long session on x.com', () => {
  it(`stays bounded over ${NAVIGATIONS} SPA navigations with banners, and lets removed nodes go`, async () => {
    const { shell, layers: toastHtml } = splitFixture(fixtureHtml('en-toast-rate-limited.html'));
    const timeline = splitFixture(fixtureHtml('en-timeline-error.html')).primary;
    const dom = new JSDOM(shell, { url: 'https://x.com/home', pretendToBeVisual: true });
    // In place before the runtime starts, which takes the window's MutationObserver.
    const counts = instrument(dom.window as unknown as Window & typeof globalThis);
    const emitted: Observation[] = [];
    const detection = startDetection({ doc: dom.window.document, detectors: DETECTORS, strings: stringsFromDisk(), emit: (o) => emitted.push(o), schedule: nextTask, insertions: jsdomInsertions(dom.window.document) });

    const win = dom.window;
    const doc = win.document;
    const gone: WeakRef<Element>[] = [];
    let maxObservers = 0;
    let maxListeners = 0;
    let maxPending = 0;
    let maxTasks = 0;
    for (let i = 0; i < NAVIGATIONS; i++) {
      win.history.pushState({}, '', `/page/${i}`);
      // X swaps the primary column (or its content) and the title on every route.
      const column = doc.querySelector('[data-testid="primaryColumn"]')!;
      if (i % 2 === 0) {
        const fresh = doc.createElement('div');
        fresh.setAttribute('data-testid', 'primaryColumn');
        column.replaceWith(fresh);
        gone.push(new WeakRef(column));
      } else {
        column.innerHTML = i % 10 === 1 ? timeline : `<div data-testid="cellInnerDiv"><article data-testid="tweet"><span>post ${i}</span></article></div>`;
      }
      doc.title = `Page ${i} / X`;
      // A banner every fifth route: a toast that X removes again before the next one.
      const layers = doc.getElementById('layers')!;
      const old = layers.firstElementChild;
      if (old) {
        gone.push(new WeakRef(old));
        old.remove();
      }
      if (i % 5 === 0) layers.innerHTML = toastHtml;
      await detection.idle();
      maxObservers = Math.max(maxObservers, counts.live.size);
      maxListeners = Math.max(maxListeners, counts.listeners());
      const t = detection.tracked();
      maxPending = Math.max(maxPending, t.pending);
      maxTasks = Math.max(maxTasks, t.tasks);
    }
    // Whatever the route, at most: title, layers, jsdom's stand-in for the sentinel stylesheet
    // (mutationInsertions) and the page-scoped widgets observer.
    expect(maxObservers).toBeLessThanOrEqual(4);
    expect(detection.observers()).toEqual(['layers', 'title']);
    expect(counts.live.size).toBe(3);
    // Nothing is re-created per route: the primary column is the style engine's to watch.
    expect(counts.created()).toBeLessThanOrEqual(10);
    expect(maxListeners).toBe(1); // popstate
    expect(maxPending).toBe(0);
    expect(maxTasks).toBe(0);
    // Every toast (a new widget each time) and every inline timeline error was reported once.
    expect(emitted.filter((o) => o.code === 'limit:rate_limited')).toHaveLength(NAVIGATIONS / 5);
    expect(emitted.filter((o) => o.code === 'banner:timeline_error')).toHaveLength(NAVIGATIONS / 10);

    // The nodes X removed, reported widgets included, are not kept alive by the runtime.
    await new Promise((r) => setTimeout(r, 0));
    gc();
    await new Promise((r) => setTimeout(r, 0));
    gc();
    const alive = gone.filter((ref) => ref.deref() !== undefined).length;
    expect(gone).toHaveLength(NAVIGATIONS / 2 + NAVIGATIONS / 5);
    expect(alive).toBeLessThanOrEqual(2);

    detection.stop();
    expect(counts.live.size).toBe(0);
    expect(counts.listeners()).toBe(0);
    win.close();
  }, 120_000);
});
