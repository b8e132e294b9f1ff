/** Renders a component into jsdom with the real English (or other) messages, and waits for it to settle. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { render } from 'preact';
import type { VNode } from 'preact';
import { act } from 'preact/test-utils';
import { setTranslator, translatorFromMessages } from '../../../src/popup/i18n.ts';
import type { MessageEntry } from '../../../src/popup/i18n.ts';

export function useLocale(locale: string, dir: 'ltr' | 'rtl' = 'ltr') {
  const messages = JSON.parse(readFileSync(join(process.cwd(), 'public/_locales', locale, 'messages.json'), 'utf8')) as Record<string, MessageEntry>;
  setTranslator(translatorFromMessages(messages, dir, locale));
  return messages;
}

export async function mount(vnode: VNode): Promise<HTMLElement> {
  const root = document.createElement('div');
  document.body.replaceChildren(root);
  await act(async () => {
    render(vnode, root);
  });
  await settle();
  return root;
}

/** Lets pending promises (the façade's answers) resolve and preact re-render. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await act(async () => {
      await new Promise((r) => setTimeout(r, 0));
    });
  }
}

export function byTestId(root: ParentNode, id: string): HTMLElement | null {
  return root.querySelector(`[data-testid="${id}"]`);
}
