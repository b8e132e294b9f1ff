/**
 * Reads the words of one candidate error widget (never of the page): its message blocks, with the
 * labels of its buttons and links left out, so "Retry" is not glued onto "Something went wrong".
 */
import * as SELECTORS from './selectors.ts';

/** An error widget says a sentence or two; more text than this is a post, a list or a dialog. */
export const MAX_WIDGET_CHARS = 600;

export interface WidgetText {
  /** Each text-bearing element's text, then all message text joined: whole-message candidates. */
  messages: string[];
  /**
   * The widget holds a control with words on it (Retry, Refresh: button or role=button). Links
   * don't count (the 404 card's "Search"), nor icon-only controls (the Back arrow of the
   * "suspended" and "Space has ended" cards).
   */
  hasControl: boolean;
}

/** Null when the widget holds too much text to be an error message. */
export function readWidget(widget: Element): WidgetText | null {
  // Most candidates (a healthy player, an icon) hold no text at all: one native read says so.
  if (!widget.textContent?.trim()) return { messages: [], hasControl: false };
  const walker = widget.ownerDocument.createTreeWalker(widget, 4 /* NodeFilter.SHOW_TEXT */);
  const blocks = new Map<Element, string>();
  const joined: string[] = [];
  let total = 0;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.nodeValue ?? '';
    if (!text.trim()) continue;
    total += text.length;
    if (total > MAX_WIDGET_CHARS) return null;
    const parent = node.parentElement;
    // What the user is typing (a draft in the compose dialog or DM composer) is never X's message.
    if (!parent || parent.closest(SELECTORS.notMessage)) continue;
    const control = parent.closest(SELECTORS.anyControl);
    if (control && control !== widget && widget.contains(control)) continue;
    blocks.set(parent, (blocks.get(parent) ?? '') + text);
    joined.push(text);
  }
  const messages = [...new Set([...blocks.values(), joined.join(' ')])].filter((t) => t.trim() !== '');
  let hasControl = false;
  for (const c of widget.querySelectorAll(SELECTORS.control)) {
    if (c !== widget && c.textContent?.trim()) {
      hasControl = true;
      break;
    }
  }
  return { messages, hasControl };
}
