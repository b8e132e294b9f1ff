/**
 * Builds a protocol v1 report from an observation. Copies only the protocol's fields, one by one,
 * so nothing else an observation might carry (source, anything added later) can leave; then
 * checks the result with the same validator the server uses.
 */
import { floorToMinute, validateReport } from '../shared/protocol.ts';
import type { Problem, Report, ReportDetail } from '../shared/protocol.ts';
import type { Observation } from '../shared/runtime-messages.ts';

export const SITE = 'x.com';

export interface ReportContext {
  id: string;
  now: number;
  region: string;
  reporter: string;
  version: string;
  browser: string;
}

export function buildReport(o: Observation, ctx: ReportContext): { ok: true; report: Report } | { ok: false; problems: Problem[] } {
  const detail: ReportDetail = {};
  if (o.status !== undefined) detail.status = o.status;
  if (o.op !== undefined) detail.op = o.op;
  if (o.code !== undefined) detail.code = o.code;
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
