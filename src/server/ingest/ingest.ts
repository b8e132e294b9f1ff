/**
 * From a validated batch to stored rows: checks the report times against the server clock,
 * attaches the sender's hashed network, and hands the rows to the group committer.
 */
import type { Problem, Report } from '../../shared/protocol.ts';
import type { StoredReport } from '../storage/types.ts';
import type { CommitResult, GroupCommitter } from './group-commit.ts';

/** A report's minute may start at most this far ahead of the server clock (client clocks drift). */
export const MAX_FUTURE_MS = 5 * 60_000;
/** Older reports are refused: they no longer say anything about the current state. */
export const MAX_AGE_MS = 48 * 3600_000;

export function timeProblems(reports: readonly Report[], nowMs: number): Problem[] {
  const problems: Problem[] = [];
  reports.forEach((r, index) => {
    if (r.at > nowMs + MAX_FUTURE_MS) {
      problems.push({ index, path: 'at', message: 'is more than 5 minutes in the future (check the clock)' });
    } else if (r.at < nowMs - MAX_AGE_MS) {
      problems.push({ index, path: 'at', message: 'is more than 48 hours old' });
    }
  });
  return problems;
}

export function toStoredReport(r: Report, networkHash: string, receivedAt: number): StoredReport {
  return {
    id: r.id.toLowerCase(),
    site: r.site,
    feature: r.feature,
    signal: r.signal,
    at: r.at,
    region: r.region,
    reporter: r.reporter,
    networkHash,
    clientBrowser: r.client.browser,
    clientVersion: r.client.version,
    status: r.detail?.status ?? null,
    op: r.detail?.op ?? null,
    code: r.detail?.code ?? null,
    receivedAt,
  };
}

export type IngestOutcome = { ok: true; result: CommitResult } | { ok: false; problems: Problem[] };

export async function ingestBatch(committer: GroupCommitter, reports: readonly Report[], networkHash: string, nowMs: number): Promise<IngestOutcome> {
  const problems = timeProblems(reports, nowMs);
  if (problems.length) return { ok: false, problems };
  const rows = reports.map((r) => toStoredReport(r, networkHash, nowMs));
  return { ok: true, result: await committer.submit(rows) };
}
