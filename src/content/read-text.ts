/**
 * Reads the words of one candidate error widget (never of the page): the message blocks, and the
 * labels of its controls, kept apart so "Retry" is not glued onto "Something went wrong".
 */
import { SELECTORS } from './selectors.ts';

/** An error widget says a sentence or two; more text than this is a post, a list or a dialog. */
export const MAX_WIDGET_CHARS = 600;

export interface WidgetText {
  /** Each text-bearing element's text, then all message text joined: whole-message candidates. */
  messages: string[];
  /** One label per control (button or role=button) in the widget. */
  controlLabels: string[];
  /** The widget holds at least one control (not a link). */
  hasControl: boolean;
}

/** Null when the widget holds too much text to be an error message. */
export function readWidget(widget: Element): WidgetText | null {
  const doc = widget.ownerDocument;
  const walker = doc.createTreeWalker(widget, 4 /* NodeFilter.SHOW_TEXT */);
  const blocks = new Map<Element, string>();
  const controls = new Map<Element, string>();
  const joined: string[] = [];
  let total = 0;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.nodeValue ?? '';
    if (!text.trim()) continue;
    total += text.length;
    if (total > MAX_WIDGET_CHARS) return null;
    const parent = node.parentElement;
    if (!parent || parent.closest('script, style, svg')) continue;
    const control = parent.closest(SELECTORS.anyControl);
    if (control && widget.contains(control) && control !== widget) {
      if (control.matches(SELECTORS.control)) controls.set(control, (controls.get(control) ?? '') + text);
      continue;
    }
    blocks.set(parent, (blocks.get(parent) ?? '') + text);
    joined.push(text);
  }
  const messages = [...new Set([...blocks.values(), joined.join(' ')])].filter((t) => t.trim() !== '');
  let hasControl = controls.size > 0;
  // A control may be an icon with no text at all.
  if (!hasControl) {
    for (const c of widget.querySelectorAll(SELECTORS.control)) {
      if (c !== widget) {
        hasControl = true;
        break;
      }
    }
  }
  return { messages, controlLabels: [...controls.values()], hasControl };
}
