/**
 * Which requests the page hook looks at: x.com's API only, decided by a string prefix check so
 * that every other request (scripts, images, analytics) costs nothing more.
 */
import { matchApiCall, type EndpointMatch } from '../shared/x-endpoints.ts';

const API_PREFIXES = [
  'https://x.com/i/api/',
  'https://api.x.com/',
  'https://mobile.x.com/i/api/',
  'https://twitter.com/i/api/',
  'https://api.twitter.com/',
  'https://mobile.twitter.com/i/api/',
];

/** The endpoint of an API call (feature, operation name), or null for anything else. */
export function apiEndpoint(url: string, base: string): EndpointMatch | null {
  let absolute: string;
  if (url.startsWith('/i/api/')) absolute = base + url;
  else if (API_PREFIXES.some((p) => url.startsWith(p))) absolute = url;
  else return null;
  return matchApiCall(absolute);
}

/** The URL string of whatever the page passed to fetch/open (string, URL, Request). */
export function urlOf(input: unknown): string | null {
  if (typeof input === 'string') return input;
  if (input instanceof URL) return input.href;
  if (typeof Request !== 'undefined' && input instanceof Request) return input.url;
  return null;
}
