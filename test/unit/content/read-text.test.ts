import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import { MAX_WIDGET_CHARS, readWidget } from '../../../src/content/read-text.ts';

const widget = (html: string) => {
  const doc = new JSDOM(`<div id="w">${html}</div>`).window.document;
  return doc.getElementById('w')!;
};

describe('readWidget', () => {
  it('reads message blocks apart from button and link labels', () => {
    const w = widget('<div><span>Something went wrong.</span> <span>Try reloading.</span></div><button><span>Retry</span></button><a href="/x">Help</a>');
    expect(readWidget(w)).toEqual({ messages: ['Something went wrong.', 'Try reloading.', 'Something went wrong. Try reloading.'], hasControl: true });
  });

  it('counts labelled buttons as controls, not icon-only ones or links', () => {
    expect(readWidget(widget('<span>Oops</span><div role="button"><svg><path d="M0"></path></svg><span>Retry</span></div>'))?.hasControl).toBe(true);
    // An icon-only control (the Back arrow of the "suspended" card) is not a way to retry.
    expect(readWidget(widget('<span>Oops</span><div role="button" aria-label="Back"><svg><path d="M0"></path></svg></div>'))?.hasControl).toBe(false);
    expect(readWidget(widget('<span>Oops</span><a role="link" href="/explore"><svg></svg></a>'))?.hasControl).toBe(false);
  });

  it('ignores script, style and svg text', () => {
    expect(readWidget(widget('<style>.a{}</style><svg><title>icon</title></svg><span>Error</span>'))?.messages).toEqual(['Error']);
  });

  it('refuses widgets with more text than an error message (a post, a list)', () => {
    expect(readWidget(widget(`<span>${'a'.repeat(MAX_WIDGET_CHARS + 1)}</span>`))).toBeNull();
  });

  it('leaves out what the user is typing (drafts are not X messages)', () => {
    const w = widget('<div role="textbox" contenteditable="true"><span>Something went wrong.</span></div><textarea>Oops</textarea><span>Post unavailable</span>');
    expect(readWidget(w)?.messages).toEqual(['Post unavailable']);
  });
});
