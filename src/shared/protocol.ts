/**
 * Wire protocol v1 (see PROTOCOL.md in the shared reference material): the types and the
 * validators that both the extension and the server use, so a report the extension builds is
 * valid by the same rules the server applies. Field names here must never be renamed or dropped.
 */

export const PROTOCOL_VERSION = 1;

export const FEATURES = [
  'timeline',
  'post',
  'dm',
  'login',
  'media',
  'notifications',
  'search',
  'profile',
  'follow',
  'spaces',
  'other',
] as const;
export type Feature = (typeof FEATURES)[number];

export const SIGNALS = ['banner', 'http_5xx', 'http_429', 'network', 'manual', 'ok'] as const;
export type Signal = (typeof SIGNALS)[number];
/** Every signal but `ok` says something failed. */
export type FailureSignal = Exclude<Signal, 'ok'>;

export const STATES = ['operational', 'degraded', 'outage'] as const;
export type State = (typeof STATES)[number];

export const MESSAGE_SOURCES = ['x-api', 'statuspage', 'feed', 'crowd', 'operator', 'x-sighting'] as const;
export type MessageSource = (typeof MESSAGE_SOURCES)[number];

/** Unknown region, as ISO 3166-1 reserves "ZZ". */
export const UNKNOWN_REGION = 'ZZ';

export const LIMITS = {
  minReports: 1,
  maxReports: 100,
  maxBodyBytes: 64 * 1024,
  minuteMs: 60_000,
} as const;

/**
 * Per-account limits (rate limits, follow limits, locked accounts) travel with a `detail.code`
 * starting with this prefix, so the server counts them apart from failures of the site.
 */
export const PER_ACCOUNT_CODE_PREFIX = 'limit:';

export interface ReportDetail {
  status?: number;
  op?: string;
  code?: string;
}

export interface ClientInfo {
  version: string;
  browser: string;
}

export interface Report {
  id: string;
  site: string;
  feature: Feature;
  signal: Signal;
  at: number;
  region: string;
  reporter: string;
  client: ClientInfo;
  detail?: ReportDetail;
}

export interface ReportBatch {
  reports: Report[];
}

export interface AcceptedResponse {
  accepted: number;
  duplicates: number;
}

export interface Problem {
  index: number;
  path: string;
  message: string;
}

export interface InvalidReportResponse {
  error: 'invalid_report';
  problems: Problem[];
}

export interface StateSince {
  state: State;
  since: number | null;
}

export interface FeatureStatus {
  feature: Feature;
  state: State;
  reports15m: number;
  reporters15m: number;
}

export interface RegionStatus {
  region: string;
  state: State;
  reports15m: number;
  reporters15m: number;
}

export interface StatusSeries {
  stepMs: number;
  from: number;
  reports: number[];
  baseline: number[];
}

export interface StatusResponse {
  site: string;
  generatedAt: number;
  overall: StateSince;
  features: FeatureStatus[];
  regions: RegionStatus[];
  series: StatusSeries;
  /** Added field: the region `overall` and `features` describe, when one was asked for. */
  region?: string;
}

export interface OfficialMessage {
  id: string;
  source: MessageSource;
  author: string;
  text: string;
  url: string;
  publishedAt: number;
  lang: string;
  /** Added field (source `x-sighting`): how many distinct reporters sent this post. */
  seenBy?: number;
}

export interface MessagesResponse {
  messages: OfficialMessage[];
}

/** Body of the operator's `POST /v1/messages`. */
export interface OperatorMessageInput {
  site: string;
  author: string;
  text: string;
  url: string;
  lang: string;
}

// ---------------------------------------------------------------------------------------------
// Patterns. Narrow on purpose: a field that could carry a URL, a handle or post text is refused.

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
export const REPORTER_RE = /^[A-Za-z0-9_-]{16,64}$/;
export const REGION_RE = /^[A-Z]{2}$/;
export const SITE_RE = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;
/** API operation names such as HomeTimeline: an identifier, never a path. */
export const OP_RE = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
/** Short codes such as net::ERR_CONNECTION_RESET, x:131, banner:timeline_error, limit:88. */
export const CODE_RE = /^[A-Za-z0-9_.:-]{1,64}$/;
export const VERSION_RE = /^[0-9A-Za-z.+_-]{1,32}$/;
export const BROWSER_RE = /^[a-z][a-z0-9_-]{0,31}$/;
export const LANG_RE = /^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$/;

