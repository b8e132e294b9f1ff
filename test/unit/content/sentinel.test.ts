/**
 * The sentinel stylesheet (src/content/sentinel.css) is how candidates outside #layers reach the
 * content script in the browser. It must match the detectors' selectors exactly, and never touch
 * #layers, where X animates its own toasts and dialogs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DETECTORS } from '../../../src/content/detectors/index.ts';
import { selectorItems, sentinelAnimation, sentinelCss, sentinelRules, sentinelSelectors } from '../../../src/content/insertions.ts';
import { repo } from './dom-harness.ts';

const manifest = JSON.parse(readFileSync(join(repo, 'manifest.json'), 'utf8')) as { content_scripts: { js: string[]; css?: string[] }[] };

describe('the sentinel stylesheet', () => {
  it('is current: `npm run gen:sentinel` writes exactly this from the registered detectors', () => {
    const committed = readFileSync(join(repo, 'src/content/sentinel.css'), 'utf8');
    expect(committed).toBe(sentinelCss(DETECTORS));
  });

  it('is injected with the isolated content script, which listens for it', () => {
    const isolated = manifest.content_scripts.find((c) => c.js.includes('src/content/index.iife.ts'));
    expect(isolated?.css).toEqual(['src/content/sentinel.css']);
  });

  it("covers every detector's selector that can match outside #layers, and only those", () => {
    // Written out by hand, so a change in how the list is derived shows up here.
    expect(sentinelSelectors(DETECTORS.map((d) => d.selector)).sort()).toEqual(
      [
        '[data-testid="DmActivityViewport"] [data-testid="messageEntry"]',
        '[data-testid="primaryColumn"] [data-testid="error-detail"]',
        '[data-testid="videoPlayer"]',
        '[data-testid="cellInnerDiv"] path[d^="M12 4c-4.418 0-8 3.58-8 8s3.582 8 8 8c3.806 0 6.993-2.66 7.802-6.22"]',
        '[role="alert"]',
      ].sort(),
    );
    // What only #layers can hold stays out: X animates its toasts and dialogs there.
    const css = sentinelCss(DETECTORS);
    expect(css).not.toMatch(/^#layers/m);
    expect(css).not.toContain('[role="dialog"]');
    expect(css).not.toContain('[data-testid="toast"]');
    // One paused animation per detector that has a selector outside #layers, named after it (the
    // listener reads the detector from the name), on rules that all leave #layers alone.
    const rules = sentinelRules(DETECTORS);
    expect(rules.map((r) => r.id).sort()).toEqual(['dm-send-error', 'full-page-error', 'media-error', 'timeline-error', 'toast']);
    for (const rule of rules) {
      const block = `${rule.selectors.join(',\n')} {\n  animation: ${sentinelAnimation(rule.id)} 1ms 1 paused !important;\n}`;
      expect(css).toContain(block);
      expect(css).toContain(`@keyframes ${sentinelAnimation(rule.id)} {`);
      for (const sel of rule.selectors) expect(sel).toMatch(/:not\(#layers \*\)$/);
    }
  });

  it('splits selector lists only at top-level commas', () => {
    expect(selectorItems('a, b')).toEqual(['a', 'b']);
    expect(selectorItems('[d^="M1,2"], :is(a, b) c, [title=\'x,y\']')).toEqual(['[d^="M1,2"]', ':is(a, b) c', "[title='x,y']"]);
    expect(selectorItems(' a ,, b ')).toEqual(['a', 'b']);
    expect(selectorItems('')).toEqual([]);
  });
});
