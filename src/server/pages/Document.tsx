/** The HTML shell every public page shares: language and direction, stylesheet, refresh script, feed link. */
import type { ComponentChildren } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { LocaleContext } from '../../shared/ui/i18n.ts';
import type { PageLocale } from './locales.ts';

export const ASSET_PATHS = { css: '/assets/status-page.css', js: '/assets/status-page.js' } as const;

export function renderDocument({ locale, title, children, script = false, description }: { locale: PageLocale; title: string; children: ComponentChildren; script?: boolean; description?: string }): string {
  const { t } = locale;
  const html = renderToString(
    <LocaleContext.Provider value={locale}>
      <html lang={locale.lang} dir={locale.dir}>
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{title}</title>
          {description && <meta name="description" content={description} />}
          <link rel="stylesheet" href={ASSET_PATHS.css} />
          <link rel="alternate" type="application/atom+xml" href="/v1/feed.atom" title={t('feedTitle')} />
          {script && <script src={ASSET_PATHS.js} defer />}
        </head>
        <body>
          {children}
          <footer class="site-footer">
            <nav aria-label={t('pageFooterNav')}>
              <ul>
                <li>
                  <a href="/">{t('pageWorldwideLink')}</a>
                </li>
                <li>
                  <a href="/v1/feed.atom">{t('pageFeedLink')}</a>
                </li>
                <li>
                  <a href="/badge.svg">{t('pageBadgeLink')}</a>
                </li>
                <li>
                  <a href="/privacy">{t('privacyTitle')}</a>
                </li>
              </ul>
            </nav>
          </footer>
        </body>
      </html>
    </LocaleContext.Provider>,
  );
  return `<!DOCTYPE html>\n${html}`;
}
