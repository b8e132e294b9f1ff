/**
 * Checks observations arriving from content scripts. The page is not trusted (a compromised or
 * hostile page can post anything to the content script), so only the exact Observation shape
 * with values from the protocol's enums and patterns gets through.
 */
import { CODE_RE, FEATURES, OP_RE, SIGNALS } from '../shared/protocol.ts';
import type { Feature, Signal } from '../shared/protocol.ts';
import type { Observation, ObservationSource } from '../shared/runtime-messages.ts';

const KEYS = new Set(['feature', 'signal', 'source', 'status', 'op', 'code']);
/** What a content script may claim to be; webrequest and manual observations are made by the background itself. */
const CONTENT_SOURCES: readonly ObservationSource[] = ['dom', 'page'];

export type ObservationCheck = { ok: true; observation: Observation } | { ok: false; error: string };

export function validateObservation(v: unknown): ObservationCheck {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { ok: false, error: 'observation must be an object' };
  const o = v as Record<string, unknown>;
  for (const key of Object.keys(o)) if (!KEYS.has(key)) return { ok: false, error: `unknown field "${key}"` };
  if (!(FEATURES as readonly unknown[]).includes(o.feature)) return { ok: false, error: 'feature is not one of the protocol features' };
  if (!(SIGNALS as readonly unknown[]).includes(o.signal)) return { ok: false, error: 'signal is not one of the protocol signals' };
  if (o.signal === 'manual') return { ok: false, error: 'manual reports come from the popup only' };
  if (!(CONTENT_SOURCES as readonly unknown[]).includes(o.source)) return { ok: false, error: 'source must be "dom" or "page"' };
  if (o.status !== undefined && (typeof o.status !== 'number' || !Number.isInteger(o.status) || o.status < 0 || o.status > 999)) {
    return { ok: false, error: 'status must be an HTTP status code' };
  }
  if (o.op !== undefined && (typeof o.op !== 'string' || !OP_RE.test(o.op))) return { ok: false, error: 'op must be an operation name' };
  if (o.code !== undefined && (typeof o.code !== 'string' || !CODE_RE.test(o.code))) return { ok: false, error: 'code must be a short code' };
  const observation: Observation = { feature: o.feature as Feature, signal: o.signal as Signal, source: o.source as ObservationSource };
  if (o.status !== undefined) observation.status = o.status as number;
  if (o.op !== undefined) observation.op = o.op as string;
  if (o.code !== undefined) observation.code = o.code as string;
  return { ok: true, observation };
}
