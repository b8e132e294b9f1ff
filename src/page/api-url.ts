/**
 * Which requests the page hook looks at: x.com's API only, decided by a string prefix check so
 * that every other request (scripts, images, analytics) costs nothing more.
 */
import { matchApiCall, type EndpointMatch } from '../shared/x-endpoints.ts';

/** x.com's API hosts and paths (x.com, twitter.com, mobile., api.): one pattern, not a list. */
const API_PREFIX_RE = /^https:\/\/(?:(?:mobile\.)?(?:x|twitter)\.com\/i\/api\/|api\.(?:x|twitter)\.com\/)/;

/** The endpoint of an API call (feature, operation name), or null for anything else. */
export function apiEndpoint(url: string, base: string): EndpointMatch | null {
  if (url.startsWith('/i/api/')) return matchApiCall(base + url);
  return API_PREFIX_RE.test(url) ? matchApiCall(url) : null;
}

/** The URL string of whatever the page passed to fetch/open (string, URL, Request). */
export function urlOf(input: unknown): string | null {
  if (typeof input === 'string') return input;
  if (input instanceof URL) return input.href;
  if (typeof Request !== 'undefined' && input instanceof Request) return input.url;
  return null;
}
