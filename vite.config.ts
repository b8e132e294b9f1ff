import { readFileSync } from 'node:fs';
import { defineConfig, type Plugin } from 'vite';
import { crx, type ManifestV3Export } from '@crxjs/vite-plugin';
import preact from '@preact/preset-vite';

export type TargetBrowser = 'chrome' | 'firefox';

/** One base manifest plus a small per-browser patch: keys in the patch replace the base's. */
export function manifestFor(browser: TargetBrowser): Record<string, unknown> {
  const read = (file: string) => JSON.parse(readFileSync(new URL(file, import.meta.url), 'utf8')) as Record<string, unknown>;
  const base = read('./manifest.json');
  const patch = read(`./manifest.${browser}.json`);
  const pkg = read('./package.json');
  return { ...base, ...patch, version: pkg.version };
}

/**
 * The extension renders text from the server (official messages), so raw HTML must never reach the DOM. Preact's only
 * way to write markup is `dangerouslySetInnerHTML`; we build it so that prop is written as plain text. This also keeps
 * `web-ext lint` free of the innerHTML warning. The build fails if preact's code changes shape under us.
 */
function preactWithoutRawHtml(): Plugin {
  const RAW = '(u.innerHTML=h.__html)';
  return {
    name: 'outage-radar:preact-without-raw-html',
    enforce: 'pre',
    transform(code, id) {
      if (!/node_modules[\\/]preact[\\/]dist[\\/]preact\.module\.js/.test(id)) return null;
      if (!code.includes(RAW)) this.error(`preact changed: ${RAW} not found; review preactWithoutRawHtml in vite.config.ts`);
      return { code: code.replace(RAW, '(u.textContent=h.__html)'), map: null };
    },
  };
}

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:8787';

export default defineConfig(({ mode }) => {
  const browser: TargetBrowser = mode === 'firefox' ? 'firefox' : 'chrome';
  const endpoint = process.env.OUTAGE_RADAR_ENDPOINT || DEFAULT_ENDPOINT;
  return {
    plugins: [preactWithoutRawHtml(), preact(), crx({ manifest: manifestFor(browser) as unknown as ManifestV3Export, browser })],
    define: {
      __OUTAGE_RADAR_ENDPOINT__: JSON.stringify(endpoint),
      __OUTAGE_RADAR_BROWSER__: JSON.stringify(browser),
    },
    build: {
      outDir: `dist/${browser}`,
      emptyOutDir: true,
      target: browser === 'firefox' ? 'firefox128' : 'chrome111',
      // Readable output helps store reviewers; the size budgets are measured gzipped.
      minify: true,
      rollupOptions: {
        input: { welcome: 'src/options/welcome.html' },
      },
    },
    server: { cors: { origin: [/chrome-extension:\/\//, /moz-extension:\/\//] } },
  };
});
