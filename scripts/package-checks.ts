/**
 * What the Chrome Web Store and addons.mozilla.org reject, checked on our own build before it is
 * zipped, so a package that would bounce in review fails here instead. Each check returns the
 * problems it found as sentences naming the file; an empty list means it passed.
 */

export type Browser = 'chrome' | 'firefox';
export type Manifest = Record<string, unknown>;
/** The build's files by forward-slash path relative to its root. */
export type FileMap = ReadonlyMap<string, Buffer>;

export const ICON_SIZES = [16, 32, 48, 128] as const;

/**
 * Zip size caps. AMO refuses uploads over 200 MB; the Chrome Web Store's cap is larger. Both are
 * far above this extension, so our own budget is what bites: a package several times its normal
 * size means something got in that should not have (source maps, fixtures, a data dump).
 */
export const STORE_ZIP_LIMIT_BYTES: Record<Browser, number> = { chrome: 2_000 * 1024 * 1024, firefox: 200 * 1024 * 1024 };
export const PACKAGE_BUDGET_BYTES = 4 * 1024 * 1024;

/** Listing limits that apply to the manifest's localised name and description in both stores. */
export const NAME_MAX = 45;
export const DESCRIPTION_MAX = 132;
export const SHORT_NAME_MAX = 12;

export function pngSize(data: Buffer): { width: number; height: number } | null {
  const signature = '89504e470d0a1a0a';
  if (data.length < 24 || data.subarray(0, 8).toString('hex') !== signature || data.subarray(12, 16).toString('latin1') !== 'IHDR') return null;
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}

function asRecord(v: unknown): Record<string, unknown> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

export function checkIcons(manifest: Manifest, files: FileMap): string[] {
  const problems: string[] = [];
  const icons = asRecord(manifest.icons) ?? {};
  for (const size of ICON_SIZES) {
    const path = icons[String(size)];
    if (typeof path !== 'string') {
      problems.push(`manifest.json: no ${size}x${size} icon under "icons"`);
      continue;
    }
    const data = files.get(path);
    if (!data) {
      problems.push(`manifest.json: icon ${path} is not in the package`);
      continue;
    }
    const dims = pngSize(data);
    if (!dims) problems.push(`${path}: not a PNG file`);
    else if (dims.width !== size || dims.height !== size) problems.push(`${path}: is ${dims.width}x${dims.height}, the manifest says ${size}x${size}`);
  }
  return problems;
}

/** Every file the manifest names must be in the package, or the store's validator refuses it. */
export function checkReferencedFiles(manifest: Manifest, files: FileMap): string[] {
  const refs: string[] = [];
  const action = asRecord(manifest.action);
  if (action && typeof action.default_popup === 'string') refs.push(action.default_popup);
  refs.push(...Object.values(asRecord(action?.default_icon) ?? {}).filter((v): v is string => typeof v === 'string'));
  const options = asRecord(manifest.options_ui);
  if (options && typeof options.page === 'string') refs.push(options.page);
  const background = asRecord(manifest.background);
  if (background && typeof background.service_worker === 'string') refs.push(background.service_worker);
  refs.push(...strings(background?.scripts));
  for (const cs of Array.isArray(manifest.content_scripts) ? manifest.content_scripts : []) {
    const c = asRecord(cs);
    refs.push(...strings(c?.js), ...strings(c?.css));
  }
  if (typeof manifest.default_locale === 'string') refs.push(`_locales/${manifest.default_locale}/messages.json`);
  return [...new Set(refs)].filter((p) => !files.has(p)).map((p) => `manifest.json: ${p} is not in the package`);
}

