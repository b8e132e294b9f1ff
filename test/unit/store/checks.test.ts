import { describe, expect, it } from 'vitest';
import { deflateSync } from 'node:zlib';
import {
  checkBrowserKeys,
  checkCsp,
  checkIcons,
  checkListingText,
  checkReferencedFiles,
  checkRemoteCode,
  checkStrayFiles,
  checkZipSize,
  pngSize,
  type Manifest,
} from '../../../scripts/package-checks.ts';

/** A real (tiny, valid) PNG of the given size, so the header reader is tested on what encoders write. */
function png(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    return Buffer.concat([len, Buffer.from(type, 'latin1'), data, Buffer.alloc(4)]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  const raw = Buffer.alloc((width * 4 + 1) * height);
  return Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

const icons = { '16': 'i/16.png', '32': 'i/32.png', '48': 'i/48.png', '128': 'i/128.png' };

describe('pngSize and checkIcons', () => {
  it('reads the size from the header and refuses what is not a PNG', () => {
    expect(pngSize(png(48, 32))).toEqual({ width: 48, height: 32 });
    expect(pngSize(Buffer.from('GIF89a and more bytes to be long'))).toBeNull();
  });

  it('wants all four sizes, present, PNG, and the size the manifest says', () => {
    const files = new Map(Object.entries(icons).map(([s, p]) => [p, png(Number(s), Number(s))]));
    expect(checkIcons({ icons }, files)).toEqual([]);
    files.set('i/48.png', png(64, 64));
    files.set('i/32.png', Buffer.from('<svg/>'));
    files.delete('i/16.png');
    const { '128': _dropped, ...without128 } = icons;
    expect(checkIcons({ icons: without128 }, files)).toEqual([
      'manifest.json: icon i/16.png is not in the package',
      'i/32.png: not a PNG file',
      'i/48.png: is 64x64, the manifest says 48x48',
      'manifest.json: no 128x128 icon under "icons"',
    ]);
  });
});

describe('checkRemoteCode', () => {
  const check = (path: string, text: string) => checkRemoteCode(new Map([[path, Buffer.from(text)]]));

  it('passes ordinary minified code, including words that merely contain eval or Function', () => {
    expect(check('a.js', 'const x=retrieval(1);o.evaluate(2);typeof y=="function";a.medieval=3;fetch("https://x.com/i/api")')).toEqual([]);
    expect(check('p.html', '<script type="module" src="/assets/popup.js"></script>')).toEqual([]);
  });

  it('flags eval, new Function, string timers and network imports', () => {
    expect(check('a.js', 'x=1;eval("2")')).toEqual(['a.js: calls eval()']);
    expect(check('a.js', 'f=new Function("return this")')).toEqual(['a.js: builds code with new Function()']);
    expect(check('a.js', 'setTimeout("go()",5)')).toEqual(['a.js: passes a string of code to a timer']);
    expect(check('a.js', 'await import("https://cdn.example/x.js")')).toEqual(['a.js: imports a module from the network']);
    expect(check('a.mjs', 'import {a} from "//cdn.example/x.js"')).toEqual(['a.mjs: imports a module from the network']);
    expect(check('w.js', "importScripts('https://cdn.example/w.js')")).toEqual(['w.js: loads a script from the network']);
  });

  it('flags remote and inline scripts in pages', () => {
    expect(check('p.html', '<script src="https://cdn.example/lib.js"></script>')).toEqual(['p.html: loads a script from https://cdn.example/lib.js']);
    expect(check('p.html', '<SCRIPT>alert(1)</SCRIPT>')).toEqual(['p.html: has an inline <script>, which the extension CSP blocks']);
  });
});

describe('checkCsp', () => {
  it('accepts no CSP (the MV3 default) and a strict one', () => {
    expect(checkCsp({})).toEqual([]);
    expect(checkCsp({ content_security_policy: { extension_pages: "script-src 'self'; object-src 'self'" } })).toEqual([]);
  });

  it('refuses a CSP that loosens script loading', () => {
    expect(checkCsp({ content_security_policy: "script-src 'self'" })).toEqual(['manifest.json: content_security_policy must be an object in Manifest V3']);
    expect(checkCsp({ content_security_policy: { extension_pages: "script-src 'self' 'unsafe-eval' https://cdn.example; object-src 'self'" } })).toEqual([
      "manifest.json: content_security_policy.extension_pages allows 'unsafe-eval' in script-src",
      'manifest.json: content_security_policy.extension_pages allows https://cdn.example in script-src',
    ]);
  });
});

describe('checkBrowserKeys', () => {
  const chrome: Manifest = { manifest_version: 3, background: { service_worker: 'bg.js' }, minimum_chrome_version: '111' };
  const firefox: Manifest = { manifest_version: 3, background: { scripts: ['bg.js'] }, browser_specific_settings: { gecko: { id: 'a@b' } } };

  it('accepts each browser its own keys', () => {
    expect(checkBrowserKeys(chrome, 'chrome')).toEqual([]);
    expect(checkBrowserKeys(firefox, 'firefox')).toEqual([]);
  });

  it("refuses the other browser's keys", () => {
    expect(checkBrowserKeys(firefox, 'chrome')).toEqual([
      'manifest.json: browser_specific_settings is Firefox-only',
      'manifest.json: background.scripts is Firefox-only (Chrome MV3 uses a service worker)',
      'manifest.json: Chrome needs background.service_worker',
    ]);
    expect(checkBrowserKeys(chrome, 'firefox')).toEqual([
      'manifest.json: Firefox needs browser_specific_settings.gecko.id',
      'manifest.json: background.service_worker is Chrome-only',
      'manifest.json: Firefox needs background.scripts',
      'manifest.json: minimum_chrome_version is Chrome-only',
    ]);
    expect(checkBrowserKeys({ ...chrome, update_url: 'https://u' }, 'chrome')).toEqual(['manifest.json: update_url and key are for self-hosted builds, not store packages']);
  });
});

describe('file checks', () => {
  it('finds files the manifest names but the package lacks', () => {
    const manifest: Manifest = {
      action: { default_popup: 'popup.html' },
      options_ui: { page: 'options.html' },
      background: { service_worker: 'bg.js' },
      content_scripts: [{ js: ['cs.js'], css: ['cs.css'] }],
      default_locale: 'en',
    };
    const files = new Map([['popup.html', Buffer.alloc(0)], ['bg.js', Buffer.alloc(0)], ['cs.css', Buffer.alloc(0)]]);
    expect(checkReferencedFiles(manifest, files)).toEqual([
      'manifest.json: options.html is not in the package',
      'manifest.json: cs.js is not in the package',
      'manifest.json: _locales/en/messages.json is not in the package',
    ]);
  });

  it('flags hidden files, source maps and sources', () => {
    const files = new Map(['a.js', '.DS_Store', 'x/.git/config', 'a.js.map', 'src/a.ts', 'ok.json'].map((p) => [p, Buffer.alloc(0)]));
    expect(checkStrayFiles(files)).toEqual([
      '.DS_Store: hidden file in the package',
      'x/.git/config: hidden file in the package',
      'a.js.map: source map in the package',
      'src/a.ts: does not belong in a store package',
    ]);
  });

  it('keeps the localised name and description within the listing limits', () => {
    const manifest: Manifest = { name: '__MSG_extName__', description: '__MSG_extDescription__', default_locale: 'en', short_name: 'Outage Radar' };
    const msgs = (name: string, description: string) => Buffer.from(JSON.stringify({ extName: { message: name }, extDescription: { message: description } }));
    const ok = new Map([['_locales/en/messages.json', msgs('Outage Radar', 'Tells you when X is down.')]]);
    expect(checkListingText(manifest, ok)).toEqual([]);
    const bad = new Map([
      ['_locales/en/messages.json', msgs('Outage Radar', 'd'.repeat(133))],
      ['_locales/ja/messages.json', msgs('名'.repeat(46), 'ok')],
      ['_locales/fr/messages.json', Buffer.from('{')],
    ]);
    expect(checkListingText({ ...manifest, short_name: 'Outage Radar X' }, bad)).toEqual([
      'manifest.json: short_name is longer than 12 characters',
      '_locales/en/messages.json: extDescription is 133 characters, the stores allow 132',
      expect.stringMatching(/^_locales\/fr\/messages\.json: not valid JSON/),
      '_locales/ja/messages.json: extName is 46 characters, the stores allow 45',
    ]);
  });

  it('holds zips to the store limit and our own budget', () => {
    expect(checkZipSize(300_000, 'firefox')).toEqual([]);
    expect(checkZipSize(5 * 1024 * 1024, 'chrome')[0]).toMatch(/budget/);
    expect(checkZipSize(201 * 1024 * 1024, 'firefox')[0]).toMatch(/store's limit/);
  });
});
