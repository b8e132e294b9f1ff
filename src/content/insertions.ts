/**
 * How the runtime learns that a candidate node appeared outside #layers, without watching the
 * primary column's mutations (a busy timeline makes thousands a second, and every one of them
 * costs a call into this script even when it is then ignored).
 *
 * In the browser the style engine does the matching: `sentinel.css` (injected by the manifest)
 * gives every candidate a paused animation named after its detector, and the animation's
 * `animationstart` names the node and the detector, so not even a selector match is left to do.
 * Style is computed for every node the page shows anyway, so the page's own churn costs this
 * script nothing at all; only a candidate's first render calls in. Hidden candidates (in a
 * `display: none` subtree, or a background tab) call in once they are shown.
 *
 * jsdom has no style engine: there (unit tests) `mutationInsertions` reports the same nodes from
 * a document MutationObserver, at the cost the sentinel avoids.
 */

import * as SELECTORS from './selectors.ts';

/** #layers, left to the runtime's own observer. */
const LAYERS = `#${SELECTORS.layers}`;

/** The sentinel's animations are this followed by a detector's id; nothing else may use the prefix. */
export const SENTINEL_PREFIX = 'outage-radar-';
export const sentinelAnimation = (detectorId: string): string => `${SENTINEL_PREFIX}${detectorId}`;

/**
 * Calls `onInserted` with each candidate as it appears, and the id of the detector whose selector
 * it matches when the source knows it; returns a function that stops it.
 */
export type InsertionSource = (onInserted: (candidate: Element, detectorId?: string) => void) => () => void;

interface SelectorOwner {
  readonly id: string;
  readonly selector: string;
}

/** The items of a selector list (commas inside brackets, quotes or parentheses do not split). */
export function selectorItems(list: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < list.length; i++) {
    const c = list[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '(') depth++;
    else if (c === ']' || c === ')') depth--;
    else if (c === ',' && depth === 0) {
      items.push(list.slice(start, i).trim());
      start = i + 1;
    }
  }
  items.push(list.slice(start).trim());
  return items.filter((s) => s.length > 0);
}

/**
 * The selectors the sentinel watches: every detector's, except those only #layers can match.
 * #layers (toasts, dialogs, menus) is quiet and keeps its MutationObserver, and X animates what
 * it shows there, which an animation of ours must not replace.
 */
export function sentinelSelectors(detectorSelectors: readonly string[]): string[] {
  const onlyLayers = new RegExp(`^${LAYERS}\\s`);
  const items = detectorSelectors.flatMap(selectorItems).filter((s) => !onlyLayers.test(s));
  return [...new Set(items)];
}

/** Per detector, the selectors of its sentinel rule as the style engine sees them (none: no rule). */
export function sentinelRules(detectors: readonly SelectorOwner[]): { id: string; selectors: string[] }[] {
  return detectors
    .map((d) => ({ id: d.id, selectors: sentinelSelectors([d.selector]).map((s) => `${s}:not(${LAYERS} *)`) }))
    .filter((r) => r.selectors.length > 0);
}

/**
 * The stylesheet the manifest injects (src/content/sentinel.css is this text; a test keeps it so).
 * An element two detectors' selectors both match gets one animation, the more specific rule's
 * (the last one's when equally specific): it is announced to that detector only.
 */
export function sentinelCss(detectors: readonly SelectorOwner[]): string {
  const lines = [
    '/* Generated from the DOM detectors\' selectors by `npm run gen:sentinel`: do not edit. */',
    '/* Outage Radar learns that a possible error message appeared, and for which detector, from these animations\' start (see src/content/insertions.ts). */',
  ];
  for (const rule of sentinelRules(detectors)) {
    const name = sentinelAnimation(rule.id);
    lines.push(
      // No keyframes: the animation changes no property, so it costs the page no style work (one
      // that animated a custom property made every announced element's subtree restyle: +8 %
      // style time on the benchmark's timeline); it still starts, which is all that is needed.
      `@keyframes ${name} { }`,
      `${rule.selectors.join(',\n')} {`,
      // Paused: the animation starts (its start is the announcement) and never runs, so no frames
      // are spent on it and it never ends (no animationend to keep from the page).
      `  animation: ${name} 1ms 1 paused !important;`,
      '}',
    );
  }
  return lines.join('\n') + '\n';
}

