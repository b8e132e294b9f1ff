/**
 * The error card that replaces a page's content: `error-detail` inside the primary column
 * ("Something went wrong. Try reloading." + Retry). X uses the same card for "this page doesn't
 * exist", which the strings exclude. With an unknown language or text, a card with a control
 * (Retry/Refresh are labelled buttons; the 404 card's "Search" is a link, the suspended card's Back
 * an icon) still reports, as unrecognised.
 */
import type { Detector } from '../detector.ts';
import { bestMatch, judge } from '../judge.ts';
import { readWidget } from '../read-text.ts';
import * as SELECTORS from '../selectors.ts';

const detector: Detector = {
  selector: SELECTORS.primaryErrorDetail,
  widget: (candidate) => candidate,
  inspect(widget, ctx) {
    const text = readWidget(widget);
    if (!text) return null;
    // Retry/Refresh are labelled buttons (Retry drawn with the circular-arrow icon); the 404 card
    // offers a link, the suspended and Space-ended cards an icon-only Back arrow. Any labelled
    // button counts, so an unknown language or wording still reports.
    const structural = text.hasControl || widget.querySelector(SELECTORS.retryIconPath) !== null;
    return ctx.strings().then((strings) => judge({ match: bestMatch(text.messages, strings), structural, fallbackFeature: ctx.pageFeature() }));
  },
};
export default detector;
