/**
 * Runs the DOM detectors on x.com without watching its busiest parts: no code of ours runs for
 * the timeline's posts, counters and timestamps, and the only document-wide selector query is
 * one over <main> per SPA navigation.
 *
 * - Candidates outside #layers (the error card, the timeline's Retry cell, players, DM entries,
 *   alerts) come from an InsertionSource (insertions.ts): in the browser the style engine matches
 *   them and announces each with an animation event.
 * - #layers (toasts, dialogs) is quiet: the `layers` observer looks at its added nodes, queueing
 *   one only when it is, holds or sits inside a candidate (one native selector match each).
 *   `finder` watches the document's added nodes only until #layers exists (it may come after
 *   #react-root). `title` and popstate notice SPA navigations.
 * - A widget whose text is not (yet) a message to report is watched by the page-scoped `widgets`
 *   observer (its own subtree, added nodes only) until the page changes, because X fills some in
 *   later; video players are not (media-error.ts says why). Navigation tears that observer down
 *   and the app's candidates are looked at once more under the new route.
 * - Queued nodes from observers are handled once per animation frame; announced candidates at
 *   once. Candidates are selected with the same combined selector and only their text is read.
 * - Each detector runs in its own try/catch with the page's AbortSignal; a widget reports once.
 */
import { pageFeature } from '../shared/x-endpoints.ts';
import type { Observation } from '../shared/runtime-messages.ts';
import type { DetectorContext, RegisteredDetector } from './detector.ts';
import type { InsertionSource } from './insertions.ts';
import type { Finding } from './judge.ts';
import type { StringTable } from './strings.ts';
import * as SELECTORS from './selectors.ts';

export interface DetectionOptions {
  doc: Document;
  detectors: readonly RegisteredDetector[];
  /** Strings for a page language (loaded lazily, cached by the loader). */
  strings: (lang: string) => Promise<StringTable | null>;
  emit: (observation: Observation) => void;
  /** Candidates appearing outside #layers: styleInsertions in the browser, mutationInsertions without a style engine. */
  insertions: InsertionSource;
  /** Runs a batch later; defaults to the next animation frame (a timer while the tab is hidden). */
  schedule?: (run: () => void) => void;
  /** A detector failed; it is reported here and the others go on. */
  onError?: (detectorId: string, error: unknown) => void;
}

export interface Detection {
  stop(): void;
  /** Resolves once every queued batch and running inspection has finished (for tests and tools). */
  idle(): Promise<void>;
  /** Names of the observers currently attached. */
  observers(): string[];
  /**
   * What is held strongly right now: nodes queued for the next frame and inspections in flight.
   * Everything else keyed by a node (widgets reported, widgets being inspected) is a WeakSet, so
   * nodes X removes are collectable however long the tab stays open.
   */
  tracked(): { pending: number; tasks: number };
}

const MUTATIONS: MutationObserverInit = { childList: true, subtree: true };

