/**
 * What a payload may hold: the protocol's fields and nothing else, no planted secret, nothing
 * shaped like a URL, a query, a handle, a cookie or free text. Returns every violation found,
 * so a failure names the field that leaked.
 */
import { validateReport } from '../../../src/shared/protocol.ts';
import type { Secrets } from './generate.ts';

const REPORT_KEYS = new Set(['id', 'site', 'feature', 'signal', 'at', 'region', 'reporter', 'client', 'detail']);
const CLIENT_KEYS = new Set(['version', 'browser']);
const DETAIL_KEYS = new Set(['status', 'op', 'code']);

/** Shapes that never belong in a report, whatever the field. */
const FORBIDDEN_SHAPES: [string, RegExp][] = [
  ['a URL', /:\/\/|^\/|\bwww\.|\.com\//i],
  ['a query string', /[?&=#%]/],
  ['a handle', /@/],
  ['a cookie', /auth_token|twid|;/i],
  ['whitespace (free text)', /\s/],
  ['non-ASCII text', /[^\x20-\x7e]/],
];

function strings(v: unknown, path: string, out: [string, string][]): void {
  if (typeof v === 'string') out.push([path, v]);
  else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) strings(x, `${path}.${k}`, out);
}

export function privacyViolations(report: unknown, secrets: Secrets): string[] {
  const problems: string[] = [];
  for (const p of validateReport(report, 0)) problems.push(`protocol: ${p.path} ${p.message}`);
  if (typeof report !== 'object' || report === null) return [...problems, 'not an object'];
  const r = report as Record<string, unknown>;
  for (const k of Object.keys(r)) if (!REPORT_KEYS.has(k)) problems.push(`unknown field "${k}"`);
  if (typeof r.client === 'object' && r.client !== null) for (const k of Object.keys(r.client)) if (!CLIENT_KEYS.has(k)) problems.push(`unknown field "client.${k}"`);
  if (typeof r.detail === 'object' && r.detail !== null) for (const k of Object.keys(r.detail)) if (!DETAIL_KEYS.has(k)) problems.push(`unknown field "detail.${k}"`);
  const found: [string, string][] = [];
  strings(r, 'report', found);
  for (const [path, value] of found) {
    for (const [what, re] of FORBIDDEN_SHAPES) if (re.test(value)) problems.push(`${path} looks like ${what}: ${JSON.stringify(value.slice(0, 80))}`);
  }
  const text = JSON.stringify(r).toLowerCase();
  const planted: [string, string[]][] = [
    ['handle', secrets.handles],
    ['post text', secrets.texts],
    ['cookie', secrets.cookies],
    ['URL', secrets.urls],
    ['query', secrets.queries],
    ['user id', secrets.userIds],
  ];
  for (const [what, list] of planted) {
    for (const secret of list) if (text.includes(secret.toLowerCase())) problems.push(`leaks a planted ${what}: ${JSON.stringify(secret.slice(0, 80))}`);
  }
  return problems;
}
