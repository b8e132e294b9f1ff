/**
 * The inline error at the end of a timeline: the last cell ("Something went wrong. Try
 * reloading.") with a Retry button drawn with the circular-arrow icon. The video player's replay
 * button uses the same icon path, so the icon counts only when it sits in a button, in the last
 * timeline cell, and outside any post or player.
 */
import type { Detector } from '../detector.ts';
import { bestMatch, judge } from '../judge.ts';
import { readWidget } from '../read-text.ts';
import * as SELECTORS from '../selectors.ts';

function isLastCell(cell: Element): boolean {
  for (let next = cell.nextElementSibling; next; next = next.nextElementSibling) {
    if (next.matches(SELECTORS.timelineCell)) return false;
  }
  return true;
}

const detector: Detector = {
  selector: SELECTORS.timelineRetryIcon,
  widget(icon) {
    const cell = icon.closest(SELECTORS.timelineCell);
    if (!cell || !isLastCell(cell)) return null;
    const button = icon.closest(SELECTORS.control);
    if (!button || !cell.contains(button)) return null;
    const post = icon.closest(SELECTORS.postOrPlayer);
    if (post && cell.contains(post)) return null;
    return cell;
  },
  inspect(cell, ctx) {
    const text = readWidget(cell);
    if (!text) return null;
    // The widget check above is the structure: a Retry button alone in the timeline's last cell.
    return ctx.strings().then((strings) => judge({ match: bestMatch(text.messages, strings), structural: true, fallbackFeature: 'timeline' }));
  },
};
export default detector;
