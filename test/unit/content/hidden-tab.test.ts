/**
 * A tab hidden right after the error appeared (the user, or a test, opened another tab) gets no
 * animation frame until it is shown again, perhaps never: the batch must still run.
 */
import { describe, expect, it, vi } from 'vitest';
import { fixtureHtml, run, splitFixture, withoutSource } from './dom-harness.ts';

describe('detection in a tab that stops getting animation frames', () => {
  it('still reports the toast, once, through the fallback timer', async () => {
    const { shell, layers } = splitFixture(fixtureHtml('en-toast-post-failed.html'));
    const h = run(shell, '/compose/post');
    await h.detection.idle();
    const asked: number[] = [];
    // Frames are requested but never delivered, as in a tab hidden after the request.
    h.dom.window.requestAnimationFrame = (() => asked.push(1)) as unknown as typeof h.dom.window.requestAnimationFrame;
    h.dom.window.document.getElementById('layers')!.insertAdjacentHTML('beforeend', layers);
    await vi.waitFor(() => expect(h.emitted.length).toBeGreaterThan(0), { timeout: 5_000, interval: 50 });
    await h.detection.idle();
    expect(asked.length).toBeGreaterThan(0);
    expect(withoutSource(h.emitted)).toEqual([{ feature: 'post', signal: 'banner', code: 'banner:post_failed' }]);
    h.detection.stop();
  });
});
