/**
 * Makes sure dist/ holds a build of the current sources. `npm test` builds before vitest runs,
 * so this normally does nothing; running the e2e project alone after an edit rebuilds once.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DIST_CHROME, DIST_FIREFOX, REPO_ROOT } from './paths.ts';

const INPUTS = ['src', 'public', 'manifest.json', 'manifest.chrome.json', 'manifest.firefox.json', 'vite.config.ts', 'package.json'];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

export function buildIsFresh(): boolean {
  const sources = Math.max(...INPUTS.map((p) => newestMtime(join(REPO_ROOT, p))));
  return [DIST_CHROME, DIST_FIREFOX].every((dir) => {
    const manifest = join(dir, 'manifest.json');
    return existsSync(manifest) && statSync(manifest).mtimeMs >= sources;
  });
}

export function ensureBuild(): void {
  if (process.env.OUTAGE_RADAR_E2E_SKIP_BUILD === '1' || buildIsFresh()) return;
  console.log('[e2e] dist/ is missing or older than the sources: running "npm run build"');
  execFileSync('npm', ['run', 'build'], { cwd: REPO_ROOT, stdio: 'inherit', timeout: 180_000 });
}
