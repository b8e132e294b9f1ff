// @vitest-environment jsdom
/**
 * #layers may come after #react-root in the document (the fixture site puts it after the app, as
 * a body child) and the parser can yield between them, more so on a loaded machine: detection can
 * start with the primary column in place and #layers not parsed yet. A toast shown later in that
 * #layers must still be seen.
 */
import { describe, expect, it } from 'vitest';
import { nextTask, run, withoutSource } from './dom-harness.ts';

const TOAST = '<div data-testid="toast" role="alert"><span>Something went wrong. Try sending your post again in a minute.</span></div>';

describe('a #layers parsed after the app root', () => {
  it('is found when it arrives outside #react-root, and its toast is reported', async () => {
    // What the parser has produced so far: the app with its column, no #layers yet.
    const h = run(
      '<!doctype html><html lang="en"><head><title>Post / X</title></head><body><div id="react-root"><main><div data-testid="primaryColumn"></div></main></div></body></html>',
      '/compose/post',
      undefined,
      nextTask,
    );
    await h.detection.idle();
    const layers = h.doc.createElement('div');
    layers.id = 'layers';
    h.doc.body.appendChild(layers);
    await h.detection.idle();
    expect(h.detection.observers()).toContain('layers');
    layers.insertAdjacentHTML('beforeend', TOAST);
    await h.detection.idle();
    expect(withoutSource(h.emitted)).toEqual([{ feature: 'post', signal: 'banner', code: 'banner:post_failed' }]);
    expect(h.detection.observers()).not.toContain('finder');
    h.detection.stop();
  });

  it('is found when both containers come after detection started', async () => {
    const h = run('<!doctype html><html lang="en"><head><title>Post / X</title></head><body><div id="react-root"></div></body></html>', '/compose/post', undefined, nextTask);
    await h.detection.idle();
    h.doc.getElementById('react-root')!.innerHTML = '<main><div data-testid="primaryColumn"></div></main>';
    await h.detection.idle();
    h.doc.body.insertAdjacentHTML('beforeend', `<div id="layers">${TOAST}</div>`);
    await h.detection.idle();
    expect(withoutSource(h.emitted)).toEqual([{ feature: 'post', signal: 'banner', code: 'banner:post_failed' }]);
    expect(h.detection.observers()).toEqual(['layers', 'title']);
    h.detection.stop();
  });
});
