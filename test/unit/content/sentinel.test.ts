/**
 * The sentinel stylesheet (src/content/sentinel.css) is how candidates outside #layers reach the
 * content script in the browser. It must match the detectors' selectors exactly, and never touch
 * #layers, where X animates its own toasts and dialogs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DETECTORS } from '../../../src/content/detectors/index.ts';
import { SENTINEL_ANIMATION, selectorItems, sentinelCss, sentinelSelectors } from '../../../src/content/insertions.ts';
import { repo } from './dom-harness.ts';

const manifest = JSON.parse(readFileSync(join(repo, 'manifest.json'), 'utf8')) as { content_scripts: { js: string[]; css?: string[] }[] };

describe('the sentinel stylesheet', () => {
  it('is current: `npm run gen:sentinel` writes exactly this from the registered detectors', () => {
    const committed = readFileSync(join(repo, 'src/content/sentinel.css'), 'utf8');
    expect(committed).toBe(sentinelCss(DETECTORS.map((d) => d.selector)));
  });

  it('is injected with the isolated content script, which listens for it', () => {
    const isolated = manifest.content_scripts.find((c) => c.js.includes('src/content/index.iife.ts'));
    expect(isolated?.css).toEqual(['src/content/sentinel.css']);
  });

  it("covers every detector's selector that can match outside #layers, and only those", () => {
    const items = DETECTORS.flatMap((d) => selectorItems(d.selector));
    const watched = sentinelSelectors(DETECTORS.map((d) => d.selector));
    for (const item of items) {
      if (item.startsWith('#layers ')) expect(watched).not.toContain(item);
      else expect(watched).toContain(item);
    }
    expect(watched.length).toBeGreaterThanOrEqual(4);
    const css = sentinelCss(DETECTORS.map((d) => d.selector));
    // Every rule leaves #layers alone, and the animation is the one the listener knows.
    const rule = css.slice(css.indexOf('}') + 1);
    for (const s of watched) expect(rule).toContain(`${s}:not(#layers *)`);
    expect(rule).toContain(`animation: ${SENTINEL_ANIMATION} 1ms 1 !important;`);
  });

  it('splits selector lists only at top-level commas', () => {
    expect(selectorItems('a, b')).toEqual(['a', 'b']);
    expect(selectorItems('[d^="M1,2"], :is(a, b) c, [title=\'x,y\']')).toEqual(['[d^="M1,2"]', ':is(a, b) c', "[title='x,y']"]);
    expect(selectorItems(' a ,, b ')).toEqual(['a', 'b']);
    expect(selectorItems('')).toEqual([]);
  });
});
