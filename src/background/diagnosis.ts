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

export function diagnose(evidence: readonly Evidence[], status: StatusResponse | null, region: string, now: number): LocalDiagnosis {
  const recent = evidence.filter((e) => now - e.at < RECENT_MS && e.at <= now + 60_000);
  const lastOffline = Math.max(-Infinity, ...recent.filter((e) => e.kind === 'offline').map((e) => e.at));
  const lastOk = Math.max(-Infinity, ...recent.filter((e) => e.kind === 'ok').map((e) => e.at));
  // Offline until something worked again.
  if (lastOffline > -Infinity && lastOffline >= lastOk) return 'offline';
  const failures = recent.filter((e) => (e.kind === 'failure' || e.kind === 'connection') && e.at > lastOffline);
  if (failures.length === 0) {
    return recent.some((e) => e.kind === 'limit') ? 'account-limited' : 'ok';
  }
  if (!status) return 'just-you';
  const connectionOnly = failures.every((e) => e.kind === 'connection');
  const here = regionVerdict(status, region);
  const elsewhere = status.regions.filter((r) => r.region !== region);
  const othersFine = elsewhere.length > 0 && elsewhere.every((r) => r.state === 'operational');
  const hereListed = status.regions.find((r) => r.region === region);
  // Resets and timeouts here, trouble reported in this country, the rest of the world fine.
  if (connectionOnly && othersFine && hereListed && (hereListed.state !== 'operational' || here !== 'operational')) return 'maybe-blocked';
  const failingFeatures = new Set(failures.map((e) => e.feature));
  const crowdSeesIt =
    here !== 'operational' || status.features.some((f) => failingFeatures.has(f.feature) && f.state !== 'operational');
  return crowdSeesIt ? 'down-for-many' : 'just-you';
}