export function startDetection(opts: DetectionOptions): Detection {
  const { doc, detectors, emit } = opts;
  const win = doc.defaultView;
  const onError = opts.onError ?? (() => {});
  const schedule =
    opts.schedule ??
    ((run: () => void) => {
      if (doc.hidden || !win) {
        setTimeout(run, 200);
        return;
      }
      // A tab hidden after the frame was asked for gets no frame until it is shown again, maybe
      // never (a tab opened and left behind): a timer makes sure the batch still runs, once.
      let done = false;
      const once = () => {
        if (done) return;
        done = true;
        win.cancelAnimationFrame(frameId);
        clearTimeout(timer);
        run();
      };
      const frameId = win.requestAnimationFrame(once);
      const timer = setTimeout(once, 500);
    });
  const combined = detectors.map((d) => d.selector).join(', ');
  // The document's own constructor: the content script and test windows each have theirs.
  const MO: typeof MutationObserver = (win as (Window & typeof globalThis) | null)?.MutationObserver ?? MutationObserver;

  const observers = new Map<string, MutationObserver>();
  const pending = new Set<Element>();
  const reported = new WeakSet<Element>();
  // Per detector: one detector still busy with a widget must not keep another from looking at it.
  const inspecting = new Map(detectors.map((d) => [d.id, new WeakSet<Element>()]));
  const tasks = new Set<Promise<void>>();
  let frame: Promise<void> | null = null;
  let stopped = false;
  let layers: Element | null = null;
  let href = doc.location?.href ?? '';
  let page = new AbortController();

  const observe = (name: string, target: Node, init: MutationObserverInit, onRecords: (r: MutationRecord[]) => void) => {
    observers.get(name)?.disconnect();
    const mo = new MO((records) => {
      if (!stopped) onRecords(records);
    });
    mo.observe(target, init);
    observers.set(name, mo);
  };
  const unobserve = (name: string) => {
    observers.get(name)?.disconnect();
    observers.delete(name);
  };

  const requestFrame = () => {
    if (frame || stopped) return;
    frame = new Promise<void>((resolve) => {
      schedule(() => {
        frame = null;
        try {
          flush();
        } finally {
          resolve();
        }
      });
    });
  };

  /** Whether `el` is or sits inside a candidate (the widget may have existed before its content). */
  const insideCandidate = (el: Element): boolean => {
    try {
      return el.closest(combined) !== null;
    } catch {
      return false; // an invalid selector matches nothing here; the containers' first scan in flush throws it
    }
  };
  const isCandidate = (el: Element): boolean => {
    try {
      return el.matches(combined);
    } catch {
      return false;
    }
  };
  const holdsCandidate = (el: Element): boolean => {
    try {
      return el.querySelector(combined) !== null;
    } catch {
      return false;
    }
  };

  // Runs for every mutation batch of the page's busiest containers: indexed loops (no iterator
  // objects), nothing allocated, one native selector match per added element and one per record
  // target. Nodes that cannot matter are not even queued, so no frame is requested for them.
  const enqueueAdded = (records: MutationRecord[]) => {
    if (!combined) return;
    let queued = false;
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!;
      const added = record.addedNodes;
      const count = added.length;
      if (count === 0) continue;
      const target = record.target;
      // Content swapped into an existing widget (a toast's text, an error card's button).
      if (target.nodeType === 1 && insideCandidate(target as Element)) {
        pending.add(target as Element);
        queued = true;
        continue;
      }
      for (let j = 0; j < count; j++) {
        const node = added[j]!;
        if (node.nodeType !== 1) continue; // text outside any candidate: nothing to find
        const el = node as Element;
        // Its parent is outside any candidate, so only the subtree itself can hold one.
        if (holdsCandidate(el) || isCandidate(el)) {
          pending.add(el);
          queued = true;
        }
      }
    }
    if (queued) requestFrame();
  };

  // One context per page (route): made again on navigation, not per inspection.
  const contextFor = (signal: AbortSignal): DetectorContext => ({
    signal,
    strings: () => opts.strings(doc.documentElement?.lang || ''),
    pageFeature: () => pageFeature(doc.location?.pathname ?? '/'),
  });
  let ctx = contextFor(page.signal);

  const run = (detector: RegisteredDetector, candidate: Element) => {
    let widget: Element | null;
    try {
      widget = detector.widget(candidate);
    } catch (err) {
      onError(detector.id, err);
      return;
    }
    const busy = inspecting.get(detector.id);
    if (!widget || !busy || reported.has(widget) || busy.has(widget)) return;
    const pageCtx = ctx;
    let verdict: Promise<Finding | null> | null;
    try {
      verdict = detector.inspect(widget, pageCtx);
    } catch (err) {
      onError(detector.id, err);
      return;
    }
    // Nothing that could be a message: settled now, without a promise (most candidates).
    if (verdict === null) return awaitMessage(detector, widget);
    const settle = (finding: Finding | null) => {
      if (pageCtx.signal.aborted || stopped || reported.has(widget) || !widget.isConnected) return;
      if (!finding) return awaitMessage(detector, widget);
      reported.add(widget);
      emit({ feature: finding.feature, signal: finding.signal, source: 'dom', code: finding.code });
    };
    busy.add(widget);
    const task = Promise.resolve(verdict)
      .then(settle)
      .catch((err: unknown) => onError(detector.id, err))
      .finally(() => {
        busy.delete(widget);
        tasks.delete(task);
      });
    tasks.add(task);
  };

  /**
   * A widget outside #layers whose message is not (yet) one to report: React may fill it in
   * later (text swapped into an existing card), so its subtree, and only that, is watched until
   * the page changes, unless its detector says its widgets are not worth it (video players).
   * #layers has its own observer.
   */
  const awaitMessage = (detector: RegisteredDetector, widget: Element) => {
    if (detector.watchForLateMessage === false || layers?.contains(widget)) return;
    if (!observers.has('widgets')) observe('widgets', widget, MUTATIONS, queueTargets);
    else observers.get('widgets')!.observe(widget, MUTATIONS);
  };
  const queueTargets = (records: MutationRecord[]) => {
    for (let i = 0; i < records.length; i++) {
      const target = records[i]!.target;
      if (records[i]!.addedNodes.length > 0 && target.nodeType === 1) pending.add(target as Element);
    }
    if (pending.size > 0) requestFrame();
  };

  const flush = () => {
    if (stopped) return;
    checkNavigation();
    // #layers replaced without a navigation: look it up again (the finder takes over if it is
    // not back yet).
    if (layers && !layers.isConnected) {
      unobserve('layers');
      findContainers();
    }
    if (!combined || pending.size === 0) return;
    const candidates = new Set<Element>();
    try {
      for (const root of pending) {
        if (!root.isConnected) continue;
        // The root itself or an ancestor may be the candidate (content swapped inside a widget).
        const up = root.closest(combined);
        if (up) candidates.add(up);
        for (const el of root.querySelectorAll(combined)) candidates.add(el);
      }
    } finally {
      pending.clear();
    }
    for (const candidate of candidates) judgeCandidate(candidate);
  };

  const judgeCandidate = (candidate: Element) => {
    for (const detector of detectors) {
      try {
        if (!candidate.matches(detector.selector)) continue;
      } catch (err) {
        onError(detector.id, err);
        continue;
      }
      run(detector, candidate);
    }
  };

  const attachLayers = (el: Element) => {
    // No navigation check here: the title observer, popstate and every flush do it, so the
    // page's own mutations cost no location read.
    observe('layers', el, MUTATIONS, enqueueAdded);
    // Once per attach (start or navigation): what the container already shows.
    pending.add(el);
    requestFrame();
  };

  /** Looks #layers up by id; only at start, or when it was added or replaced. */
  const findContainers = () => {
    if (!layers?.isConnected) {
      layers = doc.getElementById(SELECTORS.layers);
      if (layers) attachLayers(layers);
    }
    if (layers) {
      unobserve('finder');
    } else if (!observers.has('finder')) {
      // The whole document, not #react-root: #layers may sit outside the app root (a body child
      // after it), and the parser can yield between the two, so detection may start before
      // #layers exists. Watched only until it is found; a lookup by id, not a scan.
      observe('finder', doc, MUTATIONS, () => {
        if (doc.getElementById(SELECTORS.layers)) findContainers();
      });
    }
    watchTitle();
  };

  const watchTitle = () => {
    if (observers.has('title')) return;
    const title = doc.querySelector('head > title');
    if (title) observe('title', title, { childList: true, characterData: true, subtree: true }, () => checkNavigation());
  };

  /** SPA navigation: history changes don't reload, so page-scoped state is reset here. */
  const checkNavigation = () => {
    const now = doc.location?.href ?? '';
    if (now === href) return;
    href = now;
    page.abort();
    page = new AbortController();
    ctx = contextFor(page.signal);
    // Page-scoped: the widgets awaiting a message belong to the old route. What the app still
    // shows (a card the new route keeps, a result dropped above) is looked at once more: one
    // native selector query over <main> per navigation (#layers has its own observer).
    unobserve('widgets');
    const app = doc.querySelector('main') ?? doc.body;
    if (app) pending.add(app);
    findContainers();
    requestFrame();
  };

  const onPopState = () => {
    if (!stopped) checkNavigation();
  };
  win?.addEventListener('popstate', onPopState);

  // The style engine announces candidates in a rendering update, before that update's
  // animation-frame callbacks: they are judged right then, in the announcement's own call (no
  // frame or microtask of ours after it, each a call into this script of its own), before the
  // page's callbacks may move on (more posts after the timeline's Retry cell make it no longer
  // the last cell).
  // Navigation is not checked here: the title observer and popstate notice it, and a location
  // read per announced player would be most of its cost.
  const byId = new Map(detectors.map((d) => [d.id, d]));
  const stopInsertions = opts.insertions((candidate, detectorId) => {
    if (stopped || !candidate.isConnected) return;
    // The style engine named the detector: no selector match left to do.
    const detector = detectorId === undefined ? undefined : byId.get(detectorId);
    if (detector) run(detector, candidate);
    else judgeCandidate(candidate);
  });
  findContainers();

  return {
    stop() {
      stopped = true;
      page.abort();
      stopInsertions();
      for (const mo of observers.values()) mo.disconnect();
      observers.clear();
      pending.clear();
      win?.removeEventListener('popstate', onPopState);
    },
    async idle() {
      // MutationObserver callbacks are microtasks: let any pending ones run first.
      await new Promise<void>((r) => setTimeout(r, 0));
      for (;;) {
        if (frame) await frame;
        else if (tasks.size) await Promise.allSettled([...tasks]);
        else return;
        await new Promise<void>((r) => setTimeout(r, 0));
      }
    },
    observers: () => [...observers.keys()].sort(),
    tracked: () => ({ pending: pending.size, tasks: tasks.size }),
  };
}
