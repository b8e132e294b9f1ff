/**
 * `npm run package`: the store packages.
 *
 *   OUTAGE_RADAR_ENDPOINT=https://... npm run package [-- --skip-verify]
 *
 * Builds both extensions with the production endpoint into dist/store/<browser>, refuses
 * anything a store would reject (scripts/package-checks.ts, then `web-ext lint` with warnings
 * as errors), and writes deterministic zips:
 *   dist/outage-radar-chrome-<version>.zip    Chrome Web Store
 *   dist/outage-radar-firefox-<version>.zip   addons.mozilla.org
 *   dist/outage-radar-sources-<version>.zip   the sources AMO asks for, with BUILDING.md
 *   dist/outage-radar-<version>.sha256
 * In a git checkout the store zips are built from a snapshot of the sources in a temporary folder,
 * and that snapshot is rebuilt once more from the sources zip: both store zips must come out
 * byte for byte the same (skip the second build with --skip-verify). Without a git checkout
 * (inside an unpacked sources zip) it builds in place and makes the store zips only.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkBuild, checkZipSize, type Browser, type Manifest } from './package-checks.ts';
import { ALLOW_HTTP_VAR, ENDPOINT_VAR, resolveEndpoint } from './package-endpoint.ts';
import { buildingNotes, sourceFiles } from './package-sources.ts';
import { readZip, writeZip } from './package-zip.ts';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(REPO, 'dist');
const BROWSERS: readonly Browser[] = ['chrome', 'firefox'];
const PERMISSIONS_DOC = join(REPO, 'docs/store/permissions.md');
const SKIP_LINT_VAR = 'OUTAGE_RADAR_PACKAGE_SKIP_LINT';

export function zipName(kind: Browser | 'sources', version: string): string {
  return `outage-radar-${kind}-${version}.zip`;
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function readTree(root: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) files.set(relative(root, full).split(sep).join('/'), readFileSync(full));
      else throw new Error(`${full}: neither a file nor a folder; a package holds plain files only`);
    }
  };
  walk(root);
  return files;
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, what: string): void {
  try {
    execFileSync(cmd, args, { cwd, env, stdio: 'inherit', timeout: 300_000 });
  } catch (err) {
    throw new Error(`${what} failed (${(err as Error).message.split('\n')[0]})`);
  }
}

function build(browser: Browser, endpoint: string, outDir: string): void {
  const vite = join(REPO, 'node_modules/vite/bin/vite.js');
  // A test runner's NODE_ENV=test would make a development build, which embeds absolute paths.
  const env = { ...process.env, [ENDPOINT_VAR]: endpoint, NODE_ENV: 'production' };
  run(process.execPath, [vite, 'build', '--mode', browser, '--logLevel', 'warn', '--outDir', outDir, '--emptyOutDir'], REPO, env, `building the ${browser} extension`);
}

function lintFirefox(dir: string): void {
  // Listed on AMO, so no --self-hosted: the linter's AMO-specific rules apply too.
  const webExt = join(REPO, 'node_modules/web-ext/bin/web-ext.js');
  run(process.execPath, [webExt, 'lint', '--source-dir', dir, '--warnings-as-errors', '--no-input'], REPO, process.env, 'web-ext lint on the Firefox package');
}

/** The define in vite.config.ts must have put the production endpoint, and only it, in the code. */
function checkEndpointBakedIn(files: Map<string, Buffer>, endpoint: string, browser: Browser): string[] {
  const js = [...files].filter(([p]) => p.endsWith('.js')).map(([, d]) => d.toString('utf8'));
  const problems: string[] = [];
  // The minifier may requote the string literal, so look for it between any of JS's quotes.
  const quoted = ['"', "'", '`'].map((q) => q + endpoint + q);
  if (!js.some((t) => quoted.some((q) => t.includes(q)))) problems.push(`the ${browser} build does not contain the endpoint ${endpoint}`);
  const dev = 'http://127.0.0.1:8787';
  if (endpoint !== dev && js.some((t) => t.includes(dev))) problems.push(`the ${browser} build still contains the development endpoint ${dev}`);
  return problems;
}

