/**
 * Builds a protocol v1 report from an observation. Copies only the protocol's fields, one by one,
 * so nothing else an observation might carry (source, anything added later) can leave; then
 * checks the result with the same validator the server uses.
 */
import { floorToMinute, validateReport } from '../shared/protocol.ts';
import type { Problem, Report, ReportDetail } from '../shared/protocol.ts';
import type { Observation } from '../shared/runtime-messages.ts';
import { OPERATION_FEATURES } from '../shared/x-endpoints.ts';
import { X_SERVER_ERROR_NAMES } from '../shared/x-codes.ts';
import { BANNER_MEANINGS, LIMIT_MEANINGS } from '../shared/x-meanings.ts';

export const SITE = 'x.com';

export interface ReportContext {
  id: string;
  now: number;
  region: string;
  reporter: string;
  version: string;
  browser: string;
}

/**
 * The shapes a detail.code may take (see the code conventions): a family prefix and a short name,
 * or the browser's own network error names. Anything else, even if it fits the protocol's
 * character set, is dropped: a bare word could be a handle the page slipped into the field.
 */
export const CODE_FAMILY_RE = /^(?:(?:banner|edge|limit|x):[A-Za-z0-9_.-]{1,48}|net::[A-Za-z0-9_]{1,48}|NS_[A-Z0-9_]{1,48}|(?:SEC|SSL)_ERROR_[A-Z0-9_]{1,48}|MOZILLA_PKIX_ERROR_[A-Z0-9_]{1,48}|timeout)$/;

/**
 * The words after `banner:`: the meanings of X's strings (generated from the same data as the
 * strings files), plus the two judge.ts names itself, for the user's connection and for an error
 * whose text it does not know.
 */
const BANNER_WORDS: ReadonlySet<string> = new Set([...BANNER_MEANINGS, 'connection_error', 'unrecognised']);
const LIMIT_WORDS: ReadonlySet<string> = new Set(LIMIT_MEANINGS);
const NUMBER_RE = /^\d{1,6}$/;

/**
 * `x:` and `edge:` codes name X's error numbers and known server error names, or an HTTP status
 * and `html`; `banner:` and `limit:` codes a meaning of X's strings data (`limit:` also an error
 * number). Any other word after those prefixes is refused: the page's text could be anything.
 */
export function allowedCode(code: string): boolean {
  if (!CODE_FAMILY_RE.test(code)) return false;
  const [, family, word = ''] = /^(banner|edge|limit|x):(.*)$/.exec(code) ?? [];
  switch (family) {
    case 'x':
      return NUMBER_RE.test(word) || word === 'server' || X_SERVER_ERROR_NAMES.has(word);
    case 'edge':
      return /^(?:\d{3}|html)$/.test(word);
    case 'banner':
      return BANNER_WORDS.has(word);
    case 'limit':
      return NUMBER_RE.test(word) || LIMIT_WORDS.has(word);
    default:
      // The browser's own network error names, and `timeout`.
      return true;
  }
}

/**
 * Only operation names X's own table knows leave: an unknown "operation" can be anything the page
 * put in the last segment of a /graphql/ path (a handle, an id). Its feature is still reported.
 */
export function knownOperation(op: string): boolean {
  return Object.hasOwn(OPERATION_FEATURES, op);
}

export function buildReport(o: Observation, ctx: ReportContext): { ok: true; report: Report } | { ok: false; problems: Problem[] } {
  const detail: ReportDetail = {};
  if (o.status !== undefined) detail.status = o.status;
  if (typeof o.op === 'string' && knownOperation(o.op)) detail.op = o.op;
  if (typeof o.code === 'string' && allowedCode(o.code)) detail.code = o.code;
  const report: Report = {
    id: ctx.id,
    site: SITE,
    feature: o.feature,
    signal: o.signal,
    at: floorToMinute(ctx.now),
    region: ctx.region,
    reporter: ctx.reporter,
    client: { version: ctx.version, browser: ctx.browser },
  };
  if (Object.keys(detail).length > 0) report.detail = detail;
  const problems = validateReport(report, 0);
  return problems.length ? { ok: false, problems } : { ok: true, report };
}
