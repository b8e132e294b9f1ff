/**
 * MAIN-world page hook (document_start, built as one standalone IIFE). Wraps XMLHttpRequest and
 * fetch before x.com's scripts run, classifies each API answer (classify.ts) and posts only the
 * classification to the content script on this window. Never a URL, query, variable, id or text,
 * except the few fields of posts by X's official accounts (official.ts).
 */
import { PAGE_CHANNEL, type PageHookMessage } from '../shared/runtime-messages.ts';
import { apiEndpoint } from './api-url.ts';
import type { PageObservation } from './classify.ts';
import { officialPosts } from './official.ts';
import { wrapFetch } from './wrap-fetch.ts';
import { wrapXhr } from './wrap-xhr.ts';

(() => {
  const w = window as Window & { __outageRadarHook?: true };
  // Installed once, even if the script is injected twice (extension reload).
  if (w.__outageRadarHook) return;
  try {
    Object.defineProperty(w, '__outageRadarHook', { value: true });
    const origin = location.origin;
    // Captured now: the page may replace window.postMessage later.
    const post = w.postMessage.bind(w);
    const send = (message: PageHookMessage) => {
      try {
        post(message, origin);
      } catch {
        /* ours only */
      }
    };
    const emit = (observation: PageObservation) => send({ channel: PAGE_CHANNEL, observation });
    // Posts by X's official accounts only (official.ts): their eight raw fields, nothing else.
    const seen = (body: unknown) => {
      const posts = officialPosts(body);
      if (posts.length) send({ channel: PAGE_CHANNEL, posts });
    };
    const endpointOf = (url: string) => apiEndpoint(url, origin);
    wrapXhr(XMLHttpRequest, endpointOf, emit, seen);
    wrapFetch(w, endpointOf, emit, undefined, seen);
  } catch {
    /* Never break the page: without the hook, x.com just runs unobserved. */
  }
})();
