/**
 * The sources zip AMO asks for: the working tree as git sees it (what was just built), and BUILDING.md completed with the exact endpoint, tool versions and checksums the
 * reviewer's rebuild must match.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

function gitList(repo: string, args: string[]): string[] {
  const out = execFileSync('git', ['ls-files', '-z', ...args], { cwd: repo, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return out.split('\0').filter(Boolean);
}

/**
 * Tracked files plus files not yet committed but not ignored either: the build just read the
 * working tree, so a file it used must be in the sources even before it is committed. For a
 * release from a clean checkout that is exactly what git tracks. `untracked` lists the extras so
 * the caller can say so.
 */
export function sourceFiles(repo: string, untracked: string[] = []): Map<string, Buffer> {
  untracked.push(...gitList(repo, ['--others', '--exclude-standard']));
  const listed = [...new Set([...gitList(repo, ['--cached']), ...untracked])];
  const files = new Map<string, Buffer>();
  for (const path of listed.sort()) {
    const full = join(repo, path);
    // A tracked file deleted in the working tree is not part of what was built.
    if (!existsSync(full) || !statSync(full).isFile()) continue;
    files.set(path, readFileSync(full));
  }
  if (!files.has('package.json') || !files.has('package-lock.json')) throw new Error('git does not track package.json and package-lock.json: cannot make a sources zip');
  return files;
}

export interface BuildFacts {
  version: string;
  endpoint: string;
  allowHttp: boolean;
  node: string;
  npm: string;
  sha256: { firefox: string; chrome: string };
  zipNames: { firefox: string; chrome: string };
}

export function buildingNotes(template: string, f: BuildFacts): string {
  const env = `OUTAGE_RADAR_ENDPOINT=${f.endpoint}${f.allowHttp ? ' OUTAGE_RADAR_ALLOW_HTTP=1' : ''}`;
  return `${template.trimEnd()}

## This package (${f.version})

Built with Node.js ${f.node} and npm ${f.npm}. From the folder this file is in:

\`\`\`sh
npm ci
${env} npm run package
sha256sum dist/${f.zipNames.firefox} dist/${f.zipNames.chrome}
\`\`\`

Expected:

\`\`\`
${f.sha256.firefox}  dist/${f.zipNames.firefox}
${f.sha256.chrome}  dist/${f.zipNames.chrome}
\`\`\`
`;
}
