/**
 * What a DOM detector is. The runtime (runtime.ts) finds candidate nodes by `selector` in added
 * subtrees only, asks `widget` which node is the error widget (the unit of de-duplication: one
 * widget reports once), then `inspect`s it. A detector that throws fails alone.
 */
import type { Feature } from '../shared/protocol.ts';
import type { Finding } from './judge.ts';
import type { StringTable } from './strings.ts';

export interface DetectorContext {
  /** Aborted when the page (the SPA route) changes or detection stops: drop late results. */
  readonly signal: AbortSignal;
  /** The page language's strings, loaded on first use; null when the language is unknown. */
  strings(): Promise<StringTable | null>;
  /** Feature of the current route, from its path (the path itself never leaves). */
  pageFeature(): Feature;
}

export interface Detector {
  /** Selector of candidate nodes, matched against added nodes (and their ancestors). */
  readonly selector: string;
  /** The error widget a candidate belongs to, or null when the candidate is a look-alike. */
  widget(candidate: Element): Element | null;
  inspect(widget: Element, ctx: DetectorContext): Promise<Finding | null>;
}

export interface RegisteredDetector extends Detector {
  /** The detector's file name under src/content/detectors/. */
  readonly id: string;
}
