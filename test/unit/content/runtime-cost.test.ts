/**
 * "No work while nothing changes": the page's own churn (new posts, counters and timestamps
 * ticking, hover attributes) schedules no frame and reads no text; only a candidate does. In the
 * browser the runtime's code is not even called for that churn (the style engine matches
 * candidates: bench/content.ts measures it); in jsdom a MutationObserver stands in for it.
 */
import { describe, expect, it } from 'vitest';
import { fixtureHtml, run, splitFixture, withoutSource } from './dom-harness.ts';

const post = (i: number) =>
  `<div data-testid="cellInnerDiv"><div><article data-testid="tweet"><div data-testid="User-Name"><span>Ada</span></div>` +
  `<div data-testid="tweetText">post ${i} something went wrong</div><div role="group"><button data-testid="like"><svg><path d="M1 2"/></svg>` +
  `<span data-testid="app-text-transition-container">${i}</span></button></div></article></div></div>`;

describe('the observers\' cost on a busy timeline', () => {
  it('schedules no frame for posts, counters, timestamps and attributes, and judges an error cell when it appears', async () => {
    const { shell, primary: errorCell } = splitFixture(fixtureHtml('en-timeline-error.html'));
    let frames = 0;
    const schedule = (task: () => void) => {
      frames += 1;
      setTimeout(task, 0);
    };
    const h = run(shell, '/home', undefined, schedule);
    await h.detection.idle();
    const column = h.doc.querySelector('[data-testid="primaryColumn"]')!;
    const startFrames = frames;
    for (let i = 0; i < 200; i++) {
      column.insertAdjacentHTML('beforeend', post(i));
      const counter = column.querySelector('[data-testid="app-text-transition-container"]')!;
      counter.textContent = String(i + 1); // a text node replaced: childList inside a post
      counter.firstChild!.nodeValue = String(i + 2); // characterData
      column.lastElementChild!.setAttribute('data-hovered', '');
      if (column.children.length > 60) column.firstElementChild!.remove();
      if (i % 20 === 0) await h.detection.idle();
    }
    await h.detection.idle();
    expect(frames - startFrames).toBe(0);
    expect(h.fetched).toEqual([]);
    expect(h.detection.tracked()).toEqual({ pending: 0, tasks: 0 });

    // The inline error at the end of the timeline: judged as soon as it is announced (no frame
    // later, when more posts may have come after it), and reported.
    column.insertAdjacentHTML('beforeend', errorCell);
    await h.detection.idle();
    expect(frames - startFrames).toBe(0);
    expect(withoutSource(h.emitted)).toEqual([{ feature: 'timeline', signal: 'banner', code: 'banner:timeline_error' }]);
    h.detection.stop();
  });
});
