/**
 * Accepts classifications from the MAIN-world page hook. Anything on the page can post messages
 * to the window, so a message is rebuilt from the five fields an observation may have: extra
 * fields never travel on. Their values are checked once, by the background's validateObservation
 * (the trust boundary for every content script message), which refuses any value outside the
 * protocol's enums and patterns; checking them here too cost the bytes the official-posts
 * extractor needs in the 8 KB content-script budget.
 */
import { PAGE_CHANNEL, type Observation } from '../shared/runtime-messages.ts';

export function parsePageMessage(data: unknown): Observation | null {
  const m = data as { channel?: unknown; observation?: Record<string, unknown> } | null;
  const o = m?.observation;
  if (m?.channel !== PAGE_CHANNEL || typeof o !== 'object' || o === null) return null;
  const { feature, signal, status, op, code } = o;
  // runtime.sendMessage drops the undefined ones.
  return { feature, signal, status, op, code, source: 'page' } as Observation;
}

/**
 * Listens on `win` for the hook's messages: same window, same origin, our channel. Official posts
 * (`posts`) go to `forwardPosts` as they are: the background takes at most 20, checks every field
 * and keeps only posts whose author is one of X's official accounts.
 */
export function listenToPage(win: Window, forward: (o: Observation) => void, forwardPosts: (posts: unknown[]) => void = () => {}): () => void {
  const onMessage = (event: MessageEvent) => {
    if (event.source !== win || event.origin !== win.location.origin) return;
    const posts = (event.data as { posts?: unknown } | null)?.posts;
    if (Array.isArray(posts)) return forwardPosts(posts);
    const observation = parsePageMessage(event.data);
    if (observation) forward(observation);
  };
  win.addEventListener('message', onMessage);
  return () => win.removeEventListener('message', onMessage);
}
