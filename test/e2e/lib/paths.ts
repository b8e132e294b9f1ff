import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const DIST_CHROME = join(REPO_ROOT, 'dist/chrome');
export const DIST_FIREFOX = join(REPO_ROOT, 'dist/firefox');
export const FIXTURE_SITE_DIR = join(REPO_ROOT, 'test/fixtures/site');
/** The DOM corpus the detector table is judged on (test/fixtures/dom/fixtures.json lists it). */
export const DOM_CORPUS_DIR = join(REPO_ROOT, 'test/fixtures/dom');

/** The shared reference material sits beside the repository (../shared), on CI as here. */
export function sharedDataFile(name: string): string {
  const candidates = [
    process.env.OUTAGE_RADAR_SHARED ? join(process.env.OUTAGE_RADAR_SHARED, 'data', name) : null,
    join(REPO_ROOT, '../shared/data', name),
    '/work/shared/data/' + name,
  ].filter((p): p is string => p !== null);
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`cannot find ${name}; looked in ${candidates.join(', ')} (set OUTAGE_RADAR_SHARED to the shared folder)`);
  return found;
}
