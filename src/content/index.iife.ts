/**
 * Content script (isolated world, document_start): forwards the page hook's classifications and
 * runs the DOM detectors, sending only observations (feature, signal, status, op, code) to the
 * background. chrome.runtime is used directly, not the polyfill, to keep this bundle small;
 * Firefox provides `browser` (promises) and `chrome` alike.
 */
import type { Observation, RuntimeRequest } from '../shared/runtime-messages.ts';
import { createCoalescer } from './coalesce.ts';
import { DETECTORS } from './detectors/index.ts';
import { listenToPage } from './page-bridge.ts';
import { browserInsertions } from './insertions.ts';
import { startDetection } from './runtime.ts';
import { createStringsLoader } from './strings.ts';

type Runtime = Pick<typeof chrome.runtime, 'sendMessage' | 'getURL' | 'id'>;
const runtime: Runtime = (globalThis as { browser?: { runtime: Runtime } }).browser?.runtime ?? chrome.runtime;

const shouldForward = createCoalescer({ now: Date.now });
let detection: ReturnType<typeof startDetection> | null = null;
let stopPage: (() => void) | null = null;

function shutdown() {
  detection?.stop();
  stopPage?.();
}

function deliver(request: RuntimeRequest, retry: boolean) {
  // After the extension is updated or reloaded this script is orphaned: stop quietly.
  if (!runtime.id) return shutdown();
  try {
    Promise.resolve(runtime.sendMessage(request)).catch(() => {
      // The background may have been restarting; the coalescer already let this one through,
      // so without one retry a one-off banner would be lost.
      if (retry) setTimeout(() => deliver(request, false), 1_000);
    });
  } catch {
    shutdown();
  }
}

function send(observation: Observation) {
  if (shouldForward(observation)) deliver({ type: 'observe', observation }, true);
}

const strings = createStringsLoader(async (file) => {
  const res = await fetch(runtime.getURL(`strings/${file}`));
  if (!res.ok) throw new Error(`strings/${file}: ${res.status}`);
  return res.json() as Promise<unknown>;
});

stopPage = listenToPage(window, send, (posts) => deliver({ type: 'sighting', posts }, false));
detection = startDetection({
  doc: document,
  detectors: DETECTORS,
  strings,
  emit: send,
  // While the tab is hidden: every detector's selector (the fallback leaves #layers to its own observer).
  insertions: browserInsertions(window, DETECTORS.map((d) => d.selector)),
});
