/**
 * Turns what webRequest saw into observations, and sorts observations into "report it" and
 * "tell the user only". Pure: the browser glue hands in plain objects.
 *
 * Ruled out as evidence of an outage of x.com (see the reliability notes): the user's own
 * connection (offline, DNS failing, network changed), requests another extension or the browser
 * blocked, requests the page or the user aborted, and 4xx answers other than 429 (logged out,
 * not found, forbidden are about the user or the page, not the site).
 */
import { CODE_RE, PER_ACCOUNT_CODE_PREFIX } from '../shared/protocol.ts';
import { matchEndpoint, pageFeature } from '../shared/x-endpoints.ts';
import type { Observation } from '../shared/runtime-messages.ts';

export interface CompletedRequest {
  url: string;
  statusCode: number;
  /** webRequest resource type: main_frame, xmlhttprequest, image, ... */
  type: string;
}

export interface FailedRequest {
  url: string;
  /** The browser's error name, e.g. net::ERR_CONNECTION_RESET or NS_ERROR_NET_RESET. */
  error: string;
  type: string;
}

export type Classified =
  | { kind: 'report'; observation: Observation }
  /** The user's own connection is down: shown locally, never reported. */
  | { kind: 'offline' }
  /** x.com answered: the connection works (local evidence only; the answer may still carry errors). */
  | { kind: 'reachable' }
  /**
   * Something on the user's side stands between the browser and x.com: a captive portal or an
   * intercepting network (certificate errors, x.com redirected to another host), or another
   * extension or the browser blocking X's pages and API. Shown locally, never reported.
   */
  | { kind: 'local'; evidence: 'portal' | 'blocked'; feature: Observation['feature'] }
  | { kind: 'ignore'; reason: string };

/** The user's own network: offline, DNS, network switched, proxy down. */
const OFFLINE_ERRORS = new Set([
  'net::ERR_INTERNET_DISCONNECTED',
  'net::ERR_NETWORK_CHANGED',
  'net::ERR_NAME_NOT_RESOLVED',
  'net::ERR_NAME_RESOLUTION_FAILED',
  'net::ERR_ADDRESS_UNREACHABLE',
  'net::ERR_NETWORK_ACCESS_DENIED',
  'net::ERR_NETWORK_IO_SUSPENDED',
  'net::ERR_PROXY_CONNECTION_FAILED',
  'net::ERR_TUNNEL_CONNECTION_FAILED',
  'NS_ERROR_OFFLINE',
  'NS_ERROR_UNKNOWN_HOST',
  'NS_ERROR_UNKNOWN_PROXY_HOST',
  'NS_ERROR_PROXY_CONNECTION_REFUSED',
  'NS_ERROR_DNS_LOOKUP_QUEUE_FULL',
]);

/** Blocked on purpose by another extension, the browser, an administrator or tracking protection. */
const BLOCKED_RE = /BLOCKED|NS_ERROR_TRACKING_URI|NS_ERROR_MALWARE_URI|NS_ERROR_PHISHING_URI|NS_ERROR_UNWANTED_URI|NS_ERROR_HARMFUL_URI|NS_ERROR_CONTENT_BLOCKED/;
/**
 * Firefox's name for a request another extension cancelled (webRequest `cancel` at any stage, or a
 * declarativeNetRequest block rule). Measured in Firefox ESR 153: every ordinary cancellation
 * (AbortController, XHR abort(), a fetch timeout, navigation, window.stop(), closing the tab, a
 * removed image or iframe) is NS_BINDING_ABORTED instead, and no other field tells them apart.
 */
const FIREFOX_EXTENSION_CANCEL = 'NS_ERROR_ABORT';
/** Cancelled by the page, by navigation or by the user. */
const ABORTED_RE = /ERR_ABORTED|NS_BINDING_ABORTED|NS_BINDING_REDIRECTED|NS_BINDING_RETARGETED/;
/** Certificate problems mostly mean a captive portal or interception on the user's side. */
const LOCAL_TLS_RE = /ERR_CERT_|SEC_ERROR_|MOZILLA_PKIX_ERROR_|SSL_ERROR_BAD_CERT_DOMAIN/;
/** Too vague to say anything (service-worker fallbacks, cache misses). */
const VAGUE_ERRORS = new Set(['net::ERR_FAILED', 'net::ERR_CACHE_MISS', 'NS_ERROR_FAILURE']);

/** Resets and timeouts: what a struggling site and a national block both look like. */
export const CONNECTION_FAILURE_RE = /RESET|TIMED_OUT|TIMEOUT|CONNECTION_CLOSED|CONNECTION_REFUSED|EMPTY_RESPONSE|NET_INTERRUPT|SSL_PROTOCOL_ERROR|HTTP2_PROTOCOL_ERROR|QUIC_PROTOCOL_ERROR/;

function classifyTarget(url: string, type: string): { feature: Observation['feature']; op?: string; api: boolean } | null {
  const match = matchEndpoint(url);
  if (!match) return null;
  if (type === 'main_frame') {
    // A failed page load is a failure of what that page shows.
    try {
      return { feature: pageFeature(new URL(url).pathname), api: false };
    } catch {
      return null;
    }
  }
  return match.op ? { feature: match.feature, op: match.op, api: match.api } : { feature: match.feature, api: match.api };
}

