/**
 * An error that takes the place of a modal dialog's content in #layers: the login flow's
 * "Something went wrong, but don't fret — let's give it another shot." with its button, and the
 * same in other modal flows (compose, settings). Dialogs also hold drafts and forms, so only a
 * known message counts, read whole (no structural fallback). An alert or toast inside the dialog
 * is the toast detector's widget: left to it, so one error reports once. A dialog with an editor
 * (compose) is an open form, not an error state: skipped before any text is read, so typing
 * a post costs one selector match per frame.
 */
import type { Detector } from '../detector.ts';
import { bestMatch, judge } from '../judge.ts';
import { readWidget } from '../read-text.ts';
import * as SELECTORS from '../selectors.ts';

const detector: Detector = {
  selector: SELECTORS.dialog,
  widget: (candidate) => (candidate.querySelector(`${SELECTORS.toastOrAlert}, ${SELECTORS.editor}`) ? null : candidate),
  inspect(dialog, ctx) {
    const text = readWidget(dialog);
    if (!text || text.messages.length === 0) return null;
    return ctx.strings().then((strings) => judge({ match: bestMatch(text.messages, strings), structural: false, fallbackFeature: ctx.pageFeature() }));
  },
};
export default detector;
