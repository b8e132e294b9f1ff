/**
 * What the background must have done with a burst, computed from the events alone with the pure
 * functions it is built from: classify each event, replay the per-minute coalescer from the state
 * stored before the burst, and replay the local evidence list from the list stored before it.
 */
import { classifyCompleted, classifyError, classifyRedirect, evidenceOf, localEvidenceOf } from '../../src/background/classify.ts';
import type { Classified } from '../../src/background/classify.ts';
import { admit } from '../../src/background/coalescer.ts';
import type { CoalescerState } from '../../src/background/coalescer.ts';
import { addEvidence } from '../../src/background/diagnosis.ts';
import type { Evidence } from '../../src/background/diagnosis.ts';
import { floorToMinute } from '../../src/shared/protocol.ts';
import type { Report } from '../../src/shared/protocol.ts';
import type { SeenEvent } from './listener-probe.ts';

export interface Expected {
  /** feature|signal|minute of every report the coalescer admits, in order. */
  reports: string[];
  evidence: Evidence[];
  /** For each replayed entry, the latest time the background's clock can have said for it. */
  latest: WeakMap<Evidence, number>;
  /** Events by classification kind. */
  kinds: Record<string, number>;
}

export const reportKey = (feature: string, signal: string, at: number) => `${feature}|${signal}|${floorToMinute(at)}`;

function classify(e: SeenEvent): Classified {
  if (e.event === 'onCompleted') return classifyCompleted({ url: e.url, statusCode: e.statusCode ?? 0, type: e.type });
  if (e.event === 'onErrorOccurred') return classifyError({ url: e.url, error: e.error ?? '', type: e.type }, true);
  return classifyRedirect({ url: e.url, redirectUrl: e.redirectUrl ?? '', type: e.type });
}

export function expectedOutcome(events: readonly SeenEvent[], coalescerBefore: CoalescerState, evidenceBefore: readonly Evidence[]): Expected {
  let coalescer = coalescerBefore;
  let evidence = [...evidenceBefore];
  const reports: string[] = [];
  const kinds: Record<string, number> = {};
  const latest = new WeakMap<Evidence, number>();
  const add = (e: SeenEvent, entry: Omit<Evidence, 'at'>) => {
    const ev: Evidence = { at: e.at, ...entry };
    evidence = addEvidence(evidence, ev);
    if (evidence[evidence.length - 1] === ev) latest.set(ev, e.atEnd);
  };
  for (const e of events) {
    const c = classify(e);
    kinds[c.kind] = (kinds[c.kind] ?? 0) + 1;
    if (c.kind === 'report') {
      const o = c.observation;
      const ev = evidenceOf(o);
      add(e, { kind: ev.kind, feature: o.feature });
      if (!ev.reportable) continue;
      const gate = admit(coalescer, o.feature, o.signal, e.at);
      if (gate.admitted) {
        coalescer = gate.state;
        reports.push(reportKey(o.feature, o.signal, e.at));
      }
    } else {
      const local = localEvidenceOf(c);
      if (local) add(e, local);
    }
  }
  return { reports, evidence, latest, kinds };
}

/**
 * The stored list against the replay: same entries in the same order, each stored time within
 * the window the wrapper saw around the background's call (entries from before the burst: equal).
 */
function entryMatches(s: Evidence | undefined, r: Evidence | undefined, latest: WeakMap<Evidence, number>): boolean {
  return !!s && !!r && s.kind === r.kind && s.feature === r.feature && s.at >= r.at && s.at <= (latest.get(r) ?? r.at);
}

export function sameEvidence(stored: readonly Evidence[], want: Pick<Expected, 'evidence' | 'latest'>): boolean {
  return stored.length === want.evidence.length && stored.every((s, i) => entryMatches(s, want.evidence[i], want.latest));
}

/** Where the stored list and the replay first part, for the results file. */
export function firstDifference(stored: readonly Evidence[], want: Pick<Expected, 'evidence' | 'latest'>): string | null {
  const n = Math.max(stored.length, want.evidence.length);
  for (let i = 0; i < n; i++) {
    const s = stored[i];
    const r = want.evidence[i];
    if (!entryMatches(s, r, want.latest)) {
      return `entry ${i} of ${stored.length} stored / ${want.evidence.length} replayed: stored ${JSON.stringify(s ?? null)}, replay ${JSON.stringify(r ?? null)} (until ${r ? (want.latest.get(r) ?? r.at) : '-'})`;
    }
  }
  return null;
}

export function keysOf(reports: readonly Report[]): string[] {
  return reports.map((r) => reportKey(r.feature, r.signal, r.at));
}

/** Multiset difference both ways, for the report check. */
export function compareKeys(got: readonly string[], want: readonly string[]): { missing: string[]; extra: string[] } {
  const left = new Map<string, number>();
  for (const k of got) left.set(k, (left.get(k) ?? 0) + 1);
  const missing: string[] = [];
  for (const k of want) {
    const n = left.get(k) ?? 0;
    if (n > 0) left.set(k, n - 1);
    else missing.push(k);
  }
  const extra = [...left.entries()].flatMap(([k, n]) => Array<string>(n).fill(k));
  return { missing, extra };
}
