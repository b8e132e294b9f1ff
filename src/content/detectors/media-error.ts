/**
 * A video or broadcast that cannot play: the player (`videoPlayer`) shows X's message over the
 * video ("The media could not be played."). Players are common and mostly fine, and "This
 * broadcast has ended." is not a failure, so only a known message counts: no structural fallback.
 */
import type { Detector } from '../detector.ts';
import { bestMatch, judge } from '../judge.ts';
import { readWidget } from '../read-text.ts';
import * as SELECTORS from '../selectors.ts';

const detector: Detector = {
  selector: SELECTORS.videoPlayer,
  widget: (candidate) => candidate,
  async inspect(player, ctx) {
    const text = readWidget(player);
    if (!text || text.messages.length === 0) return null;
    const match = bestMatch(text.messages, await ctx.strings());
    return judge({ match, structural: false, fallbackFeature: 'media' });
  },
};
export default detector;