const SENTINEL_EVENTS = ['animationstart', 'animationend', 'animationcancel', 'animationiteration'] as const;

/**
 * The browser's way: the sentinel's animation events, caught on the window before anyone else
 * (the content script starts before the page's scripts) and kept from the page, so X's own
 * animation handlers never see an animation they did not start. Stopping only stops the
 * announcements: the stylesheet stays in the page as long as the page lives, so its events are
 * still kept from the page afterwards (an orphaned content script after an update included).
 */
export function styleInsertions(win: Window): InsertionSource {
  return (onInserted) => {
    let deliver: typeof onInserted | null = onInserted;
    const onEvent = (event: Event) => {
      const name = (event as AnimationEvent).animationName;
      if (!name.startsWith(SENTINEL_PREFIX)) return;
      event.stopImmediatePropagation();
      const target = event.target as Node | null;
      if (deliver && event.type === 'animationstart' && target?.nodeType === 1) deliver(target as Element, name.slice(SENTINEL_PREFIX.length));
    };
    for (const type of SENTINEL_EVENTS) win.addEventListener(type, onEvent, true);
    return () => {
      deliver = null;
    };
  };
}

/**
 * What the content script uses: the sentinel, and while the tab is hidden (a background tab is
 * not rendered, so no animation starts) a MutationObserver on the document in its place, so an
 * error shown in a background tab is still reported when it appears, not when the tab is shown.
 * Candidates that appear while the tab is hidden and are still there when it is shown may be
 * announced twice; the runtime judges a widget once.
 */
export function browserInsertions(win: Window, selectors: readonly string[]): InsertionSource {
  const doc = win.document;
  const style = styleInsertions(win);
  const whileHidden = mutationInsertions(doc, selectors, { scanExisting: false });
  return (onInserted) => {
    const stopStyle = style(onInserted);
    let stopHidden: (() => void) | null = null;
    const sync = () => {
      if (doc.hidden && !stopHidden) {
        stopHidden = whileHidden(onInserted);
      } else if (!doc.hidden && stopHidden) {
        stopHidden();
        stopHidden = null;
      }
    };
    doc.addEventListener('visibilitychange', sync);
    sync();
    return () => {
      stopStyle();
      doc.removeEventListener('visibilitychange', sync);
      stopHidden?.();
    };
  };
}

/**
 * Without a style engine (or while the tab is hidden): the same candidates from the document's
 * added nodes, and at start from what is already there unless `scanExisting` is false. Costs a
 * call per mutation batch of the whole document.
 */
export function mutationInsertions(doc: Document, selectors: readonly string[], opts: { scanExisting?: boolean } = {}): InsertionSource {
  const selector = selectors.join(', ');
  return (onInserted) => {
    if (!selector) return () => {};
    // As the stylesheet's :not(#layers *): the runtime watches #layers itself.
    const report = (root: Element) => {
      if (root.closest(LAYERS)) return;
      if (root.matches(selector)) onInserted(root);
      for (const el of root.querySelectorAll(selector)) if (!el.closest(LAYERS)) onInserted(el);
    };
    if (opts.scanExisting !== false && doc.documentElement) report(doc.documentElement);
    const MO: typeof MutationObserver = (doc.defaultView as (Window & typeof globalThis) | null)?.MutationObserver ?? MutationObserver;
    const observer = new MO((records) => {
      for (const record of records) {
        for (const node of record.addedNodes) if (node.nodeType === 1) report(node as Element);
      }
    });
    observer.observe(doc, { childList: true, subtree: true });
    return () => observer.disconnect();
  };
}
