/**
 * What this browser alone says, combined with the crowd's status: is it the user's connection,
 * an outage for many, just this browser, a possible national block, or a per-account limit.
 */
import type { Feature, StatusResponse } from '../shared/protocol.ts';
import type { LocalDiagnosis } from '../shared/runtime-messages.ts';
import type { EvidenceKind } from './classify.ts';
import { regionVerdict } from './badge.ts';

export interface Evidence {
  at: number;
  kind: EvidenceKind;
  feature: Feature;
}

/** Failures older than this no longer describe "now". */
export const RECENT_MS = 5 * 60_000;
/** Evidence kept for the diagnosis; older entries are pruned. */
export const EVIDENCE_KEEP_MS = 15 * 60_000;
export const EVIDENCE_MAX = 200;

export function addEvidence(list: readonly Evidence[], e: Evidence): Evidence[] {
  const kept = list.filter((x) => e.at - x.at < EVIDENCE_KEEP_MS && x.at <= e.at + 60_000);
  // Coalesce repeats of the same kind and feature within a minute: the list stays small under floods.
  const last = kept[kept.length - 1];
  if (last && last.kind === e.kind && last.feature === e.feature && e.at - last.at < 60_000) return kept;
  kept.push(e);
  return kept.slice(-EVIDENCE_MAX);
}

/** Share of recent failures that must be resets/timeouts before a national block is suggested. */
export const CONNECTION_SHARE_FOR_BLOCK = 0.8;

/**
 * Reads this browser's recent evidence against the crowd's status. Order matters: the user's own
 * connection (offline, then a captive portal or intercepting network) explains everything else,
 * so it is checked first; evidence older than the last sign of life does not count.
 */
export function diagnose(evidence: readonly Evidence[], status: StatusResponse | null, region: string, now: number): LocalDiagnosis {
  const recent = evidence.filter((e) => now - e.at < RECENT_MS && e.at <= now + 60_000);
  const last = (kind: Evidence['kind']) => recent.reduce((m, e) => (e.kind === kind && e.at > m ? e.at : m), -Infinity);
  const lastOk = last('ok');
  const lastOffline = last('offline');
  // Offline until something worked again.
  if (lastOffline > -Infinity && lastOffline >= lastOk) return 'offline';
  const lastPortal = last('portal');
  if (lastPortal > -Infinity && lastPortal >= lastOk && lastPortal > lastOffline) return 'captive-portal';
  const failures = recent.filter((e) => (e.kind === 'failure' || e.kind === 'connection') && e.at > lastOffline);
  if (failures.length === 0) {
    const lastBlocked = last('blocked');
    if (lastBlocked > -Infinity && lastBlocked >= lastOk) return 'blocked-here';
    return recent.some((e) => e.kind === 'limit') ? 'account-limited' : 'ok';
  }
  // Failing here with nothing to compare against: say so rather than guess "just you".
  if (!status) return 'unknown';
  const connectionShare = failures.filter((e) => e.kind === 'connection').length / failures.length;
  const here = regionVerdict(status, region);
  const elsewhere = status.regions.filter((r) => r.region !== region);
  const othersFine = elsewhere.length > 0 && elsewhere.every((r) => r.state === 'operational');
  const hereListed = status.regions.find((r) => r.region === region);
  // Resets and timeouts here, trouble reported in this country, the rest of the world fine.
  if (connectionShare >= CONNECTION_SHARE_FOR_BLOCK && othersFine && hereListed && (hereListed.state !== 'operational' || here !== 'operational')) {
    return 'maybe-blocked';
  }
  const failingFeatures = new Set(failures.map((e) => e.feature));
  const crowdSeesItHere = here !== 'operational' || status.features.some((f) => failingFeatures.has(f.feature) && f.state !== 'operational');
  if (crowdSeesItHere) return 'down-for-many';
  // Other countries called count too: the badge says so while X fails here (failingElsewhereToo),
  // and "works for others" would contradict it; "down for many" would contradict the verdict
  // card, which says this country is fine.
  return elsewhere.some((r) => r.state !== 'operational') ? 'down-elsewhere' : 'just-you';
}
