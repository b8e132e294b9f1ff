/**
 * Toasts and alerts (`#layers [data-testid="toast"]`, `[role="alert"]`): "You are unable to
 * follow more people at this time.", "Sorry, you are rate limited.", post and message send
 * failures. Most toasts are good news ("Your post was sent", "Copied to clipboard"), so a toast
 * counts only when its text is one of X's known error messages: no structural fallback here.
 */
import type { Detector } from '../detector.ts';
import { bestMatch, judge } from '../judge.ts';
import { readWidget } from '../read-text.ts';
import * as SELECTORS from '../selectors.ts';

const detector: Detector = {
  selector: SELECTORS.toastOrAlert,
  // An alert inside a toast (or a toast that is an alert) is one widget: the toast.
  widget: (candidate) => candidate.closest(SELECTORS.toast) ?? candidate,
  inspect(widget, ctx) {
    const text = readWidget(widget);
    if (!text || text.messages.length === 0) return null;
    return ctx.strings().then((strings) => judge({ match: bestMatch(text.messages, strings), structural: false, fallbackFeature: ctx.pageFeature() }));
  },
};
export default detector;