const REMOTE_CODE_PATTERNS: Array<[RegExp, string]> = [
  [/(?<![\w$.])eval\s*\(/, 'calls eval()'],
  [/\bnew\s+Function\s*\(/, 'builds code with new Function()'],
  [/\bimport\s*\(\s*["'`](?:https?:)?\/\//, 'imports a module from the network'],
  [/\bfrom\s*["'`](?:https?:)?\/\//, 'imports a module from the network'],
  [/\bimportScripts\s*\(\s*["'`](?:https?:)?\/\//, 'loads a script from the network'],
  [/\bset(?:Timeout|Interval)\s*\(\s*["'`]/, 'passes a string of code to a timer'],
];

/** Both stores forbid code that is not in the package (MV3 "remotely hosted code"). */
export function checkRemoteCode(files: FileMap): string[] {
  const problems: string[] = [];
  for (const [path, data] of files) {
    if (/\.(?:m?js)$/.test(path)) {
      const text = data.toString('utf8');
      for (const [re, what] of REMOTE_CODE_PATTERNS) if (re.test(text)) problems.push(`${path}: ${what}`);
    } else if (path.endsWith('.html')) {
      const text = data.toString('utf8');
      for (const m of text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
        const attrs = m[1] ?? '';
        const src = /\bsrc\s*=\s*["']?([^"'\s>]+)/i.exec(attrs)?.[1];
        if (src && /^(?:[a-z][a-z0-9+.-]*:)?\/\//i.test(src)) problems.push(`${path}: loads a script from ${src}`);
        if (!src && (m[2] ?? '').trim()) problems.push(`${path}: has an inline <script>, which the extension CSP blocks`);
      }
    }
  }
  return problems;
}

/** No source maps, dotfiles or packaging leftovers: AMO flags hidden files, and maps double the size. */
export function checkStrayFiles(files: FileMap): string[] {
  const problems: string[] = [];
  for (const path of files.keys()) {
    if (path.split('/').some((part) => part.startsWith('.'))) problems.push(`${path}: hidden file in the package`);
    else if (path.endsWith('.map')) problems.push(`${path}: source map in the package`);
    else if (/\.(?:ts|tsx|zip|xpi|crx|pem)$/.test(path)) problems.push(`${path}: does not belong in a store package`);
  }
  return problems;
}

function cspDirectives(policy: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) out.set(name.toLowerCase(), values);
  }
  return out;
}

/**
 * No CSP key keeps the MV3 default (`script-src 'self'`), which is what we want. If one is
 * added, it may not weaken script loading: both stores reject such packages.
 */
export function checkCsp(manifest: Manifest): string[] {
  const csp = manifest.content_security_policy;
  if (csp === undefined) return [];
  const obj = asRecord(csp);
  if (!obj) return ['manifest.json: content_security_policy must be an object in Manifest V3'];
  const problems: string[] = [];
  for (const [key, value] of Object.entries(obj)) {
    if (typeof value !== 'string') {
      problems.push(`manifest.json: content_security_policy.${key} is not a string`);
      continue;
    }
    const d = cspDirectives(value);
    for (const directive of ['script-src', 'object-src', 'worker-src', 'default-src']) {
      for (const source of d.get(directive) ?? []) {
        const s = source.toLowerCase();
        const bad = s === "'unsafe-eval'" || s === "'unsafe-inline'" || s === '*' || s === 'http:' || s === 'https:' || s === 'data:' || /^(?:https?:)?\/\//.test(s) || /^[\w*-]+\.[\w.*-]+/.test(s);
        if (bad) problems.push(`manifest.json: content_security_policy.${key} allows ${source} in ${directive}`);
      }
    }
  }
  return problems;
}

/** Keys one browser rejects or warns about must not leak into its package from the other's patch. */
export function checkBrowserKeys(manifest: Manifest, browser: Browser): string[] {
  const problems: string[] = [];
  const background = asRecord(manifest.background) ?? {};
  if (manifest.manifest_version !== 3) problems.push('manifest.json: manifest_version must be 3');
  if ('update_url' in manifest || 'key' in manifest) problems.push('manifest.json: update_url and key are for self-hosted builds, not store packages');
  if (browser === 'chrome') {
    if ('browser_specific_settings' in manifest) problems.push('manifest.json: browser_specific_settings is Firefox-only');
    if ('scripts' in background) problems.push('manifest.json: background.scripts is Firefox-only (Chrome MV3 uses a service worker)');
    if (typeof background.service_worker !== 'string') problems.push('manifest.json: Chrome needs background.service_worker');
  } else {
    const gecko = asRecord(asRecord(manifest.browser_specific_settings)?.gecko);
    if (typeof gecko?.id !== 'string') problems.push('manifest.json: Firefox needs browser_specific_settings.gecko.id');
    if (gecko && 'update_url' in gecko) problems.push('manifest.json: gecko.update_url is for self-hosted add-ons, not AMO');
    if ('service_worker' in background) problems.push('manifest.json: background.service_worker is Chrome-only');
    if (!strings(background.scripts).length) problems.push('manifest.json: Firefox needs background.scripts');
    for (const key of Object.keys(manifest)) if (key.includes('chrome')) problems.push(`manifest.json: ${key} is Chrome-only`);
  }
  return problems;
}

/** Everything a user is asked to grant: API permissions and the hosts the extension can reach. */
export function declaredPermissions(manifest: Manifest): string[] {
  const out = [
    ...strings(manifest.permissions),
    ...strings(manifest.optional_permissions),
    ...strings(manifest.host_permissions),
    ...strings(manifest.optional_host_permissions),
  ];
  // Content scripts' match patterns grant host access too, and the stores list them as such.
  for (const cs of Array.isArray(manifest.content_scripts) ? manifest.content_scripts : []) out.push(...strings(asRecord(cs)?.matches));
  return [...new Set(out)];
}

/**
 * The permissions document gives each permission a heading with the permission in backticks,
 * then the justification paragraph(s) the store forms ask for. Returns permission → text.
 */
export function parsePermissionsDoc(markdown: string): Map<string, string> {
  const out = new Map<string, string>();
  let current: string[] | null = null;
  let body: string[] = [];
  const flush = () => {
    if (current) for (const p of current) out.set(p, body.join(' ').replace(/\s+/g, ' ').trim());
  };
  for (const line of markdown.split('\n')) {
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (heading) {
      flush();
      const names = [...(heading[1] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '');
      current = names.length ? names : null;
      body = [];
    } else if (current) {
      body.push(line);
    }
  }
  flush();
  return out;
}

/** A justification shorter than this is a placeholder, not a reason a reviewer would accept. */
export const MIN_JUSTIFICATION_CHARS = 60;

export function checkPermissionsDocumented(manifest: Manifest, markdown: string, docName = 'docs/store/permissions.md'): string[] {
  const doc = parsePermissionsDoc(markdown);
  const declared = declaredPermissions(manifest);
  const problems: string[] = [];
  for (const p of declared) {
    const text = doc.get(p);
    if (text === undefined) problems.push(`${docName}: no justification for "${p}"`);
    else if (text.length < MIN_JUSTIFICATION_CHARS) problems.push(`${docName}: the justification for "${p}" is too short to be one`);
  }
  return problems;
}

/** Permissions the document justifies but the manifest no longer asks for: the doc went stale. */
export function stalePermissionDocs(manifests: Manifest[], markdown: string): string[] {
  const declared = new Set(manifests.flatMap(declaredPermissions));
  return [...parsePermissionsDoc(markdown).keys()].filter((p) => !declared.has(p));
}

function message(messages: unknown, key: string): string | null {
  const m = asRecord(asRecord(messages)?.[key])?.message;
  return typeof m === 'string' ? m : null;
}

/** The store listing shows the manifest's localised name and description, within these limits. */
export function checkListingText(manifest: Manifest, files: FileMap): string[] {
  const problems: string[] = [];
  if (typeof manifest.short_name === 'string' && manifest.short_name.length > SHORT_NAME_MAX) {
    problems.push(`manifest.json: short_name is longer than ${SHORT_NAME_MAX} characters`);
  }
  const locales = [...files.keys()].map((p) => /^_locales\/([^/]+)\/messages\.json$/.exec(p)?.[1]).filter((l): l is string => !!l);
  for (const locale of locales.sort()) {
    const path = `_locales/${locale}/messages.json`;
    let messages: unknown;
    try {
      messages = JSON.parse(files.get(path)?.toString('utf8') ?? '');
    } catch (err) {
      problems.push(`${path}: not valid JSON (${(err as Error).message})`);
      continue;
    }
    for (const [field, max] of [['name', NAME_MAX], ['description', DESCRIPTION_MAX]] as const) {
      const value = manifest[field];
      const key = typeof value === 'string' ? /^__MSG_(\w+)__$/.exec(value)?.[1] : undefined;
      if (!key) continue;
      const text = message(messages, key);
      if (text === null) {
        if (locale === manifest.default_locale) problems.push(`${path}: no ${key}, which the manifest's ${field} uses`);
        continue;
      }
      if ([...text].length > max) problems.push(`${path}: ${key} is ${[...text].length} characters, the stores allow ${max}`);
      if (!text.trim()) problems.push(`${path}: ${key} is empty`);
    }
  }
  return problems;
}

export function checkZipSize(bytes: number, browser: Browser): string[] {
  if (bytes > STORE_ZIP_LIMIT_BYTES[browser]) return [`the ${browser} zip is ${bytes} bytes, over the store's limit`];
  if (bytes > PACKAGE_BUDGET_BYTES) return [`the ${browser} zip is ${bytes} bytes, over this project's ${PACKAGE_BUDGET_BYTES}-byte budget: look for files that should not be in it`];
  return [];
}

/** All manifest-level and file-level checks of one unpacked build. */
export function checkBuild(manifest: Manifest, files: FileMap, browser: Browser, permissionsDoc: string): string[] {
  return [
    ...checkBrowserKeys(manifest, browser),
    ...checkReferencedFiles(manifest, files),
    ...checkIcons(manifest, files),
    ...checkCsp(manifest),
    ...checkRemoteCode(files),
    ...checkStrayFiles(files),
    ...checkListingText(manifest, files),
    ...checkPermissionsDocumented(manifest, permissionsDoc),
  ];
}
