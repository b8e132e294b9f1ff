/**
 * What the tests check in the bytes the browser sent: pure functions, tested on their own in
 * test/e2e/harness.test.ts so a check that could never fire is caught.
 */
import { validateReportBatch, PER_ACCOUNT_CODE_PREFIX, type Report } from '../../../src/shared/protocol.ts';

export interface Leak {
  needle: string;
  why: string;
}

/** Finds any forbidden value in a raw request body; returns what leaked and why it matters. */
export function findLeaks(raw: string, forbidden: Leak[]): Leak[] {
  const lower = raw.toLowerCase();
  return forbidden.filter((f) => lower.includes(f.needle.toLowerCase()));
}

/** Anything that looks like a URL, wherever it sits in the body. */
export function findUrls(raw: string): string[] {
  return raw.match(/[a-z][a-z0-9+.-]*:\/\/[^\s"]*/gi) ?? [];
}

export interface ParsedPost {
  reports: Report[];
  problems: string[];
}

/** Parses and validates one recorded POST /v1/reports body by the protocol's own rules. */
export function parseReportPost(raw: string): ParsedPost {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch (err) {
    return { reports: [], problems: [`not JSON: ${(err as Error).message}`] };
  }
  const v = validateReportBatch(body);
  if (!v.ok) return { reports: [], problems: v.problems.map((p) => `reports[${p.index}].${p.path}: ${p.message}`) };
  return { reports: v.value.reports, problems: [] };
}

export interface ReportExpectation {
  what: string;
  match: (r: Report) => boolean;
}

/** The expectations no report satisfies yet. */
export function unmet(reports: Report[], expectations: ReportExpectation[]): ReportExpectation[] {
  return expectations.filter((e) => !reports.some(e.match));
}

export function isPerAccount(r: Report): boolean {
  return r.detail?.code?.startsWith(PER_ACCOUNT_CODE_PREFIX) ?? false;
}

/** A compact line per report, for failure messages. */
export function describeReports(reports: Report[]): string {
  if (!reports.length) return '(no reports)';
  return reports
    .map((r) => `${r.feature}/${r.signal}${r.detail ? ' ' + JSON.stringify(r.detail) : ''} region=${r.region}`)
    .join('\n  ');
}
