/**
 * What the Chromium burst benchmark installs in the extension's service worker, at run time and
 * through DevTools only: the shipped bundle is loaded unchanged.
 *
 * - The background's own webRequest listeners are found among the worker's live functions
 *   (Runtime.queryObjects on Function.prototype), recognised by their source and confirmed with
 *   hasListener, then replaced by a wrapper that counts each call, records the event, and
 *   brackets the call with console.time/timeEnd (a label per call: "<label> <n>"). Those two write trace events with microsecond
 *   timestamps, where performance.now() in this worker is clamped to 100 µs.
 * - A baseline: an empty listener on the same events with the same filter, wrapped the same way,
 *   registered after the extension's, so both are timed on every single event of the burst.
 * Code here runs inside the worker: sources are strings, built from nothing in this module.
 */
import { WATCHED_URLS } from '../../src/background/watched-urls.ts';

/** The filter src/background/index.ts registers with. */
export { WATCHED_URLS };

export const EVENTS = ['onCompleted', 'onErrorOccurred', 'onBeforeRedirect'] as const;
export type EventName = (typeof EVENTS)[number];

export const EXT_LABEL = 'outage-radar-bench:extension';
export const BASE_LABEL = 'outage-radar-bench:empty';

/** One event as the extension's listener received it, and the worker's clock at that call. */
export interface SeenEvent {
  event: EventName;
  requestId: string;
  url: string;
  type: string;
  statusCode?: number;
  error?: string;
  redirectUrl?: string;
  /** Date.now() just before and just after the background's listener ran. */
  at: number;
  atEnd: number;
}

export interface ProbeCounts {
  extension: Record<EventName, number>;
  baseline: Record<EventName, number>;
  baselineRequestIds: string[];
  seen: SeenEvent[];
}

/** Sets up the state object; run before anything else. */
export const SETUP = `(() => {
  globalThis.__orBench ??= { orig: {}, wrapped: {}, empty: {}, attached: false };
  return true;
})()`;

/**
 * Runs with this = the array of every function in the worker. Keeps the extension's listeners:
 * the one registered for each event whose source hands the event to the background.
 */
export const FIND_LISTENERS = `function () {
  const B = globalThis.__orBench;
  const found = {};
  for (const name of ${JSON.stringify(EVENTS)}) {
    const ev = chrome.webRequest[name];
    const hits = this.filter((f) => {
      try {
        return Function.prototype.toString.call(f).includes('.' + name + '({url:') && ev.hasListener(f);
      } catch {
        return false;
      }
    });
    found[name] = hits.length;
    if (hits.length === 1) B.orig[name] = hits[0];
  }
  return found;
}`;

/** Replaces the extension's listeners by timed wrappers and adds the timed empty baseline. */
export const INSTALL = `(() => {
  const B = globalThis.__orBench;
  const filter = { urls: ${JSON.stringify(WATCHED_URLS)} };
  const empty = () => undefined;
  for (const name of ${JSON.stringify(EVENTS)}) {
    const orig = B.orig[name];
    if (typeof orig !== 'function') throw new Error('no extension listener for ' + name);
    B.wrapped[name] = (d) => {
      const label = ${JSON.stringify(EXT_LABEL + ' ')} + B.counts.seen.length;
      B.counts.extension[name]++;
      B.counts.seen.push({ event: name, requestId: d.requestId, url: d.url, type: d.type, statusCode: d.statusCode, error: d.error, redirectUrl: d.redirectUrl, at: Date.now() });
      const seen = B.counts.seen[B.counts.seen.length - 1];
      let out;
      console.time(label);
      try {
        out = orig(d);
      } finally {
        console.timeEnd(label);
      }
      // The background read its clock between at and atEnd.
      seen.atEnd = Date.now();
      return out;
    };
    B.empty[name] = (d) => {
      const label = ${JSON.stringify(BASE_LABEL + ' ')} + B.counts.baselineRequestIds.length;
      B.counts.baseline[name]++;
      B.counts.baselineRequestIds.push(d.requestId);
      console.time(label);
      try {
        return empty(d);
      } finally {
        console.timeEnd(label);
      }
    };
    chrome.webRequest[name].removeListener(orig);
  }
  // The extension's first, as it is in the shipped worker; the baseline after it.
  for (const name of ${JSON.stringify(EVENTS)}) chrome.webRequest[name].addListener(B.wrapped[name], filter);
  for (const name of ${JSON.stringify(EVENTS)}) chrome.webRequest[name].addListener(B.empty[name], filter);
  B.attached = true;
  return ${JSON.stringify(EVENTS)}.every((n) => chrome.webRequest[n].hasListener(B.wrapped[n]) && !chrome.webRequest[n].hasListener(B.orig[n]));
})()`;

/** Zeroes the counters for a new round. */
export const RESET_COUNTS = `(() => {
  const zero = () => Object.fromEntries(${JSON.stringify(EVENTS)}.map((n) => [n, 0]));
  globalThis.__orBench.counts = { extension: zero(), baseline: zero(), baselineRequestIds: [], seen: [] };
  return true;
})()`;

/** Takes the extension's listener off the events (a round with the baseline listener only), or puts it back. */
export function attachExtension(attach: boolean): string {
  return `(() => {
    const B = globalThis.__orBench;
    const filter = { urls: ${JSON.stringify(WATCHED_URLS)} };
    for (const name of ${JSON.stringify(EVENTS)}) {
      const ev = chrome.webRequest[name];
      ev.removeListener(B.empty[name]);
      ev.removeListener(B.wrapped[name]);
      ${attach ? 'ev.addListener(B.wrapped[name], filter);' : ''}
      ev.addListener(B.empty[name], filter);
    }
    B.attached = ${attach};
    return ${JSON.stringify(EVENTS)}.every((n) => chrome.webRequest[n].hasListener(B.wrapped[n]) === ${attach});
  })()`;
}

export const READ_COUNTS = `globalThis.__orBench.counts`;

/** What the background has stored, read through its own storage area. */
export const READ_STORAGE = `chrome.storage.local.get(null)`;
