// Size budgets of the built Chrome extension (issue 3, "at no cost"): what each entry point makes
// the browser load, gzipped. Entry points come from the built manifest and popup HTML; the chunks
// they pull in are found by following the built ES modules' import graph, so a chunk shared by
// several entries counts against every entry that loads it.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const KB = 1024;
const BUDGETS = {
  contentScripts: 8 * KB,
  serviceWorker: 25 * KB,
  popup: 35 * KB,
};

// ---- pure parsing and graph walking ------------------------------------------------------------

/** A reference from one built file to another: `file` relative paths resolve against the importer, `root` ones against dist. */
interface Reference { spec: string; base: 'file' | 'root' }

const Q = '["\'`]';
const NOT_Q = '[^"\'`\\n]';
// `import x from "./a.js"`, `import{a}from"./a.js"`, `import "./a.js"`, `export * from "./a.js"`; not `foo.import`.
const STATIC_IMPORT = new RegExp(`(?<![\\w$.])(?:import|export)\\s*(?:[^"'\`;()]*?\\bfrom\\s*)?${Q}(${NOT_Q}+?)${Q}`, 'g');
const DYNAMIC_IMPORT = new RegExp(`(?<![\\w$.])import\\s*\\(\\s*${Q}(${NOT_Q}+?)${Q}\\s*\\)`, 'g');
// The crxjs content-script loader: import(chrome.runtime.getURL("assets/x.js")).
const EXTENSION_URL = new RegExp(`\\bgetURL\\(\\s*${Q}([^"'\`$\\n]+?)${Q}\\s*\\)`, 'g');
// Vite's preload list for dynamic imports: __vite__mapDeps ... m.f=["assets/a.js","assets/b.css"].
const PRELOAD_LIST = /\.f\s*=\s*\[((?:\s*["'`][^"'`\n]+["'`]\s*,?)*)\]/g;
const CODE_FILE = /\.(?:m?js|css)$/;

export function moduleReferences(source: string): Reference[] {
  const refs: Reference[] = [];
  for (const m of source.matchAll(STATIC_IMPORT)) refs.push({ spec: m[1] as string, base: 'file' });
  for (const m of source.matchAll(DYNAMIC_IMPORT)) refs.push({ spec: m[1] as string, base: 'file' });
  for (const m of source.matchAll(EXTENSION_URL)) {
    if (CODE_FILE.test(m[1] as string)) refs.push({ spec: m[1] as string, base: 'root' });
  }
  if (source.includes('__vite__mapDeps')) {
    for (const m of source.matchAll(PRELOAD_LIST)) {
      for (const s of (m[1] as string).matchAll(/["'`]([^"'`]+)["'`]/g)) refs.push({ spec: s[1] as string, base: 'root' });
    }
  }
  return refs;
}

export function htmlReferences(html: string): Reference[] {
  const refs: Reference[] = [];
  for (const m of html.matchAll(/<script\b[^>]*\bsrc\s*=\s*["']([^"']+)["'][^>]*>/gi)) refs.push({ spec: m[1] as string, base: 'file' });
  for (const m of html.matchAll(/<link\b[^>]*>/gi)) {
    const tag = m[0];
    const rel = /\brel\s*=\s*["']([^"']+)["']/i.exec(tag)?.[1]?.toLowerCase() ?? '';
    const href = /\bhref\s*=\s*["']([^"']+)["']/i.exec(tag)?.[1];
    if (href && (rel === 'modulepreload' || rel === 'stylesheet')) refs.push({ spec: href, base: 'file' });
  }
  return refs;
}

/** Resolves a reference to a dist-relative posix path, or null for something outside the package (https:, data:). */
export function resolveReference(fromFile: string, ref: Reference): string | null {
  const spec = ref.spec.split(/[?#]/)[0] as string;
  if (/^[a-z][a-z0-9+.-]*:/i.test(spec)) return null;
  if (spec.startsWith('/')) return posix.normalize(spec.slice(1));
  if (ref.base === 'root') return posix.normalize(spec);
  if (spec.startsWith('./') || spec.startsWith('../')) return posix.normalize(posix.join(posix.dirname(fromFile), spec));
  throw new Error(`${fromFile}: cannot resolve bare module specifier ${JSON.stringify(ref.spec)} in a built extension`);
}

/** Every file an entry loads, transitively (the entries included), as dist-relative paths. */
export function collectLoadedFiles(entries: readonly string[], read: (path: string) => string | null): Set<string> {
  const seen = new Set<string>();
  const queue = [...entries];
  while (queue.length > 0) {
    const file = queue.shift() as string;
    if (seen.has(file)) continue;
    const source = read(file);
    if (source === null) throw new Error(`${file} is referenced but missing from the build`);
    seen.add(file);
    const refs = file.endsWith('.html') ? htmlReferences(source) : file.endsWith('.css') ? [] : moduleReferences(source);
    for (const ref of refs) {
      const target = resolveReference(file, ref);
      if (target !== null && !seen.has(target)) queue.push(target);
    }
  }
  return seen;
}

// ---- the built extension -----------------------------------------------------------------------

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DIST = join(ROOT, 'dist', 'chrome');

interface BuiltManifest {
  background?: { service_worker?: string };
  content_scripts?: { js?: string[]; css?: string[] }[];
  action?: { default_popup?: string };
}

function readDist(path: string): string | null {
  const full = join(DIST, path);
  return existsSync(full) ? readFileSync(full, 'utf8') : null;
}

function requireBuild(): BuiltManifest {
  const manifest = readDist('manifest.json');
  if (manifest === null) {
    throw new Error(`${relative(ROOT, DIST)}/manifest.json is missing: run \`npm run build\` before the size-budget test`);
  }
  return JSON.parse(manifest) as BuiltManifest;
}

interface Weighed { js: number; css: number; files: { path: string; gzip: number }[] }

function weigh(files: Set<string>): Weighed {
  const out: Weighed = { js: 0, css: 0, files: [] };
  for (const path of [...files].sort()) {
    if (path.endsWith('.html')) continue; // the page shell is not code; its scripts are followed
    const gzip = gzipSync(readFileSync(join(DIST, path)), { level: 9 }).length;
    if (path.endsWith('.css')) out.css += gzip;
    else out.js += gzip;
    out.files.push({ path, gzip });
  }
  return out;
}

const kb = (bytes: number): string => `${(bytes / KB).toFixed(2)} KB`;
function describeWeight(name: string, w: Weighed, budget: number): string {
  const lines = w.files.map((f) => `    ${f.path}: ${kb(f.gzip)}`).join('\n');
  return `${name}: ${kb(w.js)} of JavaScript gzipped (budget ${kb(budget)})${w.css ? `, plus ${kb(w.css)} of CSS` : ''}\n${lines}`;
}

describe('size budgets of dist/chrome (gzipped JavaScript, shared chunks counted per entry)', () => {
  it('content scripts + page hook stay within 8 KB', () => {
    const manifest = requireBuild();
    const entries = (manifest.content_scripts ?? []).flatMap((cs) => [...(cs.js ?? []), ...(cs.css ?? [])]);
    expect(entries.length, 'the built manifest declares no content scripts').toBeGreaterThan(0);
    const w = weigh(collectLoadedFiles(entries, readDist));
    const report = describeWeight('content scripts', w, BUDGETS.contentScripts);
    console.log(report);
    expect(w.js, report).toBeLessThanOrEqual(BUDGETS.contentScripts);
  });

  it('service worker stays within 25 KB', () => {
    const manifest = requireBuild();
    const entry = manifest.background?.service_worker;
    expect(entry, 'the built manifest declares no background.service_worker').toBeTruthy();
    const w = weigh(collectLoadedFiles([entry as string], readDist));
    const report = describeWeight('service worker', w, BUDGETS.serviceWorker);
    console.log(report);
    expect(w.js, report).toBeLessThanOrEqual(BUDGETS.serviceWorker);
  });

  it('popup stays within 35 KB', () => {
    const manifest = requireBuild();
    const entry = manifest.action?.default_popup;
    expect(entry, 'the built manifest declares no action.default_popup').toBeTruthy();
    const w = weigh(collectLoadedFiles([entry as string], readDist));
    expect(w.files.length, `${entry} loads no scripts`).toBeGreaterThan(0);
    const report = describeWeight('popup', w, BUDGETS.popup);
    console.log(report);
    expect(w.js, report).toBeLessThanOrEqual(BUDGETS.popup);
  });
});

describe('import graph of built files', () => {
  it('finds minified static, bare, re-export and dynamic imports, not property accesses', () => {
    const src = 'import{n as e,t}from"./jsxRuntime-A.js";import"./side-B.js";export*from"../up-C.js";' +
      'const x=()=>import(`./lazy-D.js`);foo.import("./not-E.js");export{e as f};const s="import";';
    expect(moduleReferences(src).map((r) => r.spec).sort()).toEqual(['../up-C.js', './jsxRuntime-A.js', './lazy-D.js', './side-B.js']);
  });

  it('follows the crxjs loader and vite preload lists from the package root', () => {
    const loader = '(function(){(async()=>{const{onExecute:e}=await import(chrome.runtime.getURL("/assets/index.ts-X.js"));})()})();' +
      'fetch(chrome.runtime.getURL("strings/en.json"));';
    expect(moduleReferences(loader)).toEqual([{ spec: '/assets/index.ts-X.js', base: 'root' }]);
    const preload = 'const __vite__mapDeps=(i,m=__vite__mapDeps,d=(m.f||(m.f=["assets/a-1.js","assets/b-2.css"])))=>i.map(i=>d[i]);';
    expect(moduleReferences(preload).map((r) => resolveReference('assets/x.js', r))).toEqual(['assets/a-1.js', 'assets/b-2.css']);
  });

  it('reads script, modulepreload and stylesheet references from HTML', () => {
    const html = '<script type="module" crossorigin src="/assets/index.html-A.js"></script>' +
      '<link rel="modulepreload" crossorigin href="/assets/chunk-B.js"><link rel="stylesheet" href="../c.css"><link rel="icon" href="/i.png">';
    expect(htmlReferences(html).map((r) => resolveReference('src/popup/index.html', r))).toEqual(['assets/index.html-A.js', 'assets/chunk-B.js', 'src/c.css']);
  });

  it('counts a shared chunk for every entry that loads it, survives cycles and names missing files', () => {
    const files: Record<string, string> = {
      'a.js': 'import"./shared.js";',
      'b.js': 'import{x}from"./shared.js";import("./lazy.js")',
      'shared.js': 'import"./b.js";', // a cycle back to b
      'lazy.js': '',
      'broken.js': 'import"./gone.js";',
    };
    const read = (p: string): string | null => files[p] ?? null;
    expect([...collectLoadedFiles(['a.js'], read)].sort()).toEqual(['a.js', 'b.js', 'lazy.js', 'shared.js']);
    expect([...collectLoadedFiles(['b.js'], read)].sort()).toEqual(['b.js', 'lazy.js', 'shared.js']);
    expect(() => collectLoadedFiles(['broken.js'], read)).toThrow('gone.js is referenced but missing from the build');
    expect(() => resolveReference('a.js', { spec: 'preact', base: 'file' })).toThrow(/bare module specifier "preact"/);
    expect(resolveReference('a.js', { spec: 'https://example.com/x.js', base: 'file' })).toBeNull();
  });
});
