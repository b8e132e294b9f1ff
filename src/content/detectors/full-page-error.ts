/**
 * The error card that replaces a page's content: `error-detail` inside the primary column
 * ("Something went wrong. Try reloading." + Retry). X uses the same card for "this page doesn't
 * exist", which the strings exclude. With an unknown language or text, a card with a control
 * (Retry/Refresh are buttons; the 404 card's "Search" is a link) still reports, as unrecognised.
 */
import type { Detector } from '../detector.ts';
import { bestMatch, isRetryLabel, judge } from '../judge.ts';
import { readWidget } from '../read-text.ts';
import { SELECTORS } from '../selectors.ts';

const detector: Detector = {
  selector: SELECTORS.primaryErrorDetail,
  widget: (candidate) => candidate,
  async inspect(widget, ctx) {
    const text = readWidget(widget);
    if (!text) return null;
    const table = await ctx.strings();
    const match = bestMatch(text.messages, table);
    const knownLabels = text.controlLabels.some((l) => isRetryLabel(l, table));
    const structural = knownLabels || text.hasControl || widget.querySelector(SELECTORS.retryIconPath) !== null;
    return judge({ match, structural, fallbackFeature: ctx.pageFeature() });
  },
};
export default detector;
