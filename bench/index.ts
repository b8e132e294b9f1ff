/**
 * `npm run bench`: runs every benchmark in turn. Each one is a standalone script that writes
 * bench/results/<name>.json and prints its own summary; add new ones to BENCHMARKS.
 * A benchmark that crashes makes this exit non-zero; a benchmark that misses its budget does not.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

interface Benchmark { name: string; script: string; what: string }

const BENCHMARKS: Benchmark[] = [
  { name: 'content', script: 'bench/content.ts', what: 'main-thread cost of the content scripts on a busy x.com timeline' },
  { name: 'sw-burst', script: 'bench/sw/burst.ts', what: 'service-worker listeners under a burst of 1,000 failed requests' },
  { name: 'detection', script: 'bench/simulate/index.ts', what: 'detection engine on a simulated crowd: delay, misses, false alarms, attacks' },
  { name: 'sw-burst-chromium', script: 'bench/sw/chromium-burst.ts', what: "the same burst in Chromium's real extension service worker (skips without Chromium)" },
];

const root = fileURLToPath(new URL('..', import.meta.url));
const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));
const failed: string[] = [];
for (const bench of BENCHMARKS) {
  console.log(`\n=== ${bench.name}: ${bench.what}`);
  // Extra arguments (npm run bench -- --reps 3) go to every benchmark.
  const run = spawnSync(tsx, [bench.script, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
  if (run.status !== 0) failed.push(`${bench.name} (exit ${run.status ?? run.signal})`);
}
if (failed.length > 0) {
  console.error(`\nbenchmarks that did not complete: ${failed.join(', ')}`);
  process.exit(1);
}