interface Built {
  browser: Browser;
  zip: Buffer;
  path: string;
}

function packageBrowser(browser: Browser, endpoint: string, version: string): Built {
  const outDir = join(DIST, 'store', browser);
  build(browser, endpoint, outDir);
  const files = readTree(outDir);
  const manifest = JSON.parse(files.get('manifest.json')?.toString('utf8') ?? '{}') as Manifest;
  if (manifest.version !== version) throw new Error(`the ${browser} manifest says version ${String(manifest.version)}, package.json says ${version}`);
  const problems = [...checkBuild(manifest, files, browser, readFileSync(PERMISSIONS_DOC, 'utf8')), ...checkEndpointBakedIn(files, endpoint, browser)];
  if (problems.length) throw new Error(`the ${browser} package would be rejected:\n  - ${problems.join('\n  - ')}`);
  // Set only for the verification build, whose zip must equal one that was already linted.
  if (browser === 'firefox' && process.env[SKIP_LINT_VAR] !== '1') lintFirefox(outDir);
  const zip = writeZip([...files].map(([path, data]) => ({ path, data })), 'store');
  const sizeProblems = checkZipSize(zip.length, browser);
  if (sizeProblems.length) throw new Error(sizeProblems.join('\n'));
  const path = join(DIST, zipName(browser, version));
  writeFileSync(path, zip);
  return { browser, zip, path };
}

function zipDifferences(a: Buffer, b: Buffer): string[] {
  const left = new Map(readZip(a).map((e) => [e.path, e.data]));
  const right = new Map(readZip(b).map((e) => [e.path, e.data]));
  const paths = [...new Set([...left.keys(), ...right.keys()])].sort();
  return paths.filter((p) => !left.get(p)?.equals(right.get(p) ?? Buffer.alloc(0)) || !right.has(p));
}

/**
 * Writes `files` into a fresh temporary folder beside our node_modules and runs the documented
 * build there; returns the folder (the caller removes it). `npm ci` would install the same locked
 * packages; reusing ours keeps this to seconds.
 */
function buildInCopy(files: ReadonlyMap<string, Buffer>, endpoint: string, what: string, extraEnv: NodeJS.ProcessEnv = {}): string {
  const work = mkdtempSync(join(tmpdir(), 'outage-radar-sources-'));
  try {
    for (const [path, data] of files) {
      const target = join(work, ...path.split('/'));
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, data);
    }
    symlinkSync(join(REPO, 'node_modules'), join(work, 'node_modules'), 'dir');
    run('npm', ['run', '--silent', 'package'], work, { ...process.env, ...extraEnv, [ENDPOINT_VAR]: endpoint }, what);
    return work;
  } catch (err) {
    rmSync(work, { recursive: true, force: true });
    throw err;
  }
}

/** What the build runs in a folder that is not a git checkout: the store zips, nothing else. */
function packageHere(endpoint: string, version: string): Built[] {
  return BROWSERS.map((b) => packageBrowser(b, endpoint, version));
}

/**
 * In a git checkout the store zips are built from a snapshot of the sources, not from the
 * working tree itself: the sources zip then holds exactly what was built even if a file is saved
 * while the build runs. The sources zip is then unpacked once more and built again, and both
 * store zips must come out byte for byte the same.
 */
