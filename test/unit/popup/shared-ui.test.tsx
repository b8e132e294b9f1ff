// @vitest-environment jsdom
/**
 * The components the popup shares with the server's status page (src/shared/ui): every string
 * key they and the server's pages ask for exists in en (test/unit/locales.test.ts checks the
 * other locales against en, but only scans the extension's own folders), and the server's
 * rendering and the popup's rendering of the same status agree.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { renderToString } from 'preact-render-to-string';
import { App } from '../../../src/popup/App.tsx';
import { createMockApi } from '../../../src/popup/mock-api.ts';
import { setTranslator } from '../../../src/popup/i18n.ts';
import { LocaleContext, translatorFromMessages, type MessageEntry } from '../../../src/shared/ui/i18n.ts';
import { Features, Regions } from '../../../src/shared/ui/StatusParts.tsx';
import { NOW, popupState, status } from '../background/fixtures.ts';
import { byTestId, mount, useLocale } from './render.ts';

const root = process.cwd();
const en = JSON.parse(readFileSync(join(root, 'public/_locales/en/messages.json'), 'utf8')) as Record<string, MessageEntry>;

function keysUsedIn(dir: string): string[] {
  const keys = new Set<string>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (/\.(ts|tsx)$/.test(entry.name)) for (const m of readFileSync(p, 'utf8').matchAll(/\bt\(\s*'([A-Za-z][A-Za-z0-9_]*)'/g)) keys.add(m[1]!);
    }
  };
  walk(join(root, dir));
  return [...keys];
}

describe('shared UI strings', () => {
  it.each(['src/shared/ui', 'src/server/pages'])('every t() key in %s is defined in en', (dir) => {
    const keys = keysUsedIn(dir);
    expect(keys.length).toBeGreaterThan(5);
    for (const key of keys) expect(en[key], `t('${key}') in ${dir}`).toBeDefined();
  });
});

describe('one set of components for popup and page', () => {
  afterEach(() => setTranslator(null));

  it('renders the features and countries of a status the same in the popup and on the server', async () => {
    useLocale('fr');
    const s = status('outage', { region: 'FR', regions: [['FR', 'outage', 120], ['DE', 'degraded', 12]], features: [['timeline', 'outage', 80]] });
    const popup = await mount(<App api={createMockApi(popupState({ status: s }))} now={() => NOW} />);
    const fr = JSON.parse(readFileSync(join(root, 'public/_locales/fr/messages.json'), 'utf8')) as Record<string, MessageEntry>;
    const server = renderToString(
      <LocaleContext.Provider value={{ t: translatorFromMessages(fr), lang: 'fr' }}>
        <Features features={s.features} />
        <Regions regions={s.regions} mine="FR" />
      </LocaleContext.Provider>,
    );
    const host = document.createElement('div');
    host.innerHTML = server;
    for (const id of ['feature-timeline', 'feature-dm', 'region-FR', 'region-DE']) {
      expect(byTestId(host, id)?.outerHTML, id).toBe(byTestId(popup, id)?.outerHTML);
    }
    expect(byTestId(host, 'region-FR')!.textContent).toContain('France');
  });
});