export function classifyCompleted(req: CompletedRequest): Classified {
  const target = classifyTarget(req.url, req.type);
  if (!target) return { kind: 'ignore', reason: 'not an x.com request' };
  const base = { feature: target.feature, source: 'webrequest' as const, status: req.statusCode, ...(target.op ? { op: target.op } : {}) };
  if (req.statusCode >= 500 && req.statusCode <= 599) return { kind: 'report', observation: { ...base, signal: 'http_5xx' } };
  if (req.statusCode === 429) {
    return { kind: 'report', observation: { ...base, signal: 'http_429', code: `${PER_ACCOUNT_CODE_PREFIX}429` } };
  }
  if (req.statusCode >= 400) return { kind: 'ignore', reason: `HTTP ${req.statusCode} is about the user or the page` };
  // webRequest never sees bodies, and X answers HTTP 200 with errors[] during partial outages:
  // ok samples come from the page hook, which reads the answer. Here an answer only proves the
  // connection works.
  if (target.api) return { kind: 'reachable' };
  return { kind: 'ignore', reason: 'healthy non-API request' };
}

export function classifyError(req: FailedRequest, online: boolean): Classified {
  const target = classifyTarget(req.url, req.type);
  if (!target) return { kind: 'ignore', reason: 'not an x.com request' };
  if (!online || OFFLINE_ERRORS.has(req.error)) return { kind: 'offline' };
  if (BLOCKED_RE.test(req.error) || req.error === FIREFOX_EXTENSION_CANCEL) {
    // Content blockers routinely drop X's telemetry and ads; only a blocked page or API call
    // (what the user actually needs) says "X is blocked in this browser".
    return req.type === 'main_frame' || target.op !== undefined
      ? { kind: 'local', evidence: 'blocked', feature: target.feature }
      : { kind: 'ignore', reason: 'blocked by the browser or another extension' };
  }
  if (ABORTED_RE.test(req.error)) return { kind: 'ignore', reason: 'aborted' };
  if (LOCAL_TLS_RE.test(req.error)) return { kind: 'local', evidence: 'portal', feature: target.feature };
  if (VAGUE_ERRORS.has(req.error)) return { kind: 'ignore', reason: 'error too vague to attribute' };
  const code = CODE_RE.test(req.error) ? req.error : 'net::other';
  return {
    kind: 'report',
    observation: { feature: target.feature, signal: 'network', source: 'webrequest', code, ...(target.op ? { op: target.op } : {}) },
  };
}

export interface RedirectedRequest {
  url: string;
  /** Where the answer sends the browser. */
  redirectUrl: string;
  type: string;
}

/** Hosts X itself redirects between (x.com <-> twitter.com, t.co links, its media and API hosts). */
const X_FAMILY_RE = /(?:^|\.)(?:x\.com|twitter\.com|twimg\.com|t\.co|pscp\.tv|periscope\.tv)$/;

const EXTENSION_PAGE_PROTOCOLS = new Set(['moz-extension:', 'chrome-extension:']);

/**
 * A page or API call of x.com redirected off X's own hosts: what a captive portal (hotel or train
 * Wi-Fi login) or a filtering network does. X's own logout and login redirects stay on x.com.
 */
export function classifyRedirect(req: RedirectedRequest): Classified {
  const target = classifyTarget(req.url, req.type);
  if (!target) return { kind: 'ignore', reason: 'not an x.com request' };
  if (req.type !== 'main_frame' && !target.api) return { kind: 'ignore', reason: 'redirect of a resource' };
  let to: URL;
  try {
    to = new URL(req.redirectUrl);
  } catch {
    return { kind: 'ignore', reason: 'unparseable redirect' };
  }
  if (to.protocol === 'https:' && X_FAMILY_RE.test(to.hostname)) return { kind: 'ignore', reason: 'redirect within X' };
  // Only an extension can send a page to an extension's own page: a blocker showing its "blocked"
  // page (webRequest redirectUrl, declarativeNetRequest extensionPath), not a portal.
  if (EXTENSION_PAGE_PROTOCOLS.has(to.protocol)) return { kind: 'local', evidence: 'blocked', feature: target.feature };
  // An https -> http downgrade, or any other host: not X's doing.
  return { kind: 'local', evidence: 'portal', feature: target.feature };
}

/** Kinds of local evidence the diagnosis weighs. */
export type EvidenceKind = 'ok' | 'failure' | 'connection' | 'limit' | 'offline' | 'portal' | 'blocked';

/**
 * The local evidence a request that is not a report leaves (its time is the caller's), or null
 * for one that says nothing. The background records exactly this, and replays of it use it too.
 */
export function localEvidenceOf(c: Exclude<Classified, { kind: 'report' }>): { kind: EvidenceKind; feature: Observation['feature'] } | null {
  if (c.kind === 'offline') return { kind: 'offline', feature: 'other' };
  if (c.kind === 'reachable') return { kind: 'ok', feature: 'other' };
  if (c.kind === 'local') return { kind: c.evidence, feature: c.feature };
  return null;
}

/**
 * Sorts a (valid) observation: connection-class banners are the user's own connection and never
 * leave; per-account limits are reported (counted apart by the server) but are not outages.
 */
export function evidenceOf(o: Observation): { kind: EvidenceKind; reportable: boolean } {
  if (o.code === 'banner:connection_error') return { kind: 'offline', reportable: false };
  if (o.signal === 'ok') return { kind: 'ok', reportable: true };
  if (o.signal === 'http_429' || o.code?.startsWith(PER_ACCOUNT_CODE_PREFIX)) return { kind: 'limit', reportable: true };
  if (o.signal === 'network' && o.code !== undefined && CONNECTION_FAILURE_RE.test(o.code)) return { kind: 'connection', reportable: true };
  return { kind: 'failure', reportable: true };
}