const REPORT_KEYS = new Set(['id', 'site', 'feature', 'signal', 'at', 'region', 'reporter', 'client', 'detail']);
const DETAIL_KEYS = new Set(['status', 'op', 'code']);
const CLIENT_KEYS = new Set(['version', 'browser']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isMember<T extends string>(list: readonly T[], v: unknown): v is T {
  return typeof v === 'string' && (list as readonly string[]).includes(v);
}

/** Floors a time to the minute, as every report's `at` must be. */
export function floorToMinute(ms: number): number {
  return Math.floor(ms / LIMITS.minuteMs) * LIMITS.minuteMs;
}

/**
 * Checks one report. Unknown fields are refused rather than ignored: the extension must never
 * send more than the protocol names, and a server that silently kept extra fields could end up
 * storing something private.
 */
export function validateReport(r: unknown, index: number): Problem[] {
  const problems: Problem[] = [];
  const at = (path: string, message: string) => problems.push({ index, path, message });
  if (!isObject(r)) {
    at('', 'a report must be an object');
    return problems;
  }
  for (const key of Object.keys(r)) {
    if (!REPORT_KEYS.has(key)) at(key, `unknown field "${key}"`);
  }
  if (typeof r.id !== 'string' || !UUID_RE.test(r.id)) at('id', 'must be a UUID string');
  if (typeof r.site !== 'string' || !SITE_RE.test(r.site)) at('site', 'must be a lower-case host name such as "x.com"');
  if (!isMember(FEATURES, r.feature)) at('feature', `must be one of ${FEATURES.join(', ')}`);
  if (!isMember(SIGNALS, r.signal)) at('signal', `must be one of ${SIGNALS.join(', ')}`);
  if (typeof r.at !== 'number' || !Number.isSafeInteger(r.at) || r.at <= 0) {
    at('at', 'must be a positive integer (epoch milliseconds)');
  } else if (r.at % LIMITS.minuteMs !== 0) {
    at('at', 'must be rounded down to the minute');
  }
  if (typeof r.region !== 'string' || !REGION_RE.test(r.region)) {
    at('region', 'must be an ISO 3166-1 alpha-2 code in upper case, or "ZZ"');
  }
  if (typeof r.reporter !== 'string' || !REPORTER_RE.test(r.reporter)) {
    at('reporter', 'must be 16 to 64 characters of A-Z, a-z, 0-9, "_" or "-"');
  }
  if (!isObject(r.client)) {
    at('client', 'must be an object { version, browser }');
  } else {
    for (const key of Object.keys(r.client)) {
      if (!CLIENT_KEYS.has(key)) at(`client.${key}`, `unknown field "${key}"`);
    }
    if (typeof r.client.version !== 'string' || !VERSION_RE.test(r.client.version)) {
      at('client.version', 'must be a short version string');
    }
    if (typeof r.client.browser !== 'string' || !BROWSER_RE.test(r.client.browser)) {
      at('client.browser', 'must be a lower-case browser name such as "chrome" or "firefox"');
    }
  }
  if (r.detail !== undefined) {
    if (!isObject(r.detail)) {
      at('detail', 'must be an object when present');
    } else {
      const d = r.detail;
      for (const key of Object.keys(d)) {
        if (!DETAIL_KEYS.has(key)) at(`detail.${key}`, `unknown field "${key}"`);
      }
      if (d.status !== undefined && (typeof d.status !== 'number' || !Number.isInteger(d.status) || d.status < 0 || d.status > 999)) {
        at('detail.status', 'must be an HTTP status code');
      }
      if (d.op !== undefined && (typeof d.op !== 'string' || !OP_RE.test(d.op))) {
        at('detail.op', 'must be an API operation name such as "HomeTimeline"');
      }
      if (d.code !== undefined && (typeof d.code !== 'string' || !CODE_RE.test(d.code))) {
        at('detail.code', 'must be a short code of letters, digits and _.:- (at most 64)');
      }
    }
  }
  return problems;
}

export type Validation<T> = { ok: true; value: T } | { ok: false; problems: Problem[] };

export function validateReportBatch(body: unknown): Validation<ReportBatch> {
  if (!isObject(body)) {
    return { ok: false, problems: [{ index: -1, path: '', message: 'the body must be an object { "reports": [...] }' }] };
  }
  const reports = body.reports;
  if (!Array.isArray(reports)) {
    return { ok: false, problems: [{ index: -1, path: 'reports', message: 'must be an array' }] };
  }
  if (reports.length < LIMITS.minReports || reports.length > LIMITS.maxReports) {
    return {
      ok: false,
      problems: [{ index: -1, path: 'reports', message: `must hold ${LIMITS.minReports} to ${LIMITS.maxReports} reports` }],
    };
  }
  const problems = reports.flatMap((r, i) => validateReport(r, i));
  return problems.length ? { ok: false, problems } : { ok: true, value: { reports: reports as Report[] } };
}

export function validateOperatorMessage(body: unknown): Validation<OperatorMessageInput> {
  const problems: Problem[] = [];
  const at = (path: string, message: string) => problems.push({ index: -1, path, message });
  if (!isObject(body)) return { ok: false, problems: [{ index: -1, path: '', message: 'the body must be an object' }] };
  if (typeof body.site !== 'string' || !SITE_RE.test(body.site)) at('site', 'must be a host name such as "x.com"');
  if (typeof body.author !== 'string' || body.author.trim() === '' || body.author.length > 64) at('author', 'must be 1 to 64 characters');
  if (typeof body.text !== 'string' || body.text.trim() === '' || body.text.length > 2000) at('text', 'must be 1 to 2000 characters');
  if (typeof body.url !== 'string' || !isHttpUrl(body.url)) at('url', 'must be an http(s) URL');
  if (typeof body.lang !== 'string' || !LANG_RE.test(body.lang)) at('lang', 'must be a language tag such as "en"');
  return problems.length ? { ok: false, problems } : { ok: true, value: body as unknown as OperatorMessageInput };
}

export function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

function isStateSince(v: unknown): v is StateSince {
  return isObject(v) && isMember(STATES, v.state) && (v.since === null || typeof v.since === 'number');
}

/**
 * Checks a status answer before the extension trusts it: a broken or hostile server must not be
 * able to put arbitrary values into the badge or the popup.
 */
export function validateStatusResponse(v: unknown): Validation<StatusResponse> {
  const problems: Problem[] = [];
  const at = (path: string, message: string) => problems.push({ index: -1, path, message });
  if (!isObject(v)) return { ok: false, problems: [{ index: -1, path: '', message: 'must be an object' }] };
  if (typeof v.site !== 'string') at('site', 'must be a string');
  if (typeof v.generatedAt !== 'number') at('generatedAt', 'must be a number');
  if (!isStateSince(v.overall)) at('overall', 'must be { state, since }');
  if (!Array.isArray(v.features)) at('features', 'must be an array');
  else
    v.features.forEach((f, i) => {
      if (!isObject(f) || !isMember(FEATURES, f.feature) || !isMember(STATES, f.state) || typeof f.reports15m !== 'number' || typeof f.reporters15m !== 'number') {
        at(`features.${i}`, 'must be { feature, state, reports15m, reporters15m }');
      }
    });
  if (!Array.isArray(v.regions)) at('regions', 'must be an array');
  else
    v.regions.forEach((r, i) => {
      if (!isObject(r) || typeof r.region !== 'string' || !isMember(STATES, r.state) || typeof r.reports15m !== 'number' || typeof r.reporters15m !== 'number') {
        at(`regions.${i}`, 'must be { region, state, reports15m, reporters15m }');
      }
    });
  const s = v.series;
  if (!isObject(s) || typeof s.stepMs !== 'number' || typeof s.from !== 'number' || !Array.isArray(s.reports) || !Array.isArray(s.baseline)) {
    at('series', 'must be { stepMs, from, reports, baseline }');
  }
  return problems.length ? { ok: false, problems } : { ok: true, value: v as unknown as StatusResponse };
}

export function validateMessagesResponse(v: unknown): Validation<MessagesResponse> {
  if (!isObject(v) || !Array.isArray(v.messages)) {
    return { ok: false, problems: [{ index: -1, path: 'messages', message: 'must be an array' }] };
  }
  const problems: Problem[] = [];
  v.messages.forEach((m, i) => {
    if (
      !isObject(m) ||
      typeof m.id !== 'string' ||
      !isMember(MESSAGE_SOURCES, m.source) ||
      typeof m.author !== 'string' ||
      typeof m.text !== 'string' ||
      typeof m.url !== 'string' ||
      typeof m.publishedAt !== 'number' ||
      typeof m.lang !== 'string'
    ) {
      problems.push({ index: i, path: `messages.${i}`, message: 'must be { id, source, author, text, url, publishedAt, lang }' });
    }
  });
  return problems.length ? { ok: false, problems } : { ok: true, value: v as unknown as MessagesResponse };
}