function packageFromCheckout(endpoint: string, version: string, verify: boolean): string[] {
  const untracked: string[] = [];
  const files = sourceFiles(REPO, untracked);
  if (untracked.length) console.log(`[package] the sources include ${untracked.length} file(s) git does not track yet, e.g. ${untracked.slice(0, 3).join(', ')}: commit them before a release`);

  const first = buildInCopy(files, endpoint, 'the build of the sources snapshot');
  let built: Built[];
  try {
    built = BROWSERS.map((browser) => {
      const zip = readFileSync(join(first, 'dist', zipName(browser, version)));
      const path = join(DIST, zipName(browser, version));
      writeFileSync(path, zip);
      rmSync(join(DIST, 'store', browser), { recursive: true, force: true });
      cpSync(join(first, 'dist', 'store', browser), join(DIST, 'store', browser), { recursive: true });
      return { browser, zip, path };
    });
  } finally {
    rmSync(first, { recursive: true, force: true });
  }
  const byBrowser = Object.fromEntries(built.map((b) => [b.browser, b])) as Record<Browser, Built>;

  const notes = buildingNotes(files.get('BUILDING.md')?.toString('utf8') ?? '# Building Outage Radar', {
    version,
    endpoint,
    allowHttp: process.env[ALLOW_HTTP_VAR] === '1',
    node: process.version,
    npm: execFileSync('npm', ['--version'], { encoding: 'utf8' }).trim(),
    sha256: { firefox: sha256(byBrowser.firefox.zip), chrome: sha256(byBrowser.chrome.zip) },
    zipNames: { firefox: zipName('firefox', version), chrome: zipName('chrome', version) },
  });
  files.set('BUILDING.md', Buffer.from(notes, 'utf8'));
  const sourcesZip = writeZip([...files].map(([path, data]) => ({ path, data })), 'deflate');
  writeFileSync(join(DIST, zipName('sources', version)), sourcesZip);

  if (!verify) {
    console.log('[package] --skip-verify: the sources zip was not rebuilt and compared');
  } else {
    const unpacked = new Map(readZip(sourcesZip).map((e) => [e.path, e.data]));
    const second = buildInCopy(unpacked, endpoint, 'the documented build in the unpacked sources zip', { [SKIP_LINT_VAR]: '1' });
    try {
      for (const b of built) {
        const again = readFileSync(join(second, 'dist', zipName(b.browser, version)));
        if (!again.equals(b.zip)) {
          throw new Error(
            `the ${b.browser} zip rebuilt from the sources zip differs (sha256 ${sha256(again)} instead of ${sha256(b.zip)}): ` +
              `the build is not reproducible; files that differ: ${zipDifferences(b.zip, again).join(', ')}`,
          );
        }
      }
    } finally {
      rmSync(second, { recursive: true, force: true });
    }
    console.log('[package] rebuilt from the sources zip: both store zips are identical byte for byte');
  }
  return [...built.map((b) => `${sha256(b.zip)}  ${zipName(b.browser, version)}`), `${sha256(sourcesZip)}  ${zipName('sources', version)}`];
}

function main(argv: string[]): void {
  const unknown = argv.filter((a) => a !== '--skip-verify');
  if (unknown.length) throw new Error(`unknown argument(s): ${unknown.join(' ')} (the only option is --skip-verify)`);
  const endpoint = resolveEndpoint(process.env);
  const version = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
  mkdirSync(DIST, { recursive: true });
  const checkout = existsSync(join(REPO, '.git'));
  console.log(`[package] version ${version}, endpoint ${endpoint}${process.env[ALLOW_HTTP_VAR] === '1' ? ` (${ALLOW_HTTP_VAR}=1)` : ''}${checkout ? '' : ', not a git checkout: store zips only'}`);

  const sums = checkout
    ? packageFromCheckout(endpoint, version, !argv.includes('--skip-verify'))
    : packageHere(endpoint, version).map((b) => `${sha256(b.zip)}  ${zipName(b.browser, version)}`);
  writeFileSync(join(DIST, `outage-radar-${version}.sha256`), sums.join('\n') + '\n');
  for (const line of sums) console.log(`[package] ${line}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    console.error(`[package] ${(err as Error).message}`);
    process.exit(1);
  }
}
