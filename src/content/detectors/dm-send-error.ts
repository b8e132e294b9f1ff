/**
 * A direct message that failed to send: X writes "Message failed to send" (or "Failed to send",
 * "Your message could not be sent.") under the message, inside its entry of the conversation's
 * DmActivityViewport. Entries also hold what people wrote, so only X's own DM-failure messages
 * count (feature dm), matched whole: no structural fallback, nothing else in a message reports.
 */
import type { Detector } from '../detector.ts';
import { bestMatch, judge } from '../judge.ts';
import { readWidget } from '../read-text.ts';
import * as SELECTORS from '../selectors.ts';

const detector: Detector = {
  selector: SELECTORS.dmEntry,
  widget: (candidate) => candidate,
  inspect(entry, ctx) {
    const text = readWidget(entry);
    if (!text) return null;
    return ctx.strings().then((strings) => {
      const match = bestMatch(text.messages, strings);
      if (match?.feature !== 'dm') return null;
      return judge({ match, structural: false, fallbackFeature: 'dm' });
    });
  },
};
export default detector;
