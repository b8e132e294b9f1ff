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
 * Then it unpacks the sources zip in a temporary folder, runs the documented build there and
 * requires both store zips to come out byte for byte the same (skip with --skip-verify).
 * Without a git checkout (inside an unpacked sources zip) it makes the store zips only.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
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
  const env = { ...process.env, [ENDPOINT_VAR]: endpoint };
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
  if (browser === 'firefox') lintFirefox(outDir);
  const zip = writeZip([...files].map(([path, data]) => ({ path, data })), 'store');
  const sizeProblems = checkZipSize(zip.length, browser);
  if (sizeProblems.length) throw new Error(sizeProblems.join('\n'));
  const path = join(DIST, zipName(browser, version));
  writeFileSync(path, zip);
  return { browser, zip, path };
}

/** Unpacks the sources zip, runs the documented build there and compares the store zips. */
function verifyFromSources(sourcesZip: Buffer, built: Built[], endpoint: string, version: string): void {
  const work = mkdtempSync(join(tmpdir(), 'outage-radar-sources-'));
  try {
    for (const entry of readZip(sourcesZip)) {
      const target = join(work, ...entry.path.split('/'));
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, entry.data);
    }
    // `npm ci` would fetch the same locked packages; reusing ours keeps this check to seconds.
    symlinkSync(join(REPO, 'node_modules'), join(work, 'node_modules'), 'dir');
    const env: NodeJS.ProcessEnv = { ...process.env, [ENDPOINT_VAR]: endpoint };
    run('npm', ['run', '--silent', 'package'], work, env, 'the documented build in the unpacked sources');
    for (const b of built) {
      const again = readFileSync(join(work, 'dist', zipName(b.browser, version)));
      if (!again.equals(b.zip)) {
        throw new Error(`the ${b.browser} zip rebuilt from the sources differs (sha256 ${sha256(again)} instead of ${sha256(b.zip)}): the build is not reproducible`);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function main(argv: string[]): void {
  const unknown = argv.filter((a) => a !== '--skip-verify');
  if (unknown.length) throw new Error(`unknown argument(s): ${unknown.join(' ')} (the only option is --skip-verify)`);
  const endpoint = resolveEndpoint(process.env);
  const version = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
  mkdirSync(DIST, { recursive: true });
  console.log(`[package] version ${version}, endpoint ${endpoint}${process.env[ALLOW_HTTP_VAR] === '1' ? ` (${ALLOW_HTTP_VAR}=1)` : ''}`);

  const built = BROWSERS.map((b) => packageBrowser(b, endpoint, version));
  const sums = built.map((b) => `${sha256(b.zip)}  ${zipName(b.browser, version)}`);

  if (!existsSync(join(REPO, '.git'))) {
    console.log('[package] not a git checkout: store zips only, no sources zip');
  } else {
    const firefox = built.find((b) => b.browser === 'firefox');
    const chrome = built.find((b) => b.browser === 'chrome');
    if (!firefox || !chrome) throw new Error('both packages must be built before the sources zip');
    const untracked: string[] = [];
    const files = sourceFiles(REPO, untracked);
    if (untracked.length) console.log(`[package] the sources zip holds ${untracked.length} file(s) git does not track yet, e.g. ${untracked.slice(0, 3).join(', ')}: commit them before a release`);
    const notes = buildingNotes(readFileSync(join(REPO, 'BUILDING.md'), 'utf8'), {
      version,
      endpoint,
      allowHttp: process.env[ALLOW_HTTP_VAR] === '1',
      node: process.version,
      npm: execFileSync('npm', ['--version'], { encoding: 'utf8' }).trim(),
      sha256: { firefox: sha256(firefox.zip), chrome: sha256(chrome.zip) },
      zipNames: { firefox: zipName('firefox', version), chrome: zipName('chrome', version) },
    });
    files.set('BUILDING.md', Buffer.from(notes, 'utf8'));
    const sourcesZip = writeZip([...files].map(([path, data]) => ({ path, data })), 'deflate');
    writeFileSync(join(DIST, zipName('sources', version)), sourcesZip);
    sums.push(`${sha256(sourcesZip)}  ${zipName('sources', version)}`);
    if (argv.includes('--skip-verify')) {
      console.log('[package] --skip-verify: the sources zip was not rebuilt and compared');
    } else {
      verifyFromSources(sourcesZip, built, endpoint, version);
      console.log('[package] rebuilt from the sources zip: both store zips are identical byte for byte');
    }
  }
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
