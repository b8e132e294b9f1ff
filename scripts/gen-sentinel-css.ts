/**
 * Writes src/content/sentinel.css, the stylesheet the manifest injects into x.com, from the DOM
 * detectors' selectors (src/content/insertions.ts says why). A unit test fails when it is stale.
 *
 *   npm run gen:sentinel
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DETECTORS } from '../src/content/detectors/index.ts';
import { sentinelCss } from '../src/content/insertions.ts';

const out = fileURLToPath(new URL('../src/content/sentinel.css', import.meta.url));
writeFileSync(out, sentinelCss(DETECTORS));
console.log(`wrote ${out}`);
