/**
 * A video or broadcast that cannot play: the player (`videoPlayer`) shows X's message over the
 * video ("The media could not be played."). Players are common and mostly fine, and "This
 * broadcast has ended." is not a failure, so only a known message counts: no structural fallback.
 * A player is looked at when it appears (a timeline re-renders its cells as they scroll back into
 * view) and after each navigation, but not watched: a playing video's controls come and go with
 * the pointer, and looking at each change would cost more than the page's own work. A video that
 * fails mid-play still shows in the network layer (the service worker sees video.twimg.com fail).
 */
import type { Detector } from '../detector.ts';
import { bestMatch, judge } from '../judge.ts';
import { readWidget } from '../read-text.ts';
import * as SELECTORS from '../selectors.ts';

const detector: Detector = {
  selector: SELECTORS.videoPlayer,
  widget: (candidate) => candidate,
  watchForLateMessage: false,
  inspect(player, ctx) {
    const text = readWidget(player);
    if (!text || text.messages.length === 0) return null;
    return ctx.strings().then((strings) => judge({ match: bestMatch(text.messages, strings), structural: false, fallbackFeature: 'media' }));
  },
};
export default detector;
