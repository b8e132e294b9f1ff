/** /privacy: docs/store/privacy-policy.md rendered with the safe Markdown subset, inside the localized page shell. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderDocument } from './Document.tsx';
import type { PageLocale } from './locales.ts';
import { Markdown } from './markdown.tsx';

export const PRIVACY_POLICY_PATH = fileURLToPath(new URL('../../../docs/store/privacy-policy.md', import.meta.url));

export function renderPrivacyPage(locale: PageLocale, source: string = readFileSync(PRIVACY_POLICY_PATH, 'utf8')): string {
  const { t } = locale;
  const english = locale.lang.split('-')[0] === 'en';
  return renderDocument({
    locale,
    title: `${t('privacyTitle')} · ${t('pageTitle')}`,
    children: (
      <main class="page privacy" id="privacy">
        <p class="brand">
          <a href="/">{t('pageTitle')}</a>
        </p>
        {!english && (
          <p class="muted" data-testid="english-only">
            {t('privacyEnglishOnly')}
          </p>
        )}
        {/* The policy itself is written in English: its own lang keeps screen readers right. */}
        <article lang="en" dir="ltr" data-testid="policy">
          <Markdown source={source} />
        </article>
      </main>
    ),
  });
}
