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
  /**
   * The verdict on a widget. Null at once (no promise) when it shows no text that could be a
   * message: most candidates (healthy players, DM entries) end there, and a promise per candidate
   * would be most of their cost. Otherwise a promise, as the strings may still be loading.
   */
  inspect(widget: Element, ctx: DetectorContext): Promise<Finding | null> | null;
  /**
   * Whether a widget that shows no message to report yet is watched (its subtree, until the page
   * changes) for a message that arrives later. Default true: error UI whose text comes a moment
   * after it. False for widgets that are mostly healthy and busy, whose every change would then
   * cost a look (video players).
   */
  readonly watchForLateMessage?: boolean;
}

export interface RegisteredDetector extends Detector {
  /** The detector's file name under src/content/detectors/. */
  readonly id: string;
}
